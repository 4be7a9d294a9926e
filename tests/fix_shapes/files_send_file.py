import os

from flask import Flask, abort, request, send_file

app = Flask(__name__)
UPLOAD_DIR = "/srv/uploads"


@app.route("/download")
def download():
    filename = request.args["file"]
    path = os.path.join(UPLOAD_DIR, filename)
    return send_file(path)


@app.route("/download2/<name>")
def download2(name):
    file_path = os.path.join(app.config["UPLOAD_FOLDER"], name)
    if not os.path.exists(file_path):
        abort(404)
    return send_file(file_path, as_attachment=True)


@app.route("/download3")
def download3():
    path = os.path.join(UPLOAD_DIR, request.args.get("f"))
    return send_file(path)
