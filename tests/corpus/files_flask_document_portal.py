"""Document portal: customers download their reports and upload supporting documents."""

import os

from flask import Flask, abort, jsonify, request, send_file, send_from_directory
from werkzeug.utils import secure_filename

app = Flask(__name__)
app.config["MAX_CONTENT_LENGTH"] = 16 * 1024 * 1024

REPORTS_DIR = "/srv/portal/reports"
UPLOAD_FOLDER = "/srv/portal/uploads"
ALLOWED_EXTENSIONS = {"pdf", "png", "jpg", "jpeg"}


def allowed_file(filename):
    return "." in filename and filename.rsplit(".", 1)[1].lower() in ALLOWED_EXTENSIONS


@app.route("/reports/download")
def download_report():
    """Download a generated report by name."""
    name = request.args.get("name", "")
    path = os.path.join(REPORTS_DIR, name)
    return send_file(path, as_attachment=True)  # expect: CWE-22


@app.route("/reports/<path:name>")
def download_report_safe(name):
    # send_from_directory refuses names that escape REPORTS_DIR.
    return send_from_directory(REPORTS_DIR, name, as_attachment=True)  # secure: CWE-22


@app.route("/reports/preview")
def preview_report():
    name = request.args["name"]
    full_path = os.path.realpath(os.path.join(REPORTS_DIR, name))
    if not full_path.startswith(os.path.realpath(REPORTS_DIR) + os.sep):
        abort(403)
    with open(full_path, encoding="utf-8") as fh:  # secure: CWE-22
        return jsonify(preview=fh.read(2000))


@app.route("/reports/raw")
def raw_report():
    filename = request.args.get("file")
    with open(os.path.join(REPORTS_DIR, filename)) as fh:  # expect: CWE-22
        return fh.read()


@app.route("/documents", methods=["POST"])
def upload_document():
    """Store a supporting document for the current case."""
    if "file" not in request.files:
        return jsonify(error="no file"), 400
    file = request.files["file"]
    if file.filename == "":
        return jsonify(error="empty filename"), 400
    file.save(os.path.join(UPLOAD_FOLDER, file.filename))  # expect: CWE-22
    return jsonify(status="uploaded"), 201


@app.route("/documents/safe", methods=["POST"])
def upload_document_safe():
    file = request.files.get("file")
    if file is None or not allowed_file(file.filename):
        abort(400)
    filename = secure_filename(file.filename)
    if not filename:
        abort(400)
    file.save(os.path.join(UPLOAD_FOLDER, filename))  # secure: CWE-434
    return jsonify(status="uploaded", name=filename), 201


@app.route("/avatars", methods=["POST"])
def upload_avatar():
    avatar = request.files["avatar"]
    filename = secure_filename(avatar.filename)
    avatar.save(os.path.join(UPLOAD_FOLDER, "avatars", filename))  # expect: CWE-434
    return jsonify(avatar=filename)


@app.route("/documents/<name>", methods=["DELETE"])
def delete_document(name):
    os.remove(os.path.join(UPLOAD_FOLDER, name))  # expect: CWE-22
    return "", 204


@app.route("/documents/<name>/safe", methods=["DELETE"])
def delete_document_safe(name):
    os.remove(os.path.join(UPLOAD_FOLDER, secure_filename(name)))  # secure: CWE-22
    return "", 204
