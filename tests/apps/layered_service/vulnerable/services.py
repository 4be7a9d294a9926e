from repository import UserRepository


class UserService:
    def __init__(self):
        self.users = UserRepository()

    def search(self, term: str):
        return self.users.search(term.strip())

    def by_email(self, email: str):
        return self.users.by_email(email)
