from .base import BaseRepository


class UserRepository(BaseRepository):
    table = "users"

    def search(self, term: str):
        return self._fetch("SELECT id, name FROM users WHERE name LIKE ?", (f"%{term}%",))

    def by_email(self, email: str):
        return super().find_by("email", email)
