"""TG103: eval, exec or compile run code that is not a literal."""

from __future__ import annotations

import ast
import re

from tabguard.engine.fixes import expression_fix, replace_callee
from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.injection import last_names
from tabguard.engine.taint import LOCAL_SOURCES
from tabguard.rules.injection._code_context import code_object, enclosing_class, terminal_repl
from tabguard.rules.injection._program_text import filled_in, written_by_program
from tabguard.rules.injection._strings import constant_text, is_static, raised, unconfirmed

_CONSOLES = frozenset({"code.InteractiveConsole", "code.InteractiveInterpreter"})
_CONSOLE_METHODS = frozenset({"push", "runsource", "runcode"})
# The literal part of generated source that defines something: the program writes functions or
# classes (as `dataclasses` and `attrs` do) and fills in only names and defaults.
_DEFINES = re.compile(r"(^|\n)\s*(async\s+def|def|class)\s|\blambda\b")
# importlib loader methods: what they compile is the source of a module being imported.
_IMPORT_HOOKS = frozenset({"exec_module", "get_code", "source_to_code", "load_module"})
# Callables that run (or compile) Python source, with the position of the source argument.
_CODE_RUNNERS = {
    "eval": 0,
    "exec": 0,
    "compile": 0,
    "builtins.eval": 0,
    "builtins.exec": 0,
    "builtins.compile": 0,
    "code.compile_command": 0,
    "codeop.compile_command": 0,
    # Sub-interpreters run a source string with the same privileges as the caller.
    "_testcapi.run_in_subinterp": 0,
    "test.support.run_in_subinterp": 0,
    "_xxsubinterpreters.run_string": 1,
    "_interpreters.run_string": 1,
    "_interpreters.exec": 1,
    # Pillow's image expressions are Python source run by eval() (restricted builtins are no sandbox:
    # CVE-2022-22817, CVE-2023-50447); `eval` is the deprecated name of `unsafe_eval`.
    "PIL.ImageMath.eval": 0,
    "PIL.ImageMath.unsafe_eval": 0,
}


def _file_contents(code: ast.expr, ctx) -> bool:
    """`fh.read()` or `compile(fh.read(), ...)`: the source text of a file the program chose to run
    (`path.read_text()`, or `.read()` of what `open(...)` returned). A response body's `.read()`
    (`urlopen(url).read()`) is code downloaded and run: not skipped."""
    code = _value(code, ctx)
    if isinstance(code, ast.Call) and ctx.call_name(code) in _CODE_RUNNERS and code.args:
        code = _value(code.args[0], ctx)
    if isinstance(code, ast.Call) and isinstance(code.func, ast.Attribute) and code.func.attr == "decode":
        code = _value(code.func.value, ctx)  # `fh.read().decode("utf-8")` of a file opened in binary
    if not (isinstance(code, ast.Call) and isinstance(code.func, ast.Attribute)):
        return False
    if code.func.attr == "read_text":
        return True
    handle = _value(code.func.value, ctx)
    opener = ctx.call_name(handle) if isinstance(handle, ast.Call) else None
    return code.func.attr == "read" and (opener or "").rpartition(".")[2] == "open"


def _value(expr: ast.expr, ctx) -> ast.expr:
    """A local name's value where it is used (`src = fh.read()`, `with open(p) as fh`), else `expr`."""
    return (ctx.model.value_of(expr) or expr) if isinstance(expr, ast.Name) else expr


