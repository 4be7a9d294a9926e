from .users import UserRepository

__all__ = ["UserRepository"]
