"""TG101: a shell command string built at run time, run by os.system, os.popen and relatives."""

from __future__ import annotations

import ast

from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.injection import last_names
from tabguard.rules.injection._shell import (
    LAUNCHERS,
    SHELL_QUOTED,
    process_call,
    process_call_name,
    SHELL_STRING_CALLS,
    SUBPROCESS_CALLS,
    launched,
    shell_enabled,
    shell_payload,
)
from tabguard.rules.injection._shell_rewrite import getoutput_fix, popen_fix, shell_fix, system_fix
from tabguard.rules.injection._strings import all_values_through, is_static, is_string_building, raised, unconfirmed
from tabguard.rules.injection._wrappers import passed_on

# Airflow operators whose `bash_command` runs through bash.
_BASH_OPERATORS = frozenset(
    {
        "airflow.operators.bash.BashOperator",
        "airflow.operators.bash_operator.BashOperator",
        "airflow.providers.standard.operators.bash.BashOperator",
    }
)


class OsCommandInjection(Rule):
    id = "TG101"
    name = "os-command-injection"
    severity = "high"
    confidence = "high"
    lowers_confidence_without_taint = True
    raises_when_tainted = True
    cwe = (78,)
    owasp = "A05:2025"
    message = "`{callee}` runs a shell command built from {what}"
    placeholders = {"callee": "os.system", "what": "a variable"}
    aliases = ("B605", "B606", "S605", "S606")
    # `getattr`: see `process_call`.
    call_names = last_names(SHELL_STRING_CALLS | _BASH_OPERATORS) | LAUNCHERS | {"exec_command", "getattr"}
    what = (
        "Hands `{callee}` a command line assembled at run time. `{callee}` always runs it through a shell "
        "(`os.system`, `os.popen`, `subprocess.getoutput`, an explicit `sh -c`, the remote shell "
        "behind `ssh host command`, or a notebook's `!command {variable}` line, which IPython runs as "
        "`get_ipython().system(...)`)."
    )
    why = (
        'The shell parses the whole string: with `os.system(f"convert {name} out.png")` a file name '
        "such as `x.png; rm -rf ~` runs a second command with the application's privileges. "
        "`os.system` offers no argument list, so there is no safe way to pass a value through it."
    )
    how = (
        "Use `subprocess.run([...])` with an argument list (no shell): each value reaches the program as "
        "one argument. Check the exit status with `check=True` when the old code looked at it."
    )
    example = 'subprocess.run(["convert", name, "out.png"], check=True, timeout=60)'
    fix_safety = (
        "Unsafe: a command whose text has no shell syntax beyond spaces and quotes becomes an argument "
        "list: `os.system(...)` becomes `subprocess.run([...])` (with `.returncode` where the status is "
        "used: zero stays zero, but `os.system` returned the wait status, the exit code times 256), "
        "`os.popen(...).read()` becomes `subprocess.run([...], stdout=subprocess.PIPE, text=True).stdout` "
        "(the same text) and another use of `os.popen(...)` the pipe of `subprocess.Popen([...], "
        "stdout=subprocess.PIPE, text=True)` (its `close()` no longer returns the exit status). Words "
        "are split on spaces and quotes removed; an unquoted value is now one argument even when it has "
        "spaces, and non-string values must be passed through `str()`. A command built in a variable is "
        "rewritten where it is built when the call is its only use, else at the call. "
        '`subprocess.getoutput(...)` becomes `subprocess.run([...], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout.removesuffix("\\n")` '
        '(the same text), and `["sh", "-c", "<command>"]` the command\'s own list.'
    )
    references = (
        "https://cwe.mitre.org/data/definitions/78.html",
        "https://docs.python.org/3/library/os.html#os.system",
        "https://docs.python.org/3/library/subprocess.html#replacing-os-system",
    )
    VALID = (
        # An option the argument parser accepts only from a fixed list.
        "import argparse, os\ndef main():\n    parser = argparse.ArgumentParser()\n"
        '    parser.add_argument("--mode", choices=["fast", "full"])\n    args = parser.parse_args()\n'
        '    os.system("scan --" + args.mode)\n',
        'import os\nos.system("clear")\n',
        # an `exec_command` that passes its own argument on: each caller's `exec_command(...)` is checked
        "class Remote(Base):\n    def exec_command(self, cmd, timeout=None):\n"
        "        super().exec_command(cmd, timeout=timeout)\n        return self.channel.exec_command(cmd)\n",
        # The class's own method, called on `self`: its body is where a runner is reached.
        "class Ssh(Base):\n    def exec_command(self, cmd):\n        return self._run(['ssh', self.host, cmd])\n"
        "    def fetch(self, path):\n        return self.exec_command('cat %s' % path)\n",
        # Forwarded before the method goes on to change its own copy.
        "class Local(Base):\n    def exec_command(self, cmd):\n        super().exec_command(cmd)\n"
        "        cmd = cmd.encode()\n        return run(cmd)\n",
        # Passed on with only its type changed, or by a private helper (a caller passing user input is
        # reported at the call, through the helper's summary).
        "class Ssh(Base):\n    def exec_command(self, cmd):\n        cmd = to_bytes(cmd, errors='strict')\n"
        "        chan = self.transport.open_session()\n        chan.exec_command(cmd)\n",
        "class Terminal:\n    def _exec_cli_command(self, cmd):\n        return self._connection.exec_command(cmd)\n",
        "import os\ndef _shell(command):\n    return os.system(command)\n",
        'import subprocess\ndef f(name):\n    subprocess.run(["convert", name, "out.png"], check=True)\n',
        'import os\ndef f():\n    cmd = "uptime"\n    os.system(cmd)\n',
        'import os\nos.execv("/usr/bin/git", ["git", "status"])\n',
        'import subprocess\nsubprocess.run(["sh", "-c", "echo ready"])\n',
        'import subprocess, shlex\ndef f(host, path):\n    subprocess.run(["ssh", host, "cat " + shlex.quote(path)], check=True)\n',
        # The shell named by a constant, running the code's own command.
        "import subprocess\nSHELL = '/bin/bash'\ndef f():\n    subprocess.run([SHELL, '-c', 'ls -l /srv'], check=True)\n",
        # Every argument quoted by `shlex.join`.
        "import os, shlex\nfrom flask import request\ndef f():\n    os.system('ls -l ' + shlex.join(request.args.getlist('p')))\n",
        'import subprocess\ndef f(host):\n    subprocess.run(["ssh", host, "uptime"], check=True)\n',
        'from airflow.operators.bash import BashOperator\nt = BashOperator(task_id="t", bash_command="echo {{ params.name }}")\n',
        'get_ipython().system("ls -la")\n',
    )
    INVALID = (
        # Through `*args` and `**kwargs` of a helper, and an awaited coroutine.
        Invalid(
            "import os\nfrom flask import request\ndef _run_all(*commands):\n    for command in commands:\n"
            "        os.system(command)\n@app.route('/batch')\ndef batch():\n    _run_all('uptime', request.args['cmd'])\n",
            message="through `_run_all()`",
            at=(8, 24),
        ),
        Invalid(
            "import os\nfrom flask import request\ndef _tool(**options):\n    os.system('tool --name ' + options['name'])\n"
            "@app.route('/t')\ndef t():\n    params = {'name': request.args['name']}\n    _tool(**params)\n",
            fixed=(
                "import subprocess\n"
                "import os\n"
                "from flask import request\n"
                "def _tool(**options):\n"
                '    subprocess.run(["tool", "--name", options[\'name\']])\n'
                "@app.route('/t')\n"
                "def t():\n"
                "    params = {'name': request.args['name']}\n"
                "    _tool(**params)\n"
            ),
            message="through `_tool()`",
        ),
        Invalid(
            "import os\nfrom fastapi import FastAPI\napp = FastAPI()\nasync def _ping(host):\n    os.system('ping -c 1 ' + host)\n"
            "@app.get('/ping')\nasync def ping(host: str):\n    await _ping(host)\n",
            fixed=(
                "import subprocess\n"
                "import os\n"
                "from fastapi import FastAPI\n"
                "app = FastAPI()\n"
                "async def _ping(host):\n"
                '    subprocess.run(["ping", "-c", "1", host])\n'
                "@app.get('/ping')\n"
                "async def ping(host: str):\n"
                "    await _ping(host)\n"
            ),
            message="through `_ping()`",
            at=(8, 17),
        ),
        Invalid(
            "import argparse, os\ndef main():\n    parser = argparse.ArgumentParser()\n"
            '    parser.add_argument("--mode", choices=["fast", "full"])\n    parser.add_argument("target")\n'
            '    args = parser.parse_args()\n    os.system("scan --" + args.mode + " " + args.target)\n',
            "import subprocess\nimport argparse, os\ndef main():\n    parser = argparse.ArgumentParser()\n"
            '    parser.add_argument("--mode", choices=["fast", "full"])\n    parser.add_argument("target")\n'
            '    args = parser.parse_args()\n    subprocess.run(["scan", f"--{args.mode}", args.target])\n',
            message="command-line arguments",
        ),
        Invalid(
            'import os\ndef thumb(name):\n    os.system(f"convert {name} -resize 64x64 thumb.png")\n',
            'import subprocess\nimport os\ndef thumb(name):\n    subprocess.run(["convert", name, "-resize", "64x64", "thumb.png"])\n',
        ),
        Invalid(
            'import os\ndef f(host):\n    out = os.popen("nslookup " + host).read()\n',
            'import subprocess\nimport os\ndef f(host):\n    out = subprocess.run(["nslookup", host], stdout=subprocess.PIPE, text=True).stdout\n',
        ),
        Invalid(
            'import subprocess\ndef f(q):\n    return subprocess.getoutput(f"grep -r {q} /srv")\n',
            "import subprocess\n"
            "def f(q):\n"
            '    return subprocess.run(["grep", "-r", q, "/srv"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout.removesuffix("\\n")\n',
        ),
        # The shell named by a module constant or a local.
        Invalid(
            "import subprocess\nfrom flask import request\nSHELL = '/bin/bash'\ndef f():\n"
            "    subprocess.run([SHELL, '-c', 'grep ' + request.args['q'] + ' /var/log/app.log'])\n",
            message="user input (request.args)",
        ),
        Invalid(
            "import asyncio\nasync def handler(event, context):\n    program = 'sh'\n"
            "    await asyncio.create_subprocess_exec(program, '-c', event['cmd'])\n",
            message="Lambda event",
        ),
        # `string.Template` filled with request data.
        Invalid(
            "import os, string\nfrom flask import request\nCMD = string.Template('convert $src out.png')\ndef f():\n"
            "    os.system(CMD.substitute(src=request.args['src']))\n",
            message="user input (request.args)",
        ),
        # Tornado: a handler's own reading method.
        Invalid(
            "import subprocess\nimport tornado.web\nclass Ping(tornado.web.RequestHandler):\n    def get(self):\n"
            '        self.write(subprocess.getoutput("ping -c 1 " + self.get_argument("host")))\n',
            "import subprocess\n"
            "import tornado.web\n"
            "class Ping(tornado.web.RequestHandler):\n"
            "    def get(self):\n"
            '        self.write(subprocess.run(["ping", "-c", "1", self.get_argument("host")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout.removesuffix("\\n"))\n',
            message="user input (self.get_argument())",
        ),
        # Starlette / FastAPI: the form a handler awaits.
        Invalid(
            "import subprocess\nfrom fastapi import Request\nasync def ping(request: Request):\n"
            '    form = await request.form()\n    return subprocess.getoutput("ping -c 1 " + form["host"])\n',
            "import subprocess\n"
            "from fastapi import Request\n"
            "async def ping(request: Request):\n"
            "    form = await request.form()\n"
            '    return subprocess.run(["ping", "-c", "1", form["host"]], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout.removesuffix("\\n")\n',
            message="user input (request.form())",
        ),
        # The exit status is used: `.returncode` (zero stays zero).
        Invalid(
            'import os\ndef compress(path):\n    cmd = "gzip -k %s" % path\n    if os.system(cmd) != 0:\n'
            '        raise RuntimeError("gzip failed")\n',
            'import subprocess\nimport os\ndef compress(path):\n    cmd = ["gzip", "-k", path]\n'
            '    if subprocess.run(cmd).returncode != 0:\n        raise RuntimeError("gzip failed")\n',
        ),
        # The stream read line by line: the pipe os.popen opens, from an argument list.
        Invalid(
            "import os\ndef count(path):\n    for line in os.popen(f\"wc -l '{path}'\"):\n        print(line)\n",
            "import subprocess\nimport os\ndef count(path):\n"
            '    for line in subprocess.Popen(["wc", "-l", path], stdout=subprocess.PIPE, text=True).stdout:\n'
            "        print(line)\n",
        ),
        Invalid('import os\ndef f(cmd):\n    os.execl("/bin/sh", "sh", "-c", cmd)\n'),
        Invalid(
            'import subprocess\ndef f(cmd):\n    subprocess.run(["bash", "-c", f"tar xf {cmd}"])\n',
            'import subprocess\ndef f(cmd):\n    subprocess.run(["tar", "xf", cmd])\n',
        ),
        Invalid('import os\ndef f(name):\n    os.system("rm " + name + " && ls")\n'),
        Invalid('import os\ndef f(cmd):\n    os.spawnl(os.P_WAIT, "/bin/bash", "-c", f"ls -la {cmd}")\n'),
        Invalid('import paramiko\ndef f(client, path):\n    client.exec_command("du -sh " + path)\n'),
        Invalid(
            'import subprocess\ndef f(box, name):\n    subprocess.run(["docker", "exec", box, "sh", "-c", f"ls {name}"])\n'
        ),
        Invalid(
            'import subprocess\ndef f(host, path):\n    subprocess.run(["ssh", "-p", "2222", host, f"cat {path}"], check=True)\n'
        ),
        Invalid(
            'import os\ndef f(name):\n    getattr(os, "system")("convert " + name)\n',
            'import subprocess\nimport os\ndef f(name):\n    subprocess.run(["convert", name])\n',
        ),
        Invalid(
            'def f(name):\n    __import__("os").popen("file " + name).read()\n',
            'import subprocess\ndef f(name):\n    subprocess.run(["file", name], stdout=subprocess.PIPE, text=True).stdout\n',
        ),
        Invalid(
            "from airflow.operators.bash import BashOperator\ndef f(name):\n"
            '    return BashOperator(task_id="t", bash_command=f"echo {name}")\n'
        ),
        Invalid('def f(name):\n    files = get_ipython().getoutput(f"ls {name}")\n'),
        # What the wrapper skips must still report: a public method's parameter, a helper given user
        # input, and a wrapper that builds the command itself.
        Invalid("class Cli:\n    def run_cli(self, cmd):\n        return self._connection.exec_command(cmd)\n"),
        Invalid(
            "import os\nfrom flask import request\ndef _shell(command):\n    return os.system(command)\n"
            '@app.route("/run")\ndef run():\n    _shell(request.args["cmd"])\n',
            message="through `_shell()`",
        ),
        # the wrapper builds the command itself: reported
        Invalid(
            "class Remote(Base):\n    def exec_command(self, cmd):\n        cmd = 'sudo ' + cmd\n"
            "        return self.channel.exec_command(cmd)\n"
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        node = process_call(node, ctx)
        if node is None:
            return
        callee = process_call_name(node, ctx)
        if callee in SHELL_STRING_CALLS:
            command = ctx.argument(node, 0, "cmd") or ctx.argument(node, 0, "command")
        elif isinstance(node.func, ast.Attribute) and node.func.attr == "exec_command":
            command = ctx.argument(node, 0, "command")  # paramiko: run by the remote user's shell
            callee = f"{ast.unparse(node.func.value)}.exec_command"
            if _own_method(node.func, ctx) and not ctx.taint(command):
                return  # the class's own `exec_command`: its body is where a runner is reached
        elif callee in _BASH_OPERATORS:
            command = ctx.keyword(node, "bash_command")
            command = command.value if command is not None else None
            if command is not None and not (is_string_building(command, ctx) or ctx.taint(command)):
                return  # a variable holding a Jinja-templated command is Airflow's normal use
        else:
            launch = launched(node, callee, ctx)
            if launch is None or shell_enabled(node, ctx):
                return  # shell=True is TG100's case
            command = shell_payload(*launch)
        if command is None or is_static(command, ctx) or all_values_through(command, ctx, SHELL_QUOTED):
            return
        source = ctx.taint(command)
        if source is None and passed_on(command, ctx):
            return  # a wrapper passing its own argument on: its callers' commands are checked
        fix = None
        if callee == "os.system":
            fix = system_fix(ctx, node, command)
        elif callee == "os.popen":
            fix = popen_fix(ctx, node, command)
        elif callee == "subprocess.getoutput":
            fix = getoutput_fix(ctx, node, command)
        elif callee in SUBPROCESS_CALLS:
            fix = shell_fix(ctx, node, command)
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


def _own_method(func: ast.Attribute, ctx) -> bool:
    """`self.exec_command(...)` in a class that defines `exec_command`: the program's own method, whose
    body (where it reaches a real runner) is checked there."""
    if not (isinstance(func.value, ast.Name) and func.value.id == "self" and ctx.function is not None):
        return False
    owner = ctx.parent(ctx.function)
    return isinstance(owner, ast.ClassDef) and any(
        isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == func.attr for item in owner.body
    )
