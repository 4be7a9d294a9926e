"""Case study, secure twin: the bank API with short-lived access tokens, refresh tokens that expire,
and the signing key read from the environment. Nothing here may be flagged."""

import os
import secrets
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import jwt
import redis
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from passlib.context import CryptContext
from pydantic import BaseModel
from slowapi import Limiter
from slowapi.util import get_remote_address

JWT_SECRET = os.environ["JWT_SECRET"]  # secure: CWE-798
ALGORITHM = "HS256"
ACCESS_TOKEN_MINUTES = 15
REFRESH_TOKEN_SECONDS = 60 * 60 * 24 * 7

app = FastAPI(title="Acme Bank API")
limiter = Limiter(key_func=get_remote_address)
app.state.limiter = limiter
cache = redis.Redis(host="cache", port=6379, password=os.environ["REDIS_PASSWORD"], ssl=True)
pwd_context = CryptContext(schemes=["bcrypt"], deprecated="auto")
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/token")


class Transfer(BaseModel):
    from_account: str
    to_account: str
    amount: Decimal


def create_access_token(customer_id: int) -> str:
    now = datetime.now(tz=timezone.utc)
    claims = {"sub": str(customer_id), "scope": "accounts:write", "iat": now, "exp": now + timedelta(minutes=ACCESS_TOKEN_MINUTES)}
    return jwt.encode(claims, JWT_SECRET, algorithm=ALGORITHM)  # secure: CWE-613


def create_refresh_token(customer_id: int) -> str:
    token = secrets.token_urlsafe(32)
    cache.set(f"refresh:{token}", customer_id, ex=REFRESH_TOKEN_SECONDS)  # secure: CWE-613
    return token


def current_customer(token: str = Depends(oauth2_scheme)) -> dict:
    try:
        claims = jwt.decode(token, JWT_SECRET, algorithms=[ALGORITHM])  # secure: CWE-613
    except jwt.PyJWTError:
        raise HTTPException(status_code=401, detail="Invalid token")
    return {"id": int(claims["sub"])}


@app.post("/auth/token")
@limiter.limit("5/minute")
def login(request: Request, form: OAuth2PasswordRequestForm = Depends()):
    customer = find_customer(form.username)
    if customer is None or not pwd_context.verify(form.password, customer.password_hash):
        raise HTTPException(status_code=401, detail="Incorrect username or password")
    return {
        "access_token": create_access_token(customer.id),
        "refresh_token": create_refresh_token(customer.id),
        "token_type": "bearer",
    }


@app.post("/auth/refresh")
def refresh(refresh_token: str):
    customer_id = cache.getdel(f"refresh:{refresh_token}")
    if customer_id is None:
        raise HTTPException(status_code=401, detail="Invalid refresh token")
    return {
        "access_token": create_access_token(int(customer_id)),
        "refresh_token": create_refresh_token(int(customer_id)),
        "token_type": "bearer",
    }


@app.post("/transfers")
def transfer(body: Transfer, customer: dict = Depends(current_customer)):
    account = find_account(body.from_account, owner_id=customer["id"])
    if account is None:
        raise HTTPException(status_code=404, detail="Account not found")
    return move_money(account, body.to_account, body.amount)


def find_customer(username: str):
    ...


def find_account(number: str, owner_id: int):
    ...


def move_money(account, to_account: str, amount: Decimal) -> dict:
    ...
