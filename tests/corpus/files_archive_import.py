"""Bulk import: users upload an archive of records that the worker unpacks and ingests."""

import os
import shutil
import tarfile
import tempfile
import zipfile

from flask import Flask, abort, request

app = Flask(__name__)
IMPORT_ROOT = "/srv/imports"


def unpack_backup(archive_path, dest):
    with tarfile.open(archive_path, "r:gz") as tar:
        tar.extractall(dest)  # expect: CWE-22


def unpack_backup_safely(archive_path, dest):
    with tarfile.open(archive_path, "r:gz") as tar:
        tar.extractall(dest, filter="data")  # secure: CWE-22


def unpack_bundle(archive_path, dest):
    with zipfile.ZipFile(archive_path) as zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            target = os.path.join(dest, info.filename)
            os.makedirs(os.path.dirname(target), exist_ok=True)  # expect: CWE-22
            with open(target, "wb") as out:
                out.write(zf.read(info))


def unpack_bundle_checked(archive_path, dest):
    root = os.path.realpath(dest)
    with zipfile.ZipFile(archive_path) as zf:
        for info in zf.infolist():
            target = os.path.realpath(os.path.join(root, info.filename))
            if os.path.commonpath([root, target]) != root:
                raise ValueError(f"unsafe path in archive: {info.filename}")
            if info.is_dir():
                os.makedirs(target, exist_ok=True)
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as out:  # secure: CWE-22
                out.write(zf.read(info))


def unpack_zip(archive_path, dest):
    # zipfile strips absolute paths and ".." components itself.
    with zipfile.ZipFile(archive_path) as zf:
        zf.extractall(dest)  # secure: CWE-22


@app.route("/imports", methods=["POST"])
def import_archive():
    upload = request.files.get("archive")
    if upload is None or not upload.filename.endswith((".tar.gz", ".zip")):
        abort(400)
    workdir = tempfile.mkdtemp(dir=IMPORT_ROOT)
    archive_path = os.path.join(workdir, "upload.bin")
    upload.save(archive_path)
    shutil.unpack_archive(archive_path, os.path.join(workdir, "data"), format="gztar")  # expect: CWE-22
    return {"status": "queued", "job": os.path.basename(workdir)}
