"""TG216: files or directories made writable by everyone, files made writable by their group (or secrets
readable by others)."""

from __future__ import annotations

import ast
import re
import stat

from tabguard.engine.fixes import expression_fix
from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.defaults._common import replace_with, string_value

# callee -> (position of the mode argument, keyword name, position of the path argument)
_MODE_CALLS = {
    "os.chmod": (1, "mode", 0),
    "os.lchmod": (1, "mode", 0),
    "os.fchmod": (1, "mode", None),
    "os.makedirs": (1, "mode", 0),
    "os.mkdir": (1, "mode", 0),
}
# Path methods: `Path(p).chmod(0o777)`, `Path(p).mkdir(0o777, parents=True)`. (`os.open(..., 0o666)` and
# `Path.touch(0o666)` are not listed: 0o666 is their default and the umask trims it, like `open()`.)
_PATH_METHODS = {"chmod": 0, "lchmod": 0, "mkdir": 0}
_SECRET_PATH = re.compile(
    r"(\.pem|\.key|id_rsa|id_ed25519|id_ecdsa|\.p12|\.pfx|\.env|secret|token|credential|password|\.netrc|\.pgpass)",
    re.IGNORECASE,
)
_WORLD_WRITE = stat.S_IWOTH
_GROUP_WRITE = stat.S_IWGRP
_EXEC_BITS = stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH


