import os
import ssl
from pathlib import Path

import jwt
from flask import Flask, request, make_response
from werkzeug.utils import secure_filename

app = Flask(__name__)
BASE = Path("/srv/data")
UPLOADS = "/srv/uploads"


@app.route("/read")
def read():
    name = request.args["name"]
    path = os.path.join(UPLOADS, name)
    with open(path, "rb") as fh:
        return fh.read()


@app.route("/read2")
def read2():
    return (BASE / request.args["name"]).read_text()


@app.route("/save", methods=["POST"])
def save():
    f = request.files["file"]
    f.save(os.path.join(UPLOADS, f.filename))
    return "ok"


@app.route("/del", methods=["POST"])
def delete():
    os.remove(os.path.join(UPLOADS, request.form["name"]))
    return "ok"


def decode(token, key):
    return jwt.decode(token, key)


def ctx():
    context = ssl._create_unverified_context()
    return context


def ctx2():
    c = ssl.create_default_context()
    c.check_hostname = False
    c.verify_mode = ssl.CERT_NONE
    return c


@app.route("/login", methods=["POST"])
def login():
    resp = make_response("ok")
    resp.set_cookie("session", "abc", httponly=False)
    return resp
