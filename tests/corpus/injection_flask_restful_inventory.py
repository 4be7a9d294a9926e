"""Inventory API an assistant wrote with Flask-RESTful resources and a MethodView.

The resources take their values from the URL (`def get(self, sku)`), from `reqparse`, from the raw
body and from lists the handler fills, the shapes an assistant produces when asked for "a REST API
over my SQLite inventory with an export and a thumbnail endpoint".
"""

import os
import sqlite3
import subprocess

import jsonpickle
from flask import Flask, request
from flask.views import MethodView
from flask_restful import Api, Resource, reqparse

app = Flask(__name__)
api = Api(app)
DB_PATH = os.environ.get("INVENTORY_DB", "inventory.db")
EXPORT_DIR = "/srv/exports"

item_parser = reqparse.RequestParser()
item_parser.add_argument("name", required=True)
item_parser.add_argument("image")


def db():
    return sqlite3.connect(DB_PATH)


class Item(Resource):
    def get(self, sku):
        row = db().execute(f"SELECT * FROM items WHERE sku = '{sku}'").fetchone()  # expect: CWE-89
        safe = db().execute("SELECT * FROM items WHERE sku = ?", (sku,)).fetchone()  # secure: CWE-89
        return {"item": row, "same": safe}

    def put(self, sku):
        args = item_parser.parse_args()
        conn = db()
        conn.execute("UPDATE items SET name = ? WHERE sku = ?", (args["name"], sku))  # secure: CWE-89
        conn.commit()
        return {"ok": True}


class Thumbnail(Resource):
    def post(self, sku):
        args = item_parser.parse_args()
        out = subprocess.getoutput("convert " + args["image"] + " -resize 64x64 thumb.png")  # expect: CWE-78
        subprocess.run(["convert", args["image"], "-resize", "64x64", f"{sku}.png"], check=True)  # secure: CWE-78
        return {"out": out}


class Columns(Resource):
    def get(self):
        cols = ["sku"]
        cols.append(request.args.get("extra", "name"))
        rows = db().execute("SELECT %s FROM items" % ", ".join(cols)).fetchall()  # expect: CWE-89
        return {"rows": rows}


class Restore(Resource):
    def post(self):
        state = jsonpickle.decode(request.get_data(as_text=True))  # expect: CWE-502
        return {"restored": len(state)}


class ExportFile(MethodView):
    def get(self, name):
        with open(os.path.join(EXPORT_DIR, name)) as fh:  # expect: CWE-22
            return fh.read()


api.add_resource(Item, "/items/<sku>")
api.add_resource(Thumbnail, "/items/<sku>/thumbnail")
api.add_resource(Columns, "/items/columns")
api.add_resource(Restore, "/restore")
app.add_url_rule("/exports/<name>", view_func=ExportFile.as_view("export"))