class EvalExec(Rule):
    id = "TG103"
    name = "eval-of-dynamic-code"
    severity = "high"
    confidence = "medium"
    lowers_confidence_without_taint = True
    raises_when_tainted = True
    cwe = (94, 95)
    owasp = "A05:2025"
    message = "`{callee}` runs code from {what}"
    placeholders = {"callee": "eval", "what": "a variable"}
    aliases = ("B307", "B102", "S307", "S102")
    call_names = last_names(_CODE_RUNNERS) | _CONSOLE_METHODS | {"listen"}
    what = "Calls `{callee}` on {what}: whatever that text says is executed as Python with full privileges."
    why = (
        "Assistants reach for `eval` to parse a number, a list or a dict sent by a client, or to build "
        "a \"calculator\". `eval(\"__import__('os').system('id')\")` runs a shell command; stripping "
        "`__builtins__` does not help (`().__class__.__base__.__subclasses__()` reaches them again)."
    )
    how = (
        "Parse data with `json.loads` or `ast.literal_eval` (literals only), dispatch names through a "
        "dict of allowed functions, and evaluate arithmetic with a small parser over `ast` nodes."
    )
    example = "value = ast.literal_eval(text)  # numbers, strings, lists, dicts only\nconfig = json.loads(body)"
    fix_safety = (
        "Unsafe: `eval(x)` becomes `ast.literal_eval(x)`, which accepts only Python literals; input "
        "that was an expression (`2 * 3`, a name, a call) now raises `ValueError`."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/95.html",
        "https://docs.python.org/3/library/ast.html#ast.literal_eval",
        "https://nedbatchelder.com/blog/201206/eval_really_is_dangerous.html",
    )
    VALID = (
        # a constant image expression, and Pillow's callable form that runs no source
        "from PIL import ImageMath\ndef merge(a, b):\n    return ImageMath.eval('convert(max(a, b), \"L\")', a=a, b=b)\n",
        "from PIL import ImageMath\ndef merge(a, b):\n    return ImageMath.lambda_eval(lambda args: args['a'] + args['b'], a=a, b=b)\n",
        # A name the argument parser accepts only from the script's own list.
        "import argparse\nRUNNABLE = ('update', 'stats')\nif __name__ == '__main__':\n"
        '    parser = argparse.ArgumentParser()\n    parser.add_argument("cmd", nargs=1, choices=RUNNABLE)\n'
        "    options = parser.parse_args()\n    eval(options.cmd[0])()\n",
        'x = eval("1 + 2")\n',
        'import ast\ndef imports_of(source):\n    return compile(source, "<module>", "exec", ast.PyCF_ONLY_AST)\n',
        "import ast\ndef f(text):\n    return ast.literal_eval(text)\n",
        "def f(model):\n    model.eval()\n",
        "import re\ndef f(p):\n    return re.compile(p)\n",
        "import logging.config\nt = logging.config.listen(9030, verify=check_signature)\n",
        'SRC = "print(1)"\nexec(SRC)\n',
        'def load_config(path, ns):\n    with open(path) as fh:\n        exec(compile(fh.read(), path, "exec"), ns)\n',
        'def run_startup(path, ns):\n    with open(path, "rb") as fp:\n        exec(fp.read().decode("utf-8"), ns)\n',
        # Source the program writes itself: a generated __init__, and an import hook's module code.
        'def make_init(fields, ns):\n    args = ", ".join(fields)\n    body = "".join(f"    self.{f} = {f}\\n" for f in fields)\n'
        '    src = f"def __init__(self, {args}):\\n{body}"\n    exec(src, ns)\n    return ns["__init__"]\n',
        "class Loader:\n    def exec_module(self, module):\n        source = self.transform(self.path)\n"
        '        exec(compile(source, self.path, "exec"), module.__dict__)\n',
        # A syntax tree built from nodes (or a literal's tree given a generated body): code generation.
        'import ast\ndef build(body, name):\n    module = ast.parse("")\n    module.body = body\n'
        '    code = compile(module, "<generated>", "exec")\n    return code\n',
        'import ast\ndef getter(field):\n    tree = ast.Expression(body=ast.Attribute(ast.Name("obj", ast.Load()), field, ast.Load()))\n'
        '    return eval(compile(ast.fix_missing_locations(tree), "<getter>", "eval"))\n',
        # Code generation from literals, numbers and repr()s; a code object run where it was compiled.
        'def raise_at(lineno, filename, error):\n    code = compile("\\n" * (lineno - 1) + "raise error", filename, "exec")\n'
        '    exec(code, {"error": error})\n',
        'def constant_module(name, value, ns):\n    exec(f"{name.upper()!r}\\nVALUE = {value!r}", ns)\n',
        "from types import CodeType\ndef run_compiled(code: CodeType, ns):\n    exec(code, ns)\n",
        'import textwrap\ndef settings_module(limit, name, ns):\n    exec(textwrap.dedent(f"""\n        LIMIT = {int(limit)}\n'
        '        NAME = {name!r}\n    """), ns)\n',
        # the code object of a literal; a function's source laid out with textwrap around the values it fills in
        "exec(compile('def _raise(*a): raise a[0]', '<fix>', 'exec'))\n",
        'import textwrap\ndef proxy(name, args, ns):\n    text = textwrap.dedent("""\\\n    def %(name)s(%(args)s):\n'
        '        return _target.%(name)s(%(args)s)\n    """ % {"name": name, "args": args})\n    exec(text, ns)\n',
        # A private helper: its callers are the program's own (one passing user input is reported there).
        "def _exec_in_env(code, env, fn_name):\n    exec(code, env)\n    return env[fn_name]\n",
        # A terminal debugger or shell runs what its operator types, or passes with `-c`.
        "import cmd\nclass Debugger(cmd.Cmd):\n    def do_p(self, arg):\n        print(eval(arg, self.scope))\n",
        "import code, sys\nclass Shell:\n    def handle(self, **options):\n        if options['command']:\n"
        "            exec(options['command'], {})\n        exec(sys.stdin.read(), {})\n"
        "    def interactive(self):\n        code.interact(local={})\n",
        # A string annotation resolved in its module's namespace.
        "import sys\ndef resolve(annotation, module_name):\n    return eval(annotation, sys.modules[module_name].__dict__)\n",
    )
    INVALID = (
        # A command-line program handing what its user typed to a private helper.
        Invalid(
            "def _calc(expr):\n    return eval(expr)\n\ndef main():\n    print(_calc(input('> ')))\n",
            message="through `_calc()`",
            at=(5, 17),
        ),
        # A lambda bound to a name, called with request data.
        Invalid(
            "from flask import request\n@app.route('/calc')\ndef calc():\n    run = lambda text: eval(text)\n"
            "    return str(run(request.args['expr']))\n",
            fixed=(
                "import ast\n"
                "from flask import request\n"
                "@app.route('/calc')\n"
                "def calc():\n"
                "    run = lambda text: ast.literal_eval(text)\n"
                "    return str(run(request.args['expr']))\n"
            ),
            message="through `run()`",
        ),
        Invalid(
            "from flask import request\nfrom PIL import Image, ImageMath\ndef blend():\n"
            "    a = Image.open(request.files['a'])\n    return ImageMath.eval(request.form['formula'], a=a)\n",
            message="`ImageMath.eval` runs code from user input",
        ),
        Invalid(
            "def parse(text):\n    return eval(text)\n",
            "import ast\ndef parse(text):\n    return ast.literal_eval(text)\n",
        ),
        Invalid(
            'from flask import request\n@app.route("/calc")\ndef calc():\n    return str(eval(request.args["expr"]))\n',
            'import ast\nfrom flask import request\n@app.route("/calc")\ndef calc():\n    return str(ast.literal_eval(request.args["expr"]))\n',
        ),
        Invalid('def run(snippet):\n    exec(snippet, {"__builtins__": {}})\n'),
        Invalid('def f(name):\n    exec(f"result = handle_{name}()")\n'),
        Invalid(
            "from flask import request\ndef f(ns):\n    exec(f\"def g():\\n    return {request.args['x']}\", ns)\n"
        ),
        Invalid(
            "import _xxsubinterpreters as interpreters\ndef f(src):\n    interpreters.run_string(interpreters.create(), src)\n"
        ),
        Invalid('def f(src):\n    code = compile(src, "<user>", "exec")\n'),
        # The tree of text from outside runs that text, whatever is done to the tree in between.
        Invalid('import ast\ndef f(src):\n    tree = ast.parse(src)\n    code = compile(tree, "<user>", "exec")\n'),
        Invalid("import code\ndef f(line):\n    console = code.InteractiveConsole()\n    console.push(line)\n"),
        # What the skips above must still report: a public function's parameter run in a namespace,
        # text appended from one, a private helper given user input, a web console, a calculator
        # evaluating in a module's namespace.
        Invalid("def run_snippet(code, env, name):\n    exec(code, env)\n    return env[name]\n"),
        Invalid("import textwrap\ndef run_block(text):\n    exec(textwrap.dedent(text).strip())\n"),
        Invalid("def run_block(text):\n    exec(compile(text, '<block>', 'exec'))\n"),
        Invalid('import textwrap\ndef run_block(text):\n    exec(textwrap.dedent("x = 1\\n%s" % text))\n'),
        Invalid(
            'import urllib.request\ndef install():\n    exec(urllib.request.urlopen("https://get.example/setup.py").read())\n'
        ),
        Invalid(
            "import urllib.request\ndef install():\n"
            '    exec(urllib.request.urlopen("https://get.example/setup.py").read().decode("utf-8"))\n'
        ),
        Invalid(
            'def run_all(snippets):\n    lines = []\n    for s in snippets:\n        lines.append(s)\n    exec("\\n".join(lines))\n'
        ),
        Invalid(
            "from flask import request\ndef _evaluate(expr):\n    return eval(expr)\n"
            '@app.route("/calc")\ndef calc():\n    return str(_evaluate(request.args["q"]))\n',
            message="through `_evaluate()`",
        ),
        Invalid(
            "import code\nclass WebConsole(code.InteractiveInterpreter):\n    def runsource(self, source):\n"
            '        return super().runsource(source, "<console>", "single")\n'
        ),
        Invalid("import math\ndef calculate(expr):\n    return eval(expr, math.__dict__)\n"),
        Invalid(
            "import cmd\nfrom flask import request\nclass Admin(cmd.Cmd):\n"
            '    def handle(self):\n        exec(request.form["code"], {})\n'
        ),
        Invalid("import logging.config\ndef start():\n    logging.config.listen(9030).start()\n"),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        if not isinstance(node.func, (ast.Name, ast.Attribute)):
            return
        callee = ctx.call_name(node) or ""
        if callee == "logging.config.listen":
            # The listener applies any configuration sent to its port, and the configuration format
            # passes parts through eval(); `verify=` is the hook that can refuse unsigned ones.
            if ctx.argument(node, 1, "verify") is None and not any(k.arg is None for k in node.keywords):
                ctx.report(
                    self,
                    node,
                    details={
                        "callee": callee,
                        "what": "logging configurations received on a socket, with no `verify=`",
                    },
                )
            return
        if self._console_method(node, ctx):
            callee = f"InteractiveConsole.{node.func.attr}"
        elif callee not in _CODE_RUNNERS:
            return
        position = _CODE_RUNNERS.get(callee, 0)
        if len(node.args) <= position or isinstance(node.args[position], ast.Starred):
            return
        code = node.args[position]
        if is_static(code, ctx) or _compiled_literal(code, ctx):
            return
        if callee.endswith("compile") and _only_parses(node, ctx):
            return  # `compile(src, name, "exec", ast.PyCF_ONLY_AST)` is `ast.parse`: nothing runs
        if _built_tree(code, ctx):
            return  # a syntax tree the program assembles from nodes: code generation, no outside text
        parent = ctx.parent(node)
        if callee.endswith("compile") and isinstance(parent, ast.Call) and ctx.call_name(parent) in _CODE_RUNNERS:
            return  # `exec(compile(src, ...))` is reported once, on the exec
        if code_object(code, ctx):
            return  # `code = compile(src, ...)` ... `exec(code)`: reported where the source is compiled
        source = ctx.taint(code)
        if terminal_repl(ctx) and (source is None or (source.param is None and source.label in LOCAL_SOURCES)):
            return  # a debugger or shell running what its own operator types (or passes with `-c`)
        if source is None and _file_contents(code, ctx):
            return  # running a Python file's source (a config or startup script) is what the code is for
        if source is None and (_generates_definitions(code, ctx) or _in_import_hook(ctx)):
            return  # code the program writes itself (dataclass-style generation), or a module being imported
        if source is None and (written_by_program(code, ctx) or _resolves_in_module(node, callee, ctx)):
            return  # text the program writes itself, or a string annotation resolved in its module
        fix = None
        if callee in ("eval", "builtins.eval") and len(node.args) == 1 and not node.keywords:
            fix = expression_fix(
                ctx,
                node,
                replace_callee("ast.literal_eval"),
                "Fix: parse literals with ast.literal_eval",
                safe=False,
                imports=("ast",),
            )
        what = f"user input ({source.label})" if source else "a non-literal value"
        ctx.report(
            self,
            code,
            details={"callee": ".".join(callee.split(".")[-2 if callee.startswith("PIL.") else -1 :]), "what": what},
            source=source,
            fix=fix,
            severity=raised(self, source),
            confidence=unconfirmed(self, source),
        )

    @staticmethod
    def _console_method(node: ast.Call, ctx) -> bool:
        """`console.push(src)` / `.runsource(src)` on a `code.InteractiveConsole` or `InteractiveInterpreter`."""
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr in _CONSOLE_METHODS):
            return False
        receiver = func.value
        if isinstance(receiver, ast.Name):
            receiver = ctx.model.value_of(receiver) or receiver
        if not isinstance(receiver, ast.Call):
            return False
        if ctx.call_name(receiver) == "super":  # an override in a console subclass, passing source on
            owner = enclosing_class(ctx)
            return owner is not None and any(ctx.qualname(base) in _CONSOLES for base in owner.bases)
        return ctx.call_name(receiver) in _CONSOLES


