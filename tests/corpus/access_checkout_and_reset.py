"""Checkout with Stripe and password reset links, from a Flask storefront."""

import redis
import stripe
from flask import Flask, abort, current_app, request
from flask_login import current_user, login_required
from itsdangerous import URLSafeTimedSerializer

app = Flask(__name__)
cache = redis.Redis(host="localhost", port=6379, db=0)


def serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


@app.post("/checkout")
@login_required
def checkout():
    data = request.get_json()
    amount = int(data["amount"])
    intent = stripe.PaymentIntent.create(
        amount=amount,  # expect: CWE-602
        currency="usd",
        customer=current_user.stripe_customer_id,
    )
    return {"client_secret": intent.client_secret}


@app.post("/v2/checkout")
@login_required
def checkout_v2():
    data = request.get_json()
    product = Product.query.get_or_404(data["product_id"])
    quantity = max(1, min(int(data["quantity"]), 10))
    intent = stripe.PaymentIntent.create(
        amount=product.price_cents * quantity,  # secure: CWE-602
        currency="usd",
        customer=current_user.stripe_customer_id,
    )
    return {"client_secret": intent.client_secret}


@app.post("/password/forgot")
def forgot_password():
    user = User.query.filter_by(email=request.form["email"]).first()
    if user is not None:
        token = serializer().dumps(user.email)
        cache.set(f"password_reset:{token}", user.id)  # expect: CWE-613
        cache.set(f"password_reset_v2:{token}", user.id, ex=900)  # secure: CWE-613
        send_reset_email(user.email, token)
    return {"ok": True}


@app.post("/password/reset/<token>")
def reset_password(token):
    email = serializer().loads(token)  # expect: CWE-613
    user = User.query.filter_by(email=email).first_or_404()
    user.set_password(request.form["password"])
    db.session.commit()
    return {"ok": True}


@app.post("/v2/password/reset/<token>")
def reset_password_v2(token):
    email = serializer().loads(token, max_age=900)  # secure: CWE-613
    if cache.get(f"password_reset_v2:{token}") is None:
        abort(400)
    user = User.query.filter_by(email=email).first_or_404()
    user.set_password(request.form["password"])
    db.session.commit()
    return {"ok": True}
