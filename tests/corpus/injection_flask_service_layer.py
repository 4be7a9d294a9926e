"""A Flask notes app an assistant split into a service class, WTForms forms and a CSV export.

Asked for "clean architecture", it moved file and HTTP access into `NoteStore` and `Fetcher`, so
the request data reaches the sinks through method calls on a module-level instance.
"""

import csv
import io
import os
import sqlite3

import requests
from flask import Flask, render_template_string, request, send_from_directory
from flask_wtf import FlaskForm
from wtforms import StringField

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
NOTES_DIR = "/srv/notes"


class NoteForm(FlaskForm):
    title = StringField("title")


class NoteStore:
    def __init__(self, folder):
        self.folder = folder

    def read(self, name):
        with open(os.path.join(self.folder, name)) as fh:  # reported where request data is passed
            return fh.read()


class Fetcher:
    @staticmethod
    def preview(url):
        return requests.get(url, timeout=5).text  # reported where request data is passed


store = NoteStore(NOTES_DIR)


@app.route("/notes/<name>")
def show_note(name):
    return store.read(name)  # expect: CWE-22


@app.route("/notes", methods=["POST"])
def open_note():
    form = NoteForm()
    if form.validate_on_submit():
        return store.read(form.title.data)  # expect: CWE-22
    return "invalid", 400


@app.route("/preview")
def preview():
    return Fetcher.preview(request.args["url"])  # expect: CWE-918


@app.route("/hello")
def hello():
    name = request.args.get("name", "")
    page = render_template_string("<p>Hello {{ name|safe }}</p>", name=name)  # expect: CWE-79
    plain = render_template_string("<p>Hello {{ name }}</p>", name=name)  # secure: CWE-79
    return page + plain


@app.route("/attachments/<path:folder>/<name>")
def attachment(folder, name):
    return send_from_directory(folder, name)  # expect: CWE-22


@app.route("/export", methods=["POST"])
def export():
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["title", request.form["title"]])  # expect: CWE-1236
    writer.writerow(["exported", "yes"])  # secure: CWE-1236
    return out.getvalue()


@app.route("/login", methods=["POST"])
def login():
    username = request.form["username"]
    password = request.form["password"]
    conn = sqlite3.connect("notes.db")
    row = conn.execute(
        "SELECT id FROM users WHERE username = ? AND password = ?",
        (username, password),  # expect: CWE-256
    ).fetchone()
    return {"ok": row is not None}
