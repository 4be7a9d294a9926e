"""Invoicing service: a small Flask app with guarded and unguarded routes (sample for `tabguard surface`)."""

from datetime import timedelta
from functools import wraps

import stripe
from flask import Flask, abort, jsonify, request
from flask_login import LoginManager, current_user, login_required
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=12)
db = SQLAlchemy(app)
login_manager = LoginManager(app)


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(255), unique=True, nullable=False)
    is_admin = db.Column(db.Boolean, default=False)
    stripe_id = db.Column(db.String(64))


class Invoice(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    owner_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False)
    amount_cents = db.Column(db.Integer, nullable=False)
    paid = db.Column(db.Boolean, default=False)

    def to_dict(self):
        return {"id": self.id, "amount_cents": self.amount_cents, "paid": self.paid}


def admin_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated or not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


@app.get("/health")
def health():
    return {"status": "ok"}


@app.get("/invoices")
@login_required
def list_invoices():
    invoices = Invoice.query.filter_by(owner_id=current_user.id).all()
    return jsonify([invoice.to_dict() for invoice in invoices])


@app.get("/invoices/<int:invoice_id>")
@login_required
def show_invoice(invoice_id):
    invoice = Invoice.query.get_or_404(invoice_id)
    return jsonify(invoice.to_dict())


@app.delete("/invoices/<int:invoice_id>")
@login_required
def delete_invoice(invoice_id):
    invoice = Invoice.query.filter_by(id=invoice_id, owner_id=current_user.id).first_or_404()
    db.session.delete(invoice)
    db.session.commit()
    return "", 204


@app.post("/invoices/<int:invoice_id>/mark-paid")
def mark_paid(invoice_id):
    Invoice.query.filter_by(id=invoice_id).update({"paid": True})
    db.session.commit()
    return "", 204


@app.post("/checkout")
@login_required
def checkout():
    amount = int(request.json["amount"])
    intent = stripe.PaymentIntent.create(amount=amount, currency="usd", customer=current_user.stripe_id)
    return {"client_secret": intent.client_secret}


@app.route("/admin/users/<int:user_id>/promote", methods=["POST"])
@login_required
def promote_user(user_id):
    user = db.session.get(User, user_id)
    user.is_admin = True
    db.session.commit()
    return "", 204


@app.get("/admin/reports")
@login_required
@admin_required
def admin_reports():
    total = db.session.query(db.func.sum(Invoice.amount_cents)).scalar()
    return {"total_cents": total}
