"""Case study, secure twin: the shop's admin API checks the role on the server, once for the whole
Blueprint named `admin`, whatever the templates show. Nothing here may be flagged."""

from flask import Blueprint, Flask, abort, jsonify, render_template, request
from flask_login import current_user, login_required
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
db = SQLAlchemy(app)
admin = Blueprint("admin", __name__, url_prefix="/api/admin")


class Product(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(120), nullable=False)
    price_cents = db.Column(db.Integer, nullable=False)


@app.get("/")
def storefront():
    return render_template("index.html", show_admin=current_user.is_authenticated and current_user.is_staff)


@admin.before_request
@login_required
def require_staff():
    if not current_user.is_staff:
        abort(403)


@admin.route("/products", methods=["POST"])  # secure: CWE-285
def create_product():
    data = request.get_json()
    product = Product(name=data["name"], price_cents=int(data["price_cents"]))
    db.session.add(product)
    db.session.commit()
    return jsonify(id=product.id), 201


@admin.route("/products/<int:product_id>/price", methods=["PUT"])  # secure: CWE-285
def set_price(product_id):
    product = db.get_or_404(Product, product_id)
    product.price_cents = int(request.json["price_cents"])
    db.session.commit()
    return jsonify(id=product.id, price_cents=product.price_cents)


@admin.route("/products/<int:product_id>", methods=["DELETE"])  # secure: CWE-285
def delete_product(product_id):
    Product.query.filter_by(id=product_id).delete()
    db.session.commit()
    return "", 204


app.register_blueprint(admin)
