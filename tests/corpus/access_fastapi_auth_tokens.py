"""Token issuing and checking for a FastAPI backend (PyJWT for access tokens, python-jose for a partner API)."""

import datetime
import os

import jwt
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import OAuth2PasswordBearer
from jose import jwt as jose_jwt

SECRET_KEY = os.environ["JWT_SECRET"]
PARTNER_PUBLIC_KEY = os.environ["PARTNER_PUBLIC_KEY"]
ALGORITHM = "HS256"
ACCESS_TOKEN_EXPIRE_MINUTES = 60 * 24 * 365  # expect: CWE-613
REFRESH_TOKEN_EXPIRE_DAYS = 30  # secure: CWE-613

app = FastAPI()
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")


def create_access_token(user_id: int, role: str) -> str:
    payload = {"sub": str(user_id), "role": role}
    return jwt.encode(payload, SECRET_KEY, algorithm=ALGORITHM)  # expect: CWE-613


def create_access_token_v2(user_id: int, role: str) -> str:
    expires = datetime.datetime.now(tz=datetime.timezone.utc) + datetime.timedelta(minutes=15)
    payload = {"sub": str(user_id), "role": role, "exp": expires}
    return jwt.encode(payload, SECRET_KEY, algorithm=ALGORITHM)  # secure: CWE-613


def create_session_token(user) -> str:
    claims = {
        "sub": str(user.id),
        "email": user.email,
        "password_hash": user.password_hash,  # expect: CWE-522
        "exp": datetime.datetime.now(tz=datetime.timezone.utc) + datetime.timedelta(minutes=15),
    }
    return jwt.encode(claims, SECRET_KEY, algorithm=ALGORITHM)


def read_claims(token: str) -> dict:
    return jwt.decode(token, SECRET_KEY, algorithms=[ALGORITHM], options={"verify_signature": False})  # expect: CWE-347


def read_claims_v2(token: str) -> dict:
    return jwt.decode(token, SECRET_KEY, algorithms=[ALGORITHM])  # secure: CWE-347


def read_partner_claims(token: str) -> dict:
    return jose_jwt.decode(token, PARTNER_PUBLIC_KEY)  # expect: CWE-347


def read_partner_claims_v2(token: str) -> dict:
    return jose_jwt.decode(token, PARTNER_PUBLIC_KEY, algorithms=["RS256"])  # secure: CWE-347


def get_current_user(token: str = Depends(oauth2_scheme)) -> dict:
    try:
        return read_claims_v2(token)
    except jwt.PyJWTError:
        raise HTTPException(status_code=401, detail="Invalid token")
