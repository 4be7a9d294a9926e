"""TG502: a file-download response built from a user-controlled path."""

from __future__ import annotations

import ast
from typing import Optional

import libcst as cst

from tabguard.engine.fixes import chain, delete_statement, expression_fix, expressions_fix, replace_callee
from tabguard.engine.rule import Invalid, Rule
from tabguard.rules._spelling import spell
from tabguard.rules.files._flow import remote_taint
from tabguard.rules.injection._rewrite import reads_only, replace_arguments, sole_assignment
from tabguard.rules.injection._strings import source_of

_FLASK_SEND_FILE = frozenset({"flask.send_file", "flask.helpers.send_file", "quart.send_file"})
_FILE_RESPONSES = _FLASK_SEND_FILE | {
    "werkzeug.utils.send_file",
    "starlette.responses.FileResponse",
    "fastapi.responses.FileResponse",
    "aiohttp.web.FileResponse",
}
_JOIN = frozenset({"os.path.join", "posixpath.join"})
# `send_from_directory(directory, path)` keeps `path` inside `directory`, which must be the code's own.
_FROM_DIRECTORY = frozenset(
    {"flask.send_from_directory", "flask.helpers.send_from_directory", "quart.send_from_directory"}
)


class SendFileUserPath(Rule):
    id = "TG502"
    name = "send-file-user-path"
    severity = "high"
    confidence = "medium"
    cwe = (22,)
    owasp = "A01:2025"
    message = "`{callee}` serves a user-controlled path ({source}); use `send_from_directory` or check containment"
    placeholders = {"callee": "send_file", "source": "request.args"}
    call_names = frozenset(name.rpartition(".")[2] for name in _FILE_RESPONSES | _FROM_DIRECTORY)
    what = (
        "`{callee}` sends whatever file its path names, and that path is built from request data "
        "({source}) without a check that it stays in the download directory."
    )
    why = (
        "A download route such as `send_file(os.path.join(DOCS, name))` with `name` taken from the URL "
        "lets a client request `../../app/config.py`, `../.env` or `/etc/passwd` (an absolute name makes "
        "`os.path.join` drop the base entirely) and receive the application's source code and secrets."
    )
    how = (
        "In Flask use `send_from_directory(DOCS, name)`: it joins the name safely and answers 404 for "
        "anything outside `DOCS`. With Starlette/FastAPI `FileResponse`, resolve the path and refuse it "
        "unless `path.is_relative_to(DOCS)`, or serve a fixed set of files from an allow-list."
    )
    example = "@app.route('/docs/<name>')\ndef docs(name):\n    return send_from_directory(DOCS_DIR, name)"
    fix_safety = (
        "Unsafe (changes behaviour on purpose): `send_file(os.path.join(DIR, name))` becomes "
        "`send_from_directory(DIR, name)`; requests for names that leave `DIR` now get a 404. The "
        "rewrite is offered only for Flask's `send_file` with a two-part `os.path.join`, written in the "
        "call or in a variable assigned once (the assignment goes when the call was its only use)."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/22.html",
        "https://flask.palletsprojects.com/en/stable/api/#flask.send_from_directory",
        "https://owasp.org/www-community/attacks/Path_Traversal",
    )
    VALID = (
        "from flask import send_from_directory\n@app.route('/d/<name>')\ndef d(name):\n"
        "    return send_from_directory('/srv/docs', name)\n",
        "import os\nfrom flask import send_file\nfrom werkzeug.utils import secure_filename\n"
        "@app.route('/d/<name>')\ndef d(name):\n"
        "    return send_file(os.path.join('/srv/docs', secure_filename(name)))\n",
        "from pathlib import Path\nfrom fastapi import HTTPException\nfrom fastapi.responses import FileResponse\n"
        "DOCS = Path('/srv/docs')\n@app.get('/d/{name}')\ndef d(name: str):\n"
        "    path = (DOCS / name).resolve()\n    if not path.is_relative_to(DOCS):\n"
        "        raise HTTPException(404)\n    return FileResponse(path)\n",
        "from flask import send_file\n@app.route('/logo')\ndef logo():\n    return send_file('static/logo.png')\n",
    )
    INVALID = (
        Invalid(
            "import os\nfrom flask import request, send_file\n@app.route('/d')\ndef d():\n"
            "    return send_file(os.path.join(DOCS_DIR, request.args['name']), as_attachment=True)\n",
            "import os\nfrom flask import request, send_file, send_from_directory\n@app.route('/d')\ndef d():\n"
            "    return send_from_directory(DOCS_DIR, request.args['name'], as_attachment=True)\n",
        ),
        Invalid(
            "import os\nfrom flask import send_file, send_from_directory\n@app.route('/d/<name>')\ndef d(name):\n"
            "    return send_file(os.path.join('/srv/docs', name))\n",
            "import os\nfrom flask import send_file, send_from_directory\n@app.route('/d/<name>')\ndef d(name):\n"
            "    return send_from_directory('/srv/docs', name)\n",
        ),
        # The join in a variable the call alone uses: the assignment goes.
        Invalid(
            "import os\nfrom flask import request, send_file\n@app.route('/download')\ndef download():\n"
            "    path = os.path.join(UPLOAD_DIR, request.args.get('file'))\n    return send_file(path)\n",
            "import os\nfrom flask import request, send_file, send_from_directory\n@app.route('/download')\n"
            "def download():\n    return send_from_directory(UPLOAD_DIR, request.args.get('file'))\n",
        ),
        # Also checked for existence: the variable stays for the check.
        Invalid(
            "import os\nfrom flask import abort, send_file\n@app.route('/d/<name>')\ndef d(name):\n"
            "    file_path = os.path.join(app.config['UPLOAD_FOLDER'], name)\n    if not os.path.exists(file_path):\n"
            "        abort(404)\n    return send_file(file_path, as_attachment=True)\n",
            "import os\nfrom flask import abort, send_file, send_from_directory\n@app.route('/d/<name>')\ndef d(name):\n"
            "    file_path = os.path.join(app.config['UPLOAD_FOLDER'], name)\n    if not os.path.exists(file_path):\n"
            "        abort(404)\n    return send_from_directory(app.config['UPLOAD_FOLDER'], name, as_attachment=True)\n",
        ),
        Invalid(
            "from fastapi.responses import FileResponse\n@app.get('/d/{name}')\nasync def d(name: str):\n"
            "    return FileResponse(f'/srv/docs/{name}')\n"
        ),
        # The name stays inside the directory, but the client picks the directory.
        Invalid(
            "from flask import send_from_directory\n@app.route('/files/<path:folder>/<name>')\ndef files(folder, name):\n"
            "    return send_from_directory(folder, name)\n",
            message="directory the client chooses",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        callee = ctx.call_name(node) or ""
        if callee in _FROM_DIRECTORY:
            self._check_directory(node, ctx)
            return
        if callee not in _FILE_RESPONSES:
            return
        path = ctx.argument(node, 0, "path_or_file" if callee in _FLASK_SEND_FILE else "path")
        source = remote_taint(ctx, path)
        if source is None:
            return
        fix = _fix(ctx, node, path) if callee in _FLASK_SEND_FILE and len(node.args) == 1 else None
        ctx.report(self, node, details={"callee": callee.rpartition(".")[2]}, source=source, fix=fix)

    def _check_directory(self, node: ast.Call, ctx) -> None:
        source = remote_taint(ctx, ctx.argument(node, 0, "directory"))
        if source is not None:
            ctx.report(
                self,
                node,
                details={"callee": "send_from_directory"},
                source=source,
                message=f"`send_from_directory` serves from a directory the client chooses ({source.label}): "
                "path traversal",
            )


def _two_part_join(ctx, path: Optional[ast.expr]) -> bool:
    return (
        isinstance(path, ast.Call)
        and (ctx.call_name(path) or "") in _JOIN
        and len(path.args) == 2
        and not path.keywords
        and not any(isinstance(a, ast.Starred) for a in path.args)
    )


def _fix(ctx, call: ast.Call, path: Optional[ast.expr]):
    """`send_file(os.path.join(DIR, name))` -> `send_from_directory(DIR, name)`; also with the join
    in a variable (`path = os.path.join(DIR, name)` then `send_file(path)`), whose assignment goes
    when the call was its only use and stays for the other uses (an existence check) otherwise."""
    spelled = spell(ctx, "flask.send_from_directory")
    if spelled is None or path is None:
        return None
    name, imports = spelled
    title = "Fix: use send_from_directory"
    if _two_part_join(ctx, path):
        return expression_fix(ctx, call, _to_send_from_directory(name), title, safe=False, imports=imports)
    values = ctx.model.values(path) if isinstance(path, ast.Name) else None
    join = values[0] if values and len(values) == 1 else None
    if join is None or not _two_part_join(ctx, join):
        return None
    directory, filename = (source_of(a, ctx) for a in join.args)
    move = chain(replace_arguments(directory, [filename]), replace_callee(name))
    statement = sole_assignment(ctx, path, join)
    if statement is None:  # the values are read again at the call: only names and their items
        if not reads_only(join.args) or sole_assignment(ctx, path, join, only_use=False) is None:
            return None
        return expression_fix(ctx, call, move, title, safe=False, imports=imports)
    deleted = delete_statement(ctx, statement)
    if deleted is None:
        return None
    return expressions_fix(ctx, [(call, move)], title, safe=False, imports=imports, more=[deleted])


def _to_send_from_directory(name: str):
    func = cst.parse_expression(name)

    def transform(call: cst.BaseExpression) -> cst.BaseExpression:
        assert isinstance(call, cst.Call)
        join = call.args[0].value
        assert isinstance(join, cst.Call)
        directory, filename = join.args
        rest = list(call.args[1:])
        filename = filename.with_changes(comma=call.args[0].comma)
        return call.with_changes(func=func, args=[directory, filename, *rest])

    return transform