class PermissiveFileMode(Rule):
    id = "TG216"
    name = "permissive-file-mode"
    severity = "medium"
    confidence = "high"
    cwe = (732, 276)
    owasp = "A01:2025"
    message = "{problem}: mode `{mode}`"
    placeholders = {
        "problem": "World-writable permissions",
        "problem_lower": "world-writable permissions",
        "mode": "0o777",
        "callee": "os.chmod",
    }
    aliases = ("B103", "S103")
    call_names = frozenset({"umask", *(name.rpartition(".")[2] for name in _MODE_CALLS), *_PATH_METHODS})
    what = "`{callee}` uses mode `{mode}`: {problem_lower}."
    why = (
        "Any local account, a compromised service running as another user, or a container sharing the "
        "volume can rewrite a world-writable file or directory: swap a script that root later runs, "
        "plant a library or config file, or replace data the application trusts. A private key or "
        "credentials file readable by group/others leaks to every user on the host (ssh even refuses "
        "such keys). A group-writable file (`0o775`, `0o664`) gives the same power to every member of its "
        "group, often a shared `www-data`, `staff` or deploy group (reported as low severity). "
        "`os.umask(0)` makes every file created afterwards world-writable."
    )
    how = (
        "Grant the owner only what is needed: `0o600` for data and secrets, `0o700` for directories and "
        "executables, `0o644`/`0o755` when others must read. Keep the umask at `0o022` or `0o077`."
    )
    example = "os.chmod(key_path, 0o600)\nos.makedirs(cache_dir, mode=0o700, exist_ok=True)"
    fix_safety = (
        "Unsafe: the rewrite restricts the mode to the owner (`0o600`, `0o700` when execute bits were "
        "requested, umask `0o077`), or for a group-writable file drops only the write bit of group and "
        "others (`0o775` -> `0o755`); other users or groups that legitimately shared the file lose access."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/732.html",
        "https://docs.python.org/3/library/os.html#os.chmod",
    )
    VALID = (
        "import os\nos.chmod(path, 0o644)\n",
        # A directory shared with a team may be group-writable on purpose.
        "import os\nos.makedirs(shared_dir, mode=0o775, exist_ok=True)\n",
        "import os\nos.chmod(script, 0o755)\n",
        "import os, stat\nos.chmod(path, stat.S_IRUSR | stat.S_IWUSR)\n",
        "import os\nos.makedirs(path, exist_ok=True)\n",
        "import os\nos.chmod('id_rsa', 0o600)\n",
        "import os\nst = os.stat(p)\nos.chmod(p, st.st_mode | 0o111)\n",
        "import os\nos.umask(0o022)\n",
        "import os\ndef current_umask():\n    mask = os.umask(0)\n    os.umask(mask)\n    return mask\n",
        "import os\nos.chmod(path, mode)\n",
    )
    INVALID = (
        Invalid("import os\nos.chmod('deploy.sh', 0o775)\n", "import os\nos.chmod('deploy.sh', 0o755)\n"),
        Invalid("import os\nos.chmod(report_path, 0o664)\n", "import os\nos.chmod(report_path, 0o644)\n"),
        Invalid("import os\nos.chmod('/srv/app/run.sh', 0o777)\n", "import os\nos.chmod('/srv/app/run.sh', 0o700)\n"),
        Invalid("import os\nos.chmod(upload_path, 0o666)\n", "import os\nos.chmod(upload_path, 0o600)\n"),
        Invalid(
            "import os\nimport stat\nos.chmod(path, stat.S_IRWXU | stat.S_IRWXG | stat.S_IRWXO)\n",
            "import os\nimport stat\nos.chmod(path, 0o700)\n",
        ),
        Invalid(
            "import os\nos.makedirs(cache_dir, mode=0o777, exist_ok=True)\n",
            "import os\nos.makedirs(cache_dir, mode=0o700, exist_ok=True)\n",
        ),
        Invalid("import os\nold = os.umask(0)\n", "import os\nold = os.umask(0o077)\n"),
        Invalid(
            "import os\nold = os.umask(0)\nos.makedirs(shared)\nos.umask(old)\n",
            "import os\nold = os.umask(0o077)\nos.makedirs(shared)\nos.umask(old)\n",
        ),
        Invalid("import os\nos.chmod('deploy_key.pem', 0o644)\n", "import os\nos.chmod('deploy_key.pem', 0o600)\n"),
        Invalid(
            "from pathlib import Path\nPath(shared).mkdir(0o777, parents=True)\n",
            "from pathlib import Path\nPath(shared).mkdir(0o700, parents=True)\n",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        callee = ctx.call_name(node) or ""
        if callee == "os.umask":
            self._check_umask(node, ctx)
            return
        path: ast.expr | None
        if callee in _MODE_CALLS:
            position, keyword, path_position = _MODE_CALLS[callee]
            mode_node = ctx.argument(node, position, keyword)
            path = ctx.argument(node, path_position, "path") if path_position is not None else None
        elif (
            isinstance(node.func, ast.Attribute) and node.func.attr in _PATH_METHODS and _is_path(node.func.value, ctx)
        ):
            mode_node = ctx.argument(node, _PATH_METHODS[node.func.attr], "mode")
            path = node.func.value.args[0] if isinstance(node.func.value, ast.Call) and node.func.value.args else None
        else:
            return
        if mode_node is None:
            return
        bits = _known_bits(mode_node, ctx)
        if bits is None:
            return
        is_dir = callee.endswith(("makedirs", "mkdir")) or (
            isinstance(node.func, ast.Attribute) and node.func.attr == "mkdir"
        )
        secret = _SECRET_PATH.search(_path_text(path)) if path is not None else None
        severity = None
        safe_mode = "0o700" if bits & _EXEC_BITS or is_dir else "0o600"
        if bits & _WORLD_WRITE:
            problem = "World-writable permissions"
        elif secret and bits & 0o077 and not is_dir:
            problem = "Secret file readable by other users"
        elif bits & _GROUP_WRITE and not is_dir:
            # A directory shared with a team is often meant to be group-writable; a file seldom is.
            problem, severity, safe_mode = (
                "Group-writable permissions",
                "low",
                oct(bits & ~(_GROUP_WRITE | _WORLD_WRITE)),
            )
        else:
            return
        fix = None
        if _fully_constant(mode_node, ctx):
            fix = expression_fix(ctx, mode_node, replace_with(safe_mode), f"Fix: mode {safe_mode}", safe=False)
        ctx.report(
            self,
            mode_node,
            details={"problem": problem, "problem_lower": problem.lower(), "mode": oct(bits), "callee": callee},
            fix=fix,
            severity=severity,
        )

    def _check_umask(self, node: ast.Call, ctx) -> None:
        mask = ctx.argument(node, 0, "mask")
        bits = _known_bits(mask, ctx) if mask is not None else None
        if bits is None or not _fully_constant(mask, ctx) or bits & _WORLD_WRITE or _reads_umask(node, ctx):
            return
        ctx.report(
            self,
            mask,
            details={
                "problem": "umask lets new files be world-writable",
                "problem_lower": "new files and directories will be world-writable",
                "mode": oct(bits),
                "callee": "os.umask",
            },
            fix=expression_fix(ctx, mask, replace_with("0o077"), "Fix: umask 0o077", safe=False),
        )


def _reads_umask(call: ast.Call, ctx) -> bool:
    """`old = os.umask(0)` put back by the next statement (`os.umask(old)`): the only way to read the
    umask; nothing is created in between."""
    assign = ctx.parent(call)
    if not (isinstance(assign, ast.Assign) and len(assign.targets) == 1 and isinstance(assign.targets[0], ast.Name)):
        return False
    block = ctx.parent(assign)
    body = next(
        (
            b
            for b in (getattr(block, f, None) for f in ("body", "orelse", "finalbody"))
            if isinstance(b, list) and assign in b
        ),
        None,
    )
    if body is None or body.index(assign) + 1 >= len(body):
        return False
    after = body[body.index(assign) + 1]
    return (
        isinstance(after, ast.Expr)
        and isinstance(after.value, ast.Call)
        and ctx.call_name(after.value) == "os.umask"
        and any(isinstance(a, ast.Name) and a.id == assign.targets[0].id for a in after.value.args)
    )


def _is_path(receiver: ast.expr, ctx) -> bool:
    target = receiver.func if isinstance(receiver, ast.Call) else receiver
    name = ctx.qualname(target) or ""
    return name.startswith("pathlib.") or name.endswith(("Path", "path", "dir", "directory", "folder"))


def _path_text(path: ast.expr) -> str:
    return string_value(path) or ast.unparse(path)


def _known_bits(node: ast.expr, ctx) -> int | None:
    """The permission bits certainly set by a mode expression (`0o755`, `stat.S_IRWXU | stat.S_IWOTH`,
    `st.st_mode | 0o002`); None when nothing is known."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return node.value & 0o7777
    name = ctx.qualname(node) if isinstance(node, (ast.Name, ast.Attribute)) else None
    if name and name.startswith("stat.S_"):
        value = getattr(stat, name[5:], None)
        return value & 0o7777 if isinstance(value, int) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.BitOr, ast.Add)):
        left, right = _known_bits(node.left, ctx), _known_bits(node.right, ctx)
        if left is None and right is None:
            return None
        return (left or 0) | (right or 0)
    return None


def _fully_constant(node: ast.expr, ctx) -> bool:
    if isinstance(node, ast.BinOp):
        return _fully_constant(node.left, ctx) and _fully_constant(node.right, ctx)
    return _known_bits(node, ctx) is not None
