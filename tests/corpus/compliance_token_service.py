"""A token and short-link service an assistant wrote for a Flask app: JWT sessions and obfuscated ids."""

import os
from datetime import datetime, timedelta, timezone

import jwt
from flask import current_app
from hashids import Hashids

SIGNING_KEY = os.environ["JWT_SIGNING_KEY"]


def issue_session_leaky(user) -> str:
    claims = {"sub": str(user.id), "email": user.email, "password": user.password}  # expect: CWE-522
    claims["exp"] = datetime.now(timezone.utc) + timedelta(minutes=30)
    return jwt.encode(claims, SIGNING_KEY, algorithm="HS256")


def issue_session(user) -> str:
    claims = {"sub": str(user.id), "role": user.role, "exp": datetime.now(timezone.utc) + timedelta(minutes=30)}  # secure: CWE-522
    return jwt.encode(claims, SIGNING_KEY, algorithm="HS256")


def short_link_encoder_leaky() -> Hashids:
    return Hashids(salt=current_app.config["SECRET_KEY"], min_length=8)  # expect: CWE-327


def short_link_encoder() -> Hashids:
    return Hashids(salt=os.environ["HASHIDS_SALT"], min_length=8)  # secure: CWE-327
