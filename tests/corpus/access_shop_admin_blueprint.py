"""Case study: an online shop whose admin API is protected only in the UI.

The templates show the "Admin" menu to staff only, so the assistant that wrote the admin endpoints
took the routes as protected. They hang off a Blueprint named `admin`, and nothing on the server checks
who calls them: a signed-in customer (or anyone, for the DELETE) can change prices and delete products.
"""

from flask import Blueprint, Flask, jsonify, render_template, request
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
    # The admin link is rendered for staff only: the only "protection" the admin API has.
    return render_template("index.html", show_admin=current_user.is_authenticated and current_user.is_staff)


@admin.route("/products", methods=["POST"])  # expect: CWE-285
@login_required
def create_product():
    data = request.get_json()
    product = Product(name=data["name"], price_cents=int(data["price_cents"]))
    db.session.add(product)
    db.session.commit()
    return jsonify(id=product.id), 201


@admin.route("/products/<int:product_id>/price", methods=["PUT"])  # expect: CWE-285
@login_required
def set_price(product_id):
    product = db.session.get(Product, product_id)
    product.price_cents = int(request.json["price_cents"])
    db.session.commit()
    return jsonify(id=product.id, price_cents=product.price_cents)


@admin.route("/products/<int:product_id>", methods=["DELETE"])  # expect: CWE-285
def delete_product(product_id):
    Product.query.filter_by(id=product_id).delete()
    db.session.commit()
    return "", 204


app.register_blueprint(admin)
