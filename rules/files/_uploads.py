"""Recognising uploaded files (Flask/Werkzeug FileStorage, Django UploadedFile, FastAPI UploadFile)
and the calls that store them."""

from __future__ import annotations

import ast
from typing import Optional

from tabguard.engine.taint import Source
from tabguard.rules.files._flow import remote_taint


# Decoders that turn a file sent inside JSON or a form field (`{"image": "<base64>"}`) back into bytes.
_DECODERS = frozenset({"b64decode", "urlsafe_b64decode", "standard_b64decode", "decodebytes", "a2b_base64"})


def upload_source(ctx, expr: ast.AST) -> Optional[Source]:
    """The source of `expr` when it is (part of) a file uploaded in this request: a multipart file, or
    request data decoded from base64."""
    decoded = _decoded_upload(ctx, expr)
    if decoded is not None:
        return decoded
    source = remote_taint(ctx, expr)
    if source is None:
        return None
    if "files" in source.label.lower():
        return source
    root = expr
    while isinstance(root, (ast.Attribute, ast.Subscript, ast.Call, ast.Await)):
        root = root.func if isinstance(root, ast.Call) else root.value
    if isinstance(root, ast.Name) and _annotated_upload(ctx.function, root.id):
        return source
    return None


def _decoded_upload(ctx, expr: ast.AST) -> Optional[Source]:
    values = (ctx.model.each_value(expr) or ()) if isinstance(expr, ast.Name) else (expr,)  # any branch
    return next(filter(None, (_decoded(ctx, value) for value in values)), None)


def _decoded(ctx, value: ast.AST) -> Optional[Source]:
    if (
        not isinstance(value, ast.Call)
        or not value.args
        or (ctx.call_name(value) or "").rpartition(".")[2] not in _DECODERS
    ):
        return None
    source = remote_taint(ctx, value.args[0])
    return Source(source.span, f"base64 file decoded from {source.label}") if source is not None else None


def _annotated_upload(func: Optional[ast.AST], name: str) -> bool:
    if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return False
    for arg in (*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs):
        if arg.arg == name and arg.annotation is not None:
            return "UploadFile" in ast.unparse(arg.annotation)
    return False


# The callee names (last part) of the calls `stored_upload` recognises.
STORE_CALL_NAMES = frozenset({"save", "write", "copyfileobj"})


def stored_upload(ctx, call: ast.Call) -> Optional[Source]:
    """The upload's source when `call` writes an uploaded file's content to storage:
    `upload.save(path)`, `storage.save(name, upload)`, `shutil.copyfileobj(upload.file, out)`,
    `out.write(await upload.read())`, `out.write(chunk)` for a chunk of an upload."""
    func = call.func
    if not call.args:
        return None
    if isinstance(func, ast.Attribute) and func.attr == "save":
        return upload_source(ctx, func.value) or (upload_source(ctx, call.args[1]) if len(call.args) > 1 else None)
    if ctx.call_name(call) == "shutil.copyfileobj" or (isinstance(func, ast.Attribute) and func.attr == "write"):
        return upload_source(ctx, call.args[0])
    return None
