"""TG503: a tar archive extracted without an extraction filter (tar slip)."""

from __future__ import annotations

import ast
from typing import Optional

from tabguard.engine.fixes import expression_fix, set_keyword
from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.files._flow import constructed_by, remote_taint
from tabguard.rules.files._members import checks_containment, dotted

_TAR_OPENERS = (
    "tarfile.open",
    "tarfile.TarFile",
    "tarfile.TarFile.open",
    "tarfile.TarFile.gzopen",
    "tarfile.TarFile.bz2open",
    "tarfile.TarFile.xzopen",
    "tarfile.TarFile.taropen",
)
_EXTRACT_METHODS = frozenset({"extractall", "extract"})
_TAR_FORMATS = frozenset({"tar", "gztar", "bztar", "xztar"})
# What a hand-written filter reads on a member to deal with links (TarInfo attributes and methods).
_LINK_CHECKS = frozenset({"linkname", "issym", "islnk", "isreg", "isfile", "SYMTYPE", "LNKTYPE"})
_TAR_SUFFIXES = (".tar", ".tgz", ".tbz2", ".txz", ".tar.gz", ".tar.bz2", ".tar.xz")


class TarExtractWithoutFilter(Rule):
    id = "TG503"
    name = "tar-extract-without-filter"
    severity = "medium"
    confidence = "high"
    cwe = (22,)
    quiet_in_tests = True
    owasp = "A08:2025"
    message = (
        "`{callee}` extracts a tar archive without a safe `filter=`: members can write outside the target directory"
    )
    placeholders = {"callee": "extractall"}
    aliases = ("B202", "S202")
    call_names = _EXTRACT_METHODS | {"unpack_archive"}
    what = (
        "`{callee}` unpacks a tar archive with the legacy behaviour (no `filter=` argument, or "
        '`filter="fully_trusted"`), which trusts every member\'s name, link target and permissions.'
    )
    why = (
        "A tar member may be called `../../home/app/.ssh/authorized_keys` or `/etc/cron.d/job`, or be a "
        "symlink to `/` followed by a file written through it. Extracting an uploaded or downloaded "
        'archive this way ("tar slip") lets whoever made the archive overwrite code, configuration '
        "or keys anywhere the process can write, and plant set-uid or device files."
    )
    how = (
        'Pass `filter="data"` (Python 3.12+, and 3.8.17 / 3.9.17 / 3.10.12 / 3.11.4 security releases): '
        "it refuses absolute and `..` names, links that leave the destination, and special files. "
        "`shutil.unpack_archive` takes the same argument for tar formats."
    )
    example = 'with tarfile.open(upload_path) as tar:\n    tar.extractall(dest, filter="data")'
    fix_safety = (
        'Unsafe (changes behaviour on purpose): the rewrite adds `filter="data"`, so archives with '
        "dangerous members now raise `tarfile.FilterError`; it needs a Python with extraction filters "
        "(3.12+, or the 2023 security releases of 3.8-3.11). Only offered for `shutil.unpack_archive` "
        "when the archive is known to be a tar (a zip archive does not accept `filter=`)."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/22.html",
        "https://docs.python.org/3/library/tarfile.html#tarfile-extraction-filter",
        "https://peps.python.org/pep-0706/",
    )
    VALID = (
        "import tarfile\nwith tarfile.open(path) as tar:\n    tar.extractall(dest, filter='data')\n",
        "import tarfile\ntar = tarfile.open(path)\ntar.extract(member, dest, filter='data')\n",
        "import tarfile\nwith tarfile.open(path) as tar:\n    tar.extractall(dest, members=safe_members(tar))\n",
        # zipfile strips absolute and `..` parts itself.
        "import zipfile\nwith zipfile.ZipFile(path) as zf:\n    zf.extractall(dest)\n",
        "import shutil\nshutil.unpack_archive(path, dest, format='zip')\n",
        "import shutil\nshutil.unpack_archive(path, dest, filter='data')\n",
        "import tarfile\ndef unpack(path, dest):\n    with tarfile.open(path) as tar:\n"
        "        tar.extraction_filter = tarfile.data_filter\n        tar.extractall(dest)\n",
        # Filtered by hand (Pythons without extraction filters): links skipped, paths kept inside.
        "import os, tarfile\ndef unpack(path, dest):\n    root = os.path.realpath(dest)\n"
        "    with tarfile.open(path) as tar:\n        for member in tar.getmembers():\n"
        "            if member.issym() or member.islnk():\n                continue\n"
        "            target = os.path.realpath(os.path.join(root, member.name))\n"
        "            if not target.startswith(root + os.sep):\n"
        "                raise ValueError(f'unsafe member {member.name}')\n"
        "            tar.extract(member, root)\n",
    )
    INVALID = (
        Invalid(
            "import tarfile\nwith tarfile.open(path) as tar:\n    tar.extractall(dest)\n",
            'import tarfile\nwith tarfile.open(path) as tar:\n    tar.extractall(dest, filter="data")\n',
        ),
        Invalid(
            "import tarfile\ntarfile.open(fileobj=buf, mode='r:gz').extractall(path=dest)\n",
            "import tarfile\ntarfile.open(fileobj=buf, mode='r:gz').extractall(path=dest, filter=\"data\")\n",
        ),
        Invalid(
            "import shutil\nshutil.unpack_archive('bundle.tar.gz', dest)\n",
            "import shutil\nshutil.unpack_archive('bundle.tar.gz', dest, filter=\"data\")\n",
        ),
        Invalid(
            "import tarfile\ndef restore(path, dest):\n    tar = tarfile.open(path)\n"
            "    tar.extractall(dest, members=tar, filter='fully_trusted')\n",
            "import tarfile\ndef restore(path, dest):\n    tar = tarfile.open(path)\n"
            '    tar.extractall(dest, members=tar, filter="data")\n',
        ),
        Invalid(
            "import shutil\nfrom flask import request\n@app.post('/u')\ndef u():\n"
            "    path = save_upload(request.files['archive'])\n    shutil.unpack_archive(path, '/srv/data')\n"
        ),
        # The names are checked, the links are not: a symlink member can still point outside.
        Invalid(
            "import os, tarfile\ndef extract_upload(archive, dest):\n    root = os.path.abspath(dest)\n"
            "    with tarfile.open(archive) as tar:\n        for member in tar.getmembers():\n"
            "            target = os.path.abspath(os.path.join(root, member.name))\n"
            "            if not target.startswith(root + os.sep):\n                raise ValueError('path traversal')\n"
            "        tar.extractall(root)\n",
            "import os, tarfile\ndef extract_upload(archive, dest):\n    root = os.path.abspath(dest)\n"
            "    with tarfile.open(archive) as tar:\n        for member in tar.getmembers():\n"
            "            target = os.path.abspath(os.path.join(root, member.name))\n"
            "            if not target.startswith(root + os.sep):\n                raise ValueError('path traversal')\n"
            '        tar.extractall(root, filter="data")\n',
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        chosen = ctx.keyword(node, "filter")
        if chosen is not None and ctx.constant_value(chosen.value) != "fully_trusted":
            return
        callee = ctx.call_name(node) or ""
        if callee == "shutil.unpack_archive":
            kind = _unpack_kind(ctx, node)
            if kind == "zip":
                return
            archive = ctx.argument(node, 0, "filename")
        elif _is_tar_extract(ctx, node) and not (
            _sets_extraction_filter(ctx.function) or _filtered_by_hand(ctx.function, node)
        ):
            kind = "tar"
            archive = node.func.value
        else:
            return
        fix = expression_fix(ctx, node, set_keyword("filter", '"data"'), 'Fix: add filter="data"', safe=False)
        ctx.report(
            self,
            node,
            details={"callee": callee.rpartition(".")[2] or node.func.attr},
            source=remote_taint(ctx, archive),
            fix=fix if kind == "tar" else None,
        )


def _is_tar_extract(ctx, node: ast.Call) -> bool:
    func = node.func
    if not (isinstance(func, ast.Attribute) and func.attr in _EXTRACT_METHODS):
        return False
    members = ctx.keyword(node, "members")
    if members is not None and not _all_members(ctx, members.value):
        return False  # a curated member list is a deliberate choice
    return constructed_by(ctx, func.value).startswith(_TAR_OPENERS)


def _all_members(ctx, members: ast.expr) -> bool:
    """`tar.getmembers()` or the archive itself: every member, unfiltered."""
    if isinstance(members, ast.Call) and isinstance(members.func, ast.Attribute):
        return members.func.attr == "getmembers"
    return constructed_by(ctx, members).startswith(_TAR_OPENERS)


def _sets_extraction_filter(func) -> bool:
    """`archive.extraction_filter = ...` (or on `tarfile.TarFile`) sets the default filter."""
    return func is not None and any(
        isinstance(n, ast.Attribute) and n.attr == "extraction_filter" and isinstance(n.ctx, ast.Store)
        for n in ast.walk(func)
    )


def _filtered_by_hand(func, call: ast.Call) -> bool:
    """Before `call`, a loop over the members rejects each one whose path leaves the destination
    (an `if` on a containment check that raises, skips or returns) and also handles links (reads
    `linkname`, or tests the member's type): the filtering Pythons without `filter=` need. A check
    of names alone is not enough: a symlink member named inside the destination can point outside."""
    return func is not None and any(
        isinstance(loop, (ast.For, ast.AsyncFor))
        and loop.lineno <= call.lineno
        and any(isinstance(n, ast.If) and _rejects_outside(n) for n in ast.walk(loop))
        and any(_handles_links(n, loop.target) for n in ast.walk(loop))
        for loop in ast.walk(func)
    )


def _rejects_outside(check: ast.If) -> bool:
    last = check.body[-1]
    stops = isinstance(last, (ast.Raise, ast.Continue, ast.Return)) or (
        isinstance(last, ast.Expr) and isinstance(last.value, ast.Call) and dotted(last.value.func).endswith("abort")
    )
    return stops and any(isinstance(n, ast.Call) and checks_containment(n) for n in ast.walk(check.test))


def _handles_links(node: ast.AST, member: ast.expr) -> bool:
    """`member.linkname`, `getattr(member, "linkname")`, `member.issym()`, `member.type == tarfile.SYMTYPE`."""
    if isinstance(node, ast.Attribute) and node.attr in _LINK_CHECKS:
        return node.attr.endswith("TYPE") or (
            isinstance(node.value, ast.Name) and isinstance(member, ast.Name) and node.value.id == member.id
        )
    return isinstance(node, ast.Constant) and node.value == "linkname"


def _unpack_kind(ctx, node: ast.Call) -> Optional[str]:
    """'tar', 'zip' or None (unknown) for a shutil.unpack_archive call."""
    fmt = ctx.constant_value(ctx.argument(node, 2, "format"))
    if isinstance(fmt, str):
        return "tar" if fmt in _TAR_FORMATS else "zip"
    name = ctx.constant_value(ctx.argument(node, 0, "filename"))
    if isinstance(name, str):
        return "tar" if name.endswith(_TAR_SUFFIXES) else "zip"
    return None