def _compiled_literal(code: ast.expr, ctx) -> bool:
    """`exec(compile("def f(): ...", "<fix>", "exec"))`: the code object of a literal source."""
    return (
        isinstance(code, ast.Call)
        and (ctx.call_name(code) or "").endswith("compile")
        and ctx.call_name(code) in _CODE_RUNNERS
        and bool(code.args)
        and is_static(code.args[0], ctx)
    )


def _generates_definitions(code: ast.expr, ctx) -> bool:
    return bool(_DEFINES.search(constant_text(code, ctx)))


# Constructors of a whole syntax tree, and helpers that return the tree they are given.
_TREE_ROOTS = frozenset({"ast.Module", "ast.Expression", "ast.Interactive"})
_TREE_PASSERS = frozenset({"ast.fix_missing_locations", "ast.increment_lineno"})


def _built_tree(code: ast.expr, ctx, depth: int = 0) -> bool:
    """`compile(module, ...)` where `module` is an `ast.Module(...)`/`ast.Expression(...)` or the tree
    of `ast.parse` over a literal, whose body the program then fills with nodes it makes: no text from
    outside reaches it. `ast.parse(text)` of a non-literal is not such a tree (it runs `text`)."""
    if isinstance(code, ast.Name) and depth < 3:
        value = ctx.model.value_of(code)
        return value is not None and _built_tree(value, ctx, depth + 1)
    if not isinstance(code, ast.Call) or not code.args:
        return isinstance(code, ast.Call) and ctx.call_name(code) in _TREE_ROOTS
    callee = ctx.call_name(code)
    if callee in _TREE_ROOTS:
        return True
    if callee == "ast.parse":
        return is_static(code.args[0], ctx)
    # `eval(compile(tree, ...))`: the compiled tree is what runs.
    passes = callee in _TREE_PASSERS or (callee in _CODE_RUNNERS and callee.endswith("compile"))
    return passes and _built_tree(code.args[0], ctx, depth + 1)


