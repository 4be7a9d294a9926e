"""Case study: a small bank's mobile API (FastAPI + PyJWT + Redis) whose tokens never expire.

Written the way an assistant answers "add login and a transfer endpoint to my banking API": the
access token carries no `exp`, the refresh token is stored with no TTL, and the key that signs
every token is a placeholder that was never replaced.
"""

import secrets
from decimal import Decimal

import jwt
import redis
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from passlib.context import CryptContext
from pydantic import BaseModel

JWT_SECRET = "bank-api-secret-change-me"  # expect: CWE-798
ALGORITHM = "HS256"

app = FastAPI(title="Acme Bank API")
cache = redis.Redis(host="cache", port=6379)
pwd_context = CryptContext(schemes=["bcrypt"], deprecated="auto")
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/auth/token")


class Transfer(BaseModel):
    from_account: str
    to_account: str
    amount: Decimal


def create_access_token(customer_id: int) -> str:
    claims = {"sub": str(customer_id), "scope": "accounts:write"}
    return jwt.encode(claims, JWT_SECRET, algorithm=ALGORITHM)  # expect: CWE-613


def create_refresh_token(customer_id: int) -> str:
    token = secrets.token_urlsafe(32)
    cache.set(f"refresh:{token}", customer_id)  # expect: CWE-613
    return token


def current_customer(token: str = Depends(oauth2_scheme)) -> dict:
    try:
        claims = jwt.decode(token, JWT_SECRET, algorithms=[ALGORITHM], options={"verify_exp": False})  # expect: CWE-613
    except jwt.PyJWTError:
        raise HTTPException(status_code=401, detail="Invalid token")
    return {"id": int(claims["sub"])}


@app.post("/auth/token")  # expect: CWE-307
def login(form: OAuth2PasswordRequestForm = Depends()):
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
    customer_id = cache.get(f"refresh:{refresh_token}")
    if customer_id is None:
        raise HTTPException(status_code=401, detail="Invalid refresh token")
    return {"access_token": create_access_token(int(customer_id)), "token_type": "bearer"}


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
