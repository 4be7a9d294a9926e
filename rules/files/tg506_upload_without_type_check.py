"""TG506: an upload stored without any check of its type."""

from __future__ import annotations

import ast
import re

from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.files._uploads import STORE_CALL_NAMES, stored_upload

# Names that show the handler looks at the file's type: extension allow-lists, MIME or magic checks,
# image verification, or a validation helper.
_TYPE_CHECK = re.compile(
    r"(?i)(allowed|(^|_)exts?($|_)|extension|splitext|suffix|mimetype|mime_type|content_type|guess_type|"
    r"imghdr|magic|filetype|endswith|validat|verify)"
)


class UploadWithoutTypeCheck(Rule):
    id = "TG506"
    name = "upload-without-type-check"
    severity = "medium"
    confidence = "medium"
    cwe = (434,)
    owasp = "A06:2025"
    message = "Uploaded file stored without checking its type (no extension allow-list or content check)"
    what = (
        "The handler stores an uploaded file ({source}) but never looks at what kind of file it is: no "
        "extension allow-list, MIME type or content check appears before it is saved."
    )
    why = (
        "Whatever the client sends is kept: a `.html` or `.svg` file served back from the upload folder "
        "runs script in other users' sessions, a `.php`/`.jsp` file in a folder the web server executes "
        "becomes a web shell, and a `.py` or `.pth` file dropped into a path Python imports from runs "
        "on the next start. An avatar endpoint should accept images, not anything."
    )
    how = (
        "Accept only the extensions the feature needs (`ALLOWED = {{'png', 'jpg'}}` and "
        "`filename.rsplit('.', 1)[-1].lower() in ALLOWED`), check the content where it matters "
        "(`PIL.Image.open(f).verify()`, `python-magic`), store under a generated name outside the "
        "served tree, and cap the size (`app.config['MAX_CONTENT_LENGTH']`)."
    )
    example = (
        "ALLOWED = {'png', 'jpg', 'jpeg', 'gif'}\n"
        "def allowed_file(name):\n"
        "    return '.' in name and name.rsplit('.', 1)[1].lower() in ALLOWED\n\n"
        "if not allowed_file(file.filename):\n"
        "    abort(400)\n"
        "file.save(os.path.join(UPLOAD_DIR, secure_filename(file.filename)))"
    )
    references = (
        "https://cwe.mitre.org/data/definitions/434.html",
        "https://cheatsheetseries.owasp.org/cheatsheets/File_Upload_Cheat_Sheet.html",
        "https://flask.palletsprojects.com/en/stable/patterns/fileuploads/",
    )
    placeholders = {"source": "request.files"}
    call_names = STORE_CALL_NAMES
    VALID = (
        "import os\nfrom flask import request, abort\nfrom werkzeug.utils import secure_filename\n@app.post('/u')\ndef u():\n"
        "    f = request.files['file']\n    if not allowed_file(f.filename):\n        abort(400)\n"
        "    f.save(os.path.join(UPLOAD_DIR, secure_filename(f.filename)))\n",
        "import shutil\nfrom fastapi import UploadFile, HTTPException\n@app.post('/u')\nasync def u(file: UploadFile):\n"
        "    if file.content_type not in ('image/png', 'image/jpeg'):\n        raise HTTPException(415)\n"
        "    with open(f'/srv/u/{uuid4().hex}.png', 'wb') as out:\n        shutil.copyfileobj(file.file, out)\n",
        "def store(f, path):\n    f.save(path)\n",
    )
    INVALID = (
        Invalid(
            "import os\nfrom flask import request\nfrom werkzeug.utils import secure_filename\n@app.post('/u')\ndef u():\n"
            "    f = request.files['file']\n    f.save(os.path.join(UPLOAD_DIR, secure_filename(f.filename)))\n"
        ),
        Invalid(
            "from fastapi import UploadFile\n@app.post('/u')\nasync def u(file: UploadFile):\n"
            "    with open(f'/srv/u/{uuid4().hex}', 'wb') as out:\n        out.write(await file.read())\n"
        ),
        # a file sent as base64 inside JSON, decoded and stored
        Invalid(
            "import base64\nfrom flask import request\n@app.post('/avatar')\ndef avatar():\n"
            "    data = base64.b64decode(request.json['image'])\n"
            "    with open(f'/srv/avatars/{current_user.id}', 'wb') as out:\n        out.write(data)\n"
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        source = stored_upload(ctx, node)
        if source is None or _checks_type(ctx.function):
            return
        ctx.report(self, node, details={"source": source.label}, source=source)


def _checks_type(func) -> bool:
    if func is None:
        return False
    for node in ast.walk(func):
        if isinstance(node, ast.Name) and _TYPE_CHECK.search(node.id):
            return True
        if isinstance(node, ast.Attribute) and _TYPE_CHECK.search(node.attr):
            return True
    return False