def _in_import_hook(ctx) -> bool:
    return getattr(ctx.function, "name", None) in _IMPORT_HOOKS


def _only_parses(call: ast.Call, ctx) -> bool:
    """`compile()` with the `ast.PyCF_ONLY_AST` flag returns a syntax tree: the source is parsed, not run."""
    flags = ctx.argument(call, 3, "flags")
    return flags is not None and any(
        (ctx.qualname(part) or "").endswith("PyCF_ONLY_AST")
        for part in ast.walk(flags)
        if isinstance(part, (ast.Name, ast.Attribute))
    )


def _resolves_in_module(call: ast.Call, callee: str, ctx) -> bool:
    """`eval(text, sys.modules[name].__dict__)` or `eval(text, func.__globals__)`: an expression
    resolved in the namespace of a module the program imported, which is how string annotations and
    forward references are evaluated (`typing.get_type_hints` does the same). The namespace may be a
    local dict filled from one (`ns = dict(cls.__dict__); ns.update(module_globals)`)."""
    if callee not in ("eval", "builtins.eval"):
        return False
    namespace = ctx.argument(call, 1, "globals")
    return namespace is not None and any(_module_namespace(part, ctx) for part in _namespace_parts(namespace, ctx))


def _namespace_parts(namespace: ast.expr, ctx) -> list[ast.expr]:
    """The expression, and for a local name the values it was bound to and `.update(...)`d with."""
    if not isinstance(namespace, ast.Name):
        return [namespace]
    parts: list[ast.expr] = [namespace]
    scope = ctx.model.scope_of(namespace)
    target = ctx.model.resolve(scope, namespace.id) if scope is not None else None
    for binding in ctx.model.bindings(target, namespace.id) if target is not None else ():
        if binding.value is not None:
            parts.append(binding.value)
    parts.extend(arg for call in filled_in(namespace, ctx, frozenset({"update"})) for arg in call.args)
    return parts


def _module_namespace(expr: ast.expr, ctx, depth: int = 0) -> bool:
    """`sys.modules[...]`/`sys.modules.get(...)` or a function's `__globals__`, anywhere in `expr` or in
    the value of a local name it uses."""
    for node in ast.walk(expr):
        if isinstance(node, ast.Attribute) and (node.attr == "__globals__" or ctx.qualname(node) == "sys.modules"):
            return True
        if isinstance(node, ast.Name) and depth < 3:
            value = ctx.model.value_of(node)
            if value is not None and _module_namespace(value, ctx, depth + 1):
                return True
    return False
