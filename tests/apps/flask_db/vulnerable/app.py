from flask import Flask, jsonify, request

from db import find_products

app = Flask(__name__)


@app.route("/products")
def products():
    category = request.args.get("category", "books")
    rows = find_products(category)
    return jsonify([{"id": r[0], "name": r[1], "price": r[2]} for r in rows])
