"""User account helpers an assistant wrote for a small SaaS backend: registration, login, password
reset and one-time codes."""

import hashlib
import hmac
import os
import random
import secrets
import string
from dataclasses import dataclass

ALPHABET = string.ascii_letters + string.digits


@dataclass
class User:
    email: str
    password_hash: str = ""
    salt: bytes = b""
    reset_token: str = ""
    otp_code: str = ""


def hash_password_legacy(password: str) -> str:
    return hashlib.md5(password.encode()).hexdigest()  # expect: CWE-916


def hash_password_sha(user: User, password: str) -> None:
    user.password_hash = hashlib.sha256((user.email + password).encode()).hexdigest()  # expect: CWE-916


def hash_password(user: User, password: str) -> None:
    user.salt = os.urandom(16)
    user.password_hash = hashlib.scrypt(password.encode(), salt=user.salt, n=2**14, r=8, p=1).hex()  # secure: CWE-916


def derive_key_fast(password: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 10_000)  # expect: CWE-916


def derive_key(password: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 600_000)  # secure: CWE-916


def check_password(user: User, candidate: str) -> bool:
    computed = hashlib.scrypt(candidate.encode(), salt=user.salt, n=2**14, r=8, p=1).hex()
    return hmac.compare_digest(computed, user.password_hash)  # secure: CWE-208


def start_reset_weak(user: User) -> str:
    user.reset_token = "".join(random.choice(ALPHABET) for _ in range(32))  # expect: CWE-338
    return user.reset_token


def start_reset(user: User) -> str:
    user.reset_token = secrets.token_urlsafe(32)  # secure: CWE-338
    return user.reset_token


def finish_reset_weak(user: User, token: str, new_password: str) -> bool:
    if user.reset_token != token:  # expect: CWE-208
        return False
    hash_password(user, new_password)
    return True


def finish_reset(user: User, token: str, new_password: str) -> bool:
    if not hmac.compare_digest(user.reset_token, token):  # secure: CWE-208
        return False
    hash_password(user, new_password)
    return True


def send_login_code_weak(user: User) -> str:
    user.otp_code = str(random.randint(100000, 999999))  # expect: CWE-338
    return user.otp_code


def send_login_code(user: User) -> str:
    user.otp_code = f"{secrets.randbelow(1_000_000):06d}"  # secure: CWE-338
    return user.otp_code


def generate_temporary_password(length: int = 14) -> str:
    return "".join(random.choices(ALPHABET, k=length))  # expect: CWE-338


def pick_avatar_color() -> str:
    return random.choice(["teal", "amber", "violet"])  # secure: CWE-338


def gravatar_url(user: User) -> str:
    digest = hashlib.md5(user.email.strip().lower().encode()).hexdigest()  # secure: CWE-328
    return f"https://www.gravatar.com/avatar/{digest}"
