"""TG504: files written at paths taken from archive member names (zip slip)."""

from __future__ import annotations

import ast
import re
from typing import Iterator

from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.files._flow import remote_taint
from tabguard.rules.files._members import checks_containment, dotted
from tabguard.rules.files._paths import OPEN, PATH_FUNCTIONS, opens_for_writing, path_arguments

# Archive methods that list members: names (namelist, getnames) or info objects (infolist, getmembers).
_LISTINGS = frozenset({"namelist", "infolist", "getmembers", "getnames"})
_NAME_ATTRS = frozenset({"filename", "name", "path", "orig_filename"})
_CLEANERS = re.compile(r"(^|\.)(basename|secure_filename)$")
_READ_ONLY = frozenset({"os.listdir", "os.scandir"})


class ArchiveMemberPath(Rule):
    id = "TG504"
    name = "archive-member-path"
    severity = "high"
    confidence = "medium"
    cwe = (22,)
    quiet_in_tests = True
    owasp = "A08:2025"
    message = (
        "File written at a path taken from an archive member name (`{member}`) without a containment check (zip slip)"
    )
    placeholders = {"member": "info.filename"}
    what = (
        "The loop over an archive's members builds an output path from each member's stored name "
        "(`{member}`) and writes there, without checking that the path stays in the destination."
    )
    why = (
        "Member names are whatever the archive's author wrote: `../../app/templates/base.html` or "
        '`/etc/cron.d/x`. Joining them onto the destination and opening the result for writing ("zip '
        'slip") lets an uploaded archive overwrite templates, code or keys outside the extraction '
        "directory; `zipfile.extract` strips such names, but hand-written extraction loops do not."
    )
    how = (
        'Let the library extract (`zf.extract(info, dest)`, or `tar.extractall(dest, filter="data")`), '
        "or resolve each target and skip or reject it unless it stays inside the destination: "
        "`target = (dest / info.filename).resolve()` then `if not target.is_relative_to(dest): raise`. "
        "Flattening with `os.path.basename(info.filename)` also works when sub-folders do not matter."
    )
    example = (
        "for info in zf.infolist():\n"
        "    target = (dest / info.filename).resolve()\n"
        "    if not target.is_relative_to(dest):\n"
        "        raise ValueError(f'unsafe member {info.filename}')\n"
        "    target.write_bytes(zf.read(info))"
    )
    references = (
        "https://cwe.mitre.org/data/definitions/22.html",
        "https://security.snyk.io/research/zip-slip-vulnerability",
        "https://docs.python.org/3/library/zipfile.html#zipfile.ZipFile.extract",
    )
    VALID = (
        "import os, zipfile\nwith zipfile.ZipFile(src) as zf:\n    for info in zf.infolist():\n"
        "        target = os.path.realpath(os.path.join(dest, info.filename))\n"
        "        if not target.startswith(os.path.realpath(dest) + os.sep):\n            raise ValueError(info.filename)\n"
        "        with open(target, 'wb') as out:\n            out.write(zf.read(info))\n",
        "import os, zipfile\nwith zipfile.ZipFile(src) as zf:\n    for name in zf.namelist():\n"
        "        with open(os.path.join(dest, os.path.basename(name)), 'wb') as out:\n            out.write(zf.read(name))\n",
        "import zipfile\nwith zipfile.ZipFile(src) as zf:\n    for info in zf.infolist():\n        zf.extract(info, dest)\n",
        "import os, zipfile\nwith zipfile.ZipFile(src) as zf:\n    for name in zf.namelist():\n"
        "        print(name, os.path.join(dest, name))\n",
    )
    INVALID = (
        Invalid(
            "import os, zipfile\nwith zipfile.ZipFile(src) as zf:\n    for info in zf.infolist():\n"
            "        target = os.path.join(dest, info.filename)\n"
            "        os.makedirs(os.path.dirname(target), exist_ok=True)\n"
            "        with open(target, 'wb') as out:\n            out.write(zf.read(info))\n"
        ),
        Invalid(
            "import tarfile\nfrom pathlib import Path\nwith tarfile.open(src) as tar:\n    for member in tar.getmembers():\n"
            "        data = tar.extractfile(member)\n        (Path(dest) / member.name).write_bytes(data.read())\n"
        ),
    )

    def visit_For(self, node: ast.For, ctx) -> None:
        iterator = node.iter
        if not (
            isinstance(iterator, ast.Call)
            and isinstance(iterator.func, ast.Attribute)
            and iterator.func.attr in _LISTINGS
            and isinstance(node.target, ast.Name)
        ):
            return
        member = node.target.id
        if _checks_containment(node):
            return
        derived = {member}
        for stmt in _statements(node.body):
            for call in _calls(stmt):
                for path in _written_paths(ctx, call):
                    used = _member_use(path, derived, member)
                    if used is not None:
                        source = remote_taint(ctx, iterator.func.value)
                        ctx.report(self, path, details={"member": used}, source=source)
                        return
            if isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        (derived.add if _member_use(stmt.value, derived, member) else derived.discard)(target.id)


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements in source order, nested blocks included (not nested functions)."""
    for stmt in body:
        yield stmt
        if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for field in ("body", "orelse", "finalbody"):
                yield from _statements(getattr(stmt, field, []))
            for handler in getattr(stmt, "handlers", []):
                yield from _statements(handler.body)


def _calls(stmt: ast.stmt) -> Iterator[ast.Call]:
    """Calls in the statement itself, not in its nested block bodies."""
    parts = (
        [stmt.items]
        if isinstance(stmt, (ast.With, ast.AsyncWith))
        else [v for k, v in ast.iter_fields(stmt) if k not in ("body", "orelse", "finalbody", "handlers")]
    )
    for part in parts:
        for value in part if isinstance(part, list) else [part]:
            if isinstance(value, ast.AST):
                yield from (n for n in ast.walk(value) if isinstance(n, ast.Call))


def _written_paths(ctx, call: ast.Call) -> Iterator[ast.expr]:
    """Paths the call creates, writes, moves or deletes."""
    name = ctx.call_name(call) or ""
    if name in PATH_FUNCTIONS:
        if name in _READ_ONLY or (name in OPEN and not opens_for_writing(ctx, call)):
            return
    elif not opens_for_writing(ctx, call):
        return
    yield from path_arguments(ctx, call)


def _member_use(expr: ast.AST, derived: set[str], member: str):
    """How `expr` uses a member name (e.g. 'info.filename'), unless only through a cleaner."""
    if isinstance(expr, ast.Call) and _CLEANERS.search(dotted(expr.func)):
        return None
    if isinstance(expr, ast.Name) and expr.id in derived:
        return expr.id
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id == member:
        return f"{member}.{expr.attr}" if expr.attr in _NAME_ATTRS else None
    for child in ast.iter_child_nodes(expr):
        used = _member_use(child, derived, member)
        if used is not None:
            return used
    return None


def _checks_containment(loop: ast.For) -> bool:
    return any(isinstance(n, ast.Call) and checks_containment(n) for n in ast.walk(loop))
