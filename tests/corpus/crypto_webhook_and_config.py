"""Settings and a Stripe-style webhook receiver, as an assistant scaffolded them."""

import hashlib
import hmac
import os
from datetime import datetime, timedelta, timezone

import jwt
from flask import Flask, abort, request

SECRET_KEY = "k9#Lq2!vX7@pR4$wZ8&nT1^bY6*mD3"  # expect: CWE-798
DATABASE_PASSWORD = os.environ["DATABASE_PASSWORD"]  # secure: CWE-798
AWS_ACCESS_KEY_ID = "AKIAZ4K7QW2NMX8RT5VB"  # expect: CWE-798
STRIPE_API_KEY = os.environ.get("STRIPE_API_KEY")  # secure: CWE-798
WEBHOOK_SECRET = os.environ["WEBHOOK_SECRET"].encode()
PASSWORD_RESET_TIMEOUT = 3600  # secure: CWE-798
API_KEY_HEADER = "X-API-Key"  # secure: CWE-798

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ["FLASK_SECRET_KEY"]  # secure: CWE-798


def issue_session_token(user_id: int) -> str:
    return jwt.encode({"sub": str(user_id)}, "my-jwt-secret", algorithm="HS256")  # expect: CWE-798


def issue_token(user_id: int) -> str:
    claims = {"sub": str(user_id), "exp": datetime.now(timezone.utc) + timedelta(minutes=15)}
    return jwt.encode(claims, os.environ["JWT_SIGNING_KEY"], algorithm="HS256")  # secure: CWE-798


def connect_db(host: str, password: str = "Pg_admin!2024"):  # expect: CWE-798
    raise NotImplementedError


@app.post("/webhooks/payments")
def payments_webhook():
    body = request.get_data()
    expected = hmac.new(WEBHOOK_SECRET, body, hashlib.sha256).hexdigest()
    if request.headers.get("X-Signature") == expected:  # expect: CWE-208
        return "", 204
    abort(401)


@app.post("/webhooks/billing")
def billing_webhook():
    body = request.get_data()
    expected = hmac.new(WEBHOOK_SECRET, body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(request.headers.get("X-Signature", ""), expected):  # secure: CWE-208
        abort(401)
    return "", 204


def legacy_signature(payload: bytes) -> str:
    signature = hashlib.md5(WEBHOOK_SECRET + payload).hexdigest()  # expect: CWE-328
    return signature


def export_cache_key(query: str) -> str:
    cache_key = hashlib.md5(query.encode()).hexdigest()  # secure: CWE-328
    return cache_key


def file_checksum(blob: bytes) -> str:
    return hashlib.sha1(blob, usedforsecurity=False).hexdigest()  # secure: CWE-328
