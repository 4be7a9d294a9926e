from .base import BaseRepository


class UserRepository(BaseRepository):
    table = "users"

    def search(self, term: str):
        sql = "SELECT id, name FROM users WHERE name LIKE '%%%s%%'" % term
        return self._fetch(sql)

    def by_email(self, email: str):
        return super().find_by("email", email)
