"""Token-authenticated JSON API of the invoicing service, on a blueprint with a prefix."""

import jwt
from flask import Blueprint, abort, current_app, g, request

api = Blueprint("api", __name__, url_prefix="/api/v1")


@api.before_request
def authenticate():
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        abort(401)
    g.user_id = jwt.decode(header[7:], current_app.config["SECRET_KEY"], algorithms=["HS256"])["sub"]


@api.get("/invoices/<int:invoice_id>")
def api_invoice(invoice_id):
    from app import Invoice

    invoice = Invoice.query.filter_by(id=invoice_id, owner_id=g.user_id).first_or_404()
    return invoice.to_dict()
