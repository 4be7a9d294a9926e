"""Invoices API for a small SaaS: Flask + Flask-Login + SQLAlchemy, as an assistant would scaffold it."""

from flask import Flask, abort, jsonify, request
from flask_login import current_user, login_required
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
db = SQLAlchemy(app)


class Invoice(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    owner_id = db.Column(db.Integer, nullable=False)
    total_cents = db.Column(db.Integer, nullable=False)
    status = db.Column(db.String(20), default="open")


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    role = db.Column(db.String(20), default="member")


@app.get("/api/invoices/<int:invoice_id>")
@login_required
def get_invoice(invoice_id):
    invoice = Invoice.query.get_or_404(invoice_id)  # expect: CWE-639
    return jsonify(id=invoice.id, total_cents=invoice.total_cents, status=invoice.status)


@app.get("/api/v2/invoices/<int:invoice_id>")
@login_required
def get_invoice_v2(invoice_id):
    invoice = Invoice.query.filter_by(id=invoice_id, owner_id=current_user.id).first_or_404()  # secure: CWE-639
    return jsonify(id=invoice.id, total_cents=invoice.total_cents, status=invoice.status)


@app.put("/api/invoices/<int:invoice_id>/status")
@login_required
def update_status(invoice_id):
    invoice = db.session.get(Invoice, invoice_id)  # expect: CWE-639
    if invoice is None:
        abort(404)
    invoice.status = request.json["status"]
    db.session.commit()
    return jsonify(status=invoice.status)


@app.put("/api/v2/invoices/<int:invoice_id>/status")
@login_required
def update_status_v2(invoice_id):
    invoice = db.session.get(Invoice, invoice_id)  # secure: CWE-639
    if invoice is None or invoice.owner_id != current_user.id:
        abort(404)
    invoice.status = request.json["status"]
    db.session.commit()
    return jsonify(status=invoice.status)


@app.post("/api/admin/users/<int:user_id>/role")  # expect: CWE-285
@login_required
def set_role(user_id):
    user = User.query.get_or_404(user_id)
    user.role = request.json["role"]
    db.session.commit()
    return jsonify(role=user.role)


@app.post("/api/v2/admin/users/<int:user_id>/role")  # secure: CWE-285
@login_required
def set_role_v2(user_id):
    if current_user.role != "admin":
        abort(403)
    user = User.query.get_or_404(user_id)
    user.role = request.json["role"]
    db.session.commit()
    return jsonify(role=user.role)


@app.delete("/api/invoices/<int:invoice_id>")  # expect: CWE-306
def delete_invoice(invoice_id):
    Invoice.query.filter_by(id=invoice_id).delete()
    db.session.commit()
    return "", 204


@app.delete("/api/v2/invoices/<int:invoice_id>")  # secure: CWE-306
@login_required
def delete_invoice_v2(invoice_id):
    Invoice.query.filter_by(id=invoice_id, owner_id=current_user.id).delete()
    db.session.commit()
    return "", 204


@app.post("/api/invoices/<int:invoice_id>/void")
@login_required
def void_invoice(invoice_id):
    invoice = Invoice.query.filter_by(id=invoice_id, owner_id=current_user.id).first_or_404()
    assert current_user.role in ("admin", "billing"), "billing staff only"  # expect: CWE-617
    invoice.status = "void"
    db.session.commit()
    return "", 204
