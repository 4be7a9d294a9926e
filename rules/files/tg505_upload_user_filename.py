"""TG505: an uploaded file saved under the name the client sent."""

from __future__ import annotations

import ast

from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.files._flow import remote_taint
from tabguard.rules.files._paths import secure_filename_fix
from tabguard.rules.files._uploads import upload_source
from tabguard.rules._spelling import WEB_APP


class UploadUserFilename(Rule):
    id = "TG505"
    name = "upload-user-filename"
    severity = "high"
    confidence = "high"
    cwe = (22, 434)
    owasp = "A01:2025"
    message = "Uploaded file saved under a client-chosen name ({source}); pass it through `secure_filename`"
    placeholders = {"source": "request.files"}
    call_names = frozenset({"save"})
    what = (
        "An uploaded file is saved at a path built from request data ({source}), typically the "
        "`filename` the client sent, without reducing it to a safe bare name."
    )
    why = (
        "The upload's file name is an arbitrary string chosen by the client. Saving "
        "`os.path.join(UPLOAD_DIR, file.filename)` with the name `../app/templates/index.html`, "
        "`../../home/app/.bashrc` or `/etc/cron.d/job` writes the attacker's content over templates, "
        "code or scheduled jobs, which usually ends in code execution; a name like `shell.php` or "
        "`x.html` placed in a served folder is executed or rendered for other users."
    )
    how = (
        "Pass the name through `werkzeug.utils.secure_filename` (and reject it when the result is "
        "empty), or better, store the file under a name you generate (`uuid4().hex` plus a checked "
        "extension) and keep the original name only as data. Also check the extension against an "
        "allow-list (TG506) and cap the request size (`MAX_CONTENT_LENGTH`)."
    )
    example = (
        "filename = secure_filename(file.filename)\n"
        "if not filename or not allowed_file(filename):\n"
        "    abort(400)\n"
        "file.save(os.path.join(UPLOAD_DIR, filename))"
    )
    fix_safety = (
        "Unsafe (changes behaviour on purpose): the client's name is wrapped in `secure_filename(...)`, "
        "which drops directory parts and unusual characters, so stored names can differ from the sent "
        "ones, and a name made only of such characters becomes empty; reject empty names. Offered only "
        "when the project declares `werkzeug` (or has no dependency files), or the module already "
        "imports from `werkzeug.utils`: a rewrite never imports an undeclared package."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/434.html",
        "https://cwe.mitre.org/data/definitions/22.html",
        "https://flask.palletsprojects.com/en/stable/patterns/fileuploads/",
        "https://werkzeug.palletsprojects.com/en/stable/utils/#werkzeug.utils.secure_filename",
    )
    VALID = (
        "import os\nfrom flask import request\nfrom werkzeug.utils import secure_filename\n@app.post('/u')\ndef u():\n"
        "    f = request.files['file']\n    f.save(os.path.join(UPLOAD_DIR, secure_filename(f.filename)))\n",
        "import os, uuid\nfrom flask import request\n@app.post('/u')\ndef u():\n"
        "    f = request.files['file']\n    f.save(os.path.join(UPLOAD_DIR, uuid.uuid4().hex + '.png'))\n",
        "from flask import request\n@app.post('/u')\ndef u():\n    user = load_user()\n    user.save()\n",
    )
    INVALID = (
        Invalid(
            "import os\nfrom flask import request\n@app.post('/u')\ndef u():\n    f = request.files['file']\n"
            "    f.save(os.path.join(UPLOAD_DIR, f.filename))\n",
            "import werkzeug.utils\nimport os\nfrom flask import request\n@app.post('/u')\ndef u():\n    f = request.files['file']\n"
            "    f.save(os.path.join(UPLOAD_DIR, werkzeug.utils.secure_filename(f.filename)))\n",
            path=WEB_APP,
        ),
        Invalid(
            "import os\nfrom flask import request\n@app.post('/u')\ndef u():\n    f = request.files['file']\n"
            "    f.save(os.path.join(UPLOAD_DIR, f.filename))\n",
        ),
        Invalid(
            "from flask import request\nfrom werkzeug.utils import secure_filename\n@app.post('/u')\ndef u():\n"
            "    upload = request.files.get('doc')\n    path = f'{UPLOAD_DIR}/{upload.filename}'\n    upload.save(path)\n",
            "from flask import request\nfrom werkzeug.utils import secure_filename\n@app.post('/u')\ndef u():\n"
            "    upload = request.files.get('doc')\n    path = f'{UPLOAD_DIR}/{secure_filename(upload.filename)}'\n    upload.save(path)\n",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr == "save" and node.args):
            return
        if upload_source(ctx, func.value) is None:
            return
        destination = ctx.argument(node, 0, "dst")
        source = remote_taint(ctx, destination)
        if source is None:
            return
        ctx.report(self, destination, source=source, fix=secure_filename_fix(ctx, destination, whole=True))
