"""TG218: a fixed path in a shared, world-writable temporary directory (`/tmp`, `/var/tmp`, `/dev/shm`)."""

from __future__ import annotations

import ast
import re

from tabguard.engine.rule import Invalid, Rule, Valid

# A named entry inside a shared temp directory; the bare directory (`dir="/tmp"`) names nothing predictable.
_SHARED_TMP = re.compile(r"^(/tmp|/var/tmp|/dev/shm)/[^/]")
# Calls whose string arguments are messages or patterns, not paths to use.
_NOT_PATH_CALLS = frozenset(
    {
        "startswith",
        "endswith",
        "replace",
        "split",
        "find",
        "index",
        "match",
        "search",
        "fullmatch",
        "sub",
        "print",
        "debug",
        "info",
        "warning",
        "error",
        "exception",
        "critical",
        "log",
        "write",
        "format",
        "is_relative_to",
        "relative_to",
        "commonpath",
    }
)


class HardcodedTmpPath(Rule):
    id = "TG218"
    name = "hardcoded-tmp-path"
    severity = "medium"
    confidence = "medium"
    cwe = (377, 379)
    quiet_in_tests = True
    owasp = "A01:2025"
    message = "Fixed path `{path}` in a shared temporary directory"
    placeholders = {"path": "/tmp/report.csv"}
    aliases = ("B108", "S108")
    what = "The code uses the fixed path `{path}` in a directory every local user can write to."
    why = (
        "Any other user or process on the machine can create `{path}` before the program does, for "
        "example as a symlink to a file the program may write (its config, another user's data). The "
        "program then overwrites that target, or reads content the attacker prepared; a predictable "
        "name also lets others read what the program stores there."
    )
    how = (
        "Create temporary files and directories with unpredictable names and private permissions: "
        "`tempfile.NamedTemporaryFile()`, `tempfile.mkstemp()`, `tempfile.TemporaryDirectory()`; keep "
        "durable files in an application directory the service owns."
    )
    example = 'with tempfile.TemporaryDirectory() as work:\n    out = os.path.join(work, "report.csv")'
    references = (
        "https://cwe.mitre.org/data/definitions/377.html",
        "https://docs.python.org/3/library/tempfile.html",
    )
    VALID = (
        "import tempfile\nwith tempfile.NamedTemporaryFile('w') as f:\n    f.write(data)\n",
        # test code (engine/testcode.py): a test's daemon configuration
        Valid("worker_pidfile = '/tmp/worker.test.pid'\n", path="tests/daemon_config.py"),
        "if path.startswith('/tmp/'):\n    raise ValueError(path)\n",
        "logger.info('cleaning /tmp/cache')\n",
        "with open('/srv/app/data/report.csv', 'w') as f:\n    f.write(data)\n",
        "x = '/abc/tmp'\n",
        "import os\nTMP = os.environ.get('TMPDIR', '/tmp')\n",
    )
    INVALID = (
        Invalid("with open('/tmp/report.csv', 'w') as f:\n    f.write(data)\n"),
        Invalid("LOCK_FILE = '/var/tmp/myapp.lock'\n"),
        Invalid("import os\nos.makedirs(f'/tmp/{job_id}/out', exist_ok=True)\n"),
        Invalid("from pathlib import Path\nPath('/dev/shm/cache.db').write_bytes(blob)\n"),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        values = [v for v in node.args + [k.value for k in node.keywords] if _shared_tmp_path(v) is not None]
        if not values:
            return  # most calls: no need to resolve the callee
        callee = ctx.call_name(node) or ""
        if callee.rpartition(".")[2] in _NOT_PATH_CALLS or callee.startswith("tempfile."):
            return
        for value in values:
            self._check(value, ctx)

    def visit_Assign(self, node: ast.Assign, ctx) -> None:
        self._check(node.value, ctx)

    def visit_arguments(self, node: ast.arguments, ctx) -> None:
        for default in (*node.defaults, *(d for d in node.kw_defaults if d is not None)):
            self._check(default, ctx)

    def _check(self, value: ast.expr, ctx) -> None:
        path = _shared_tmp_path(value)
        if path is not None:
            ctx.report(self, value, details={"path": path if isinstance(value, ast.Constant) else path + "..."})


def _shared_tmp_path(value: ast.expr) -> str | None:
    """The literal start of a string or f-string, when it names an entry of a shared temp directory."""
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        path = value.value
    elif isinstance(value, ast.JoinedStr) and value.values and isinstance(value.values[0], ast.Constant):
        # `f"/tmp/{name}"`: the interpolated part still names an entry of the shared directory.
        path = value.values[0].value + ("{}" if len(value.values) > 1 else "")
    else:
        return None
    return path if _SHARED_TMP.match(path) else None
