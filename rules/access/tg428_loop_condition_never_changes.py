"""TG428: a `while` loop whose condition reads only local values the loop never changes."""

from __future__ import annotations

import ast
from typing import Iterator, Optional

from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.access._loops import length_of

# Leaving the loop some other way than its condition.
_EXITS = (ast.Break, ast.Return, ast.Raise, ast.Yield, ast.YieldFrom)
_NESTED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _condition_names(test: ast.expr) -> Optional[set[str]]:
    """The names a comparison condition (`i < n`, `lo <= hi and n > 0`) reads, when it reads nothing
    but names, constants and arithmetic on them; None for any other condition (a call, an attribute,
    a bare truth test of an object another thread may change)."""
    if isinstance(test, ast.BoolOp):
        found: set[str] = set()
        for value in test.values:
            names = _condition_names(value)
            if names is None:
                return None
            found |= names
        return found
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _condition_names(test.operand)
    if not isinstance(test, ast.Compare):
        return None
    found = set()
    for operand in (test.left, *test.comparators):
        for node in ast.walk(operand):
            if isinstance(node, ast.Name):
                found.add(node.id)
            elif not isinstance(node, (ast.Constant, ast.BinOp, ast.UnaryOp, ast.operator, ast.unaryop, ast.Load)):
                return None
    return found


def _body_nodes(statements: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node of the loop's body and `else`, nested functions and classes included (a closure
    may assign a name with `nonlocal`)."""
    for statement in statements:
        yield from ast.walk(statement)


def _changed(names: set[str], nodes: list[ast.AST]) -> bool:
    """A name is rebound, deleted, declared nonlocal/global, or handed to a call or method (which may
    change the object it names)."""
    for node in nodes:
        if isinstance(node, ast.Name) and node.id in names and isinstance(node.ctx, (ast.Store, ast.Del)):
            return True
        if isinstance(node, (ast.Nonlocal, ast.Global)) and names.intersection(node.names):
            return True
        if isinstance(node, ast.Call):
            receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
            passed = [receiver, *node.args, *(k.value for k in node.keywords)]
            if any(isinstance(p, ast.Name) and p.id in names for p in passed):
                return True
        if isinstance(node, (ast.Subscript, ast.Attribute)) and isinstance(node.ctx, (ast.Store, ast.Del)):
            base = node.value
            if isinstance(base, ast.Name) and base.id in names:
                return True
    return False


def _locals(func: ast.AST) -> set[str]:
    """Parameters and names the function binds (a loop on a module global may end when another
    function or a signal handler changes it)."""
    args = getattr(func, "args", None)
    bound = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)} if args is not None else set()
    for node in ast.walk(func):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
    return bound


class LoopConditionNeverChanges(Rule):
    id = "TG428"
    name = "loop-condition-never-changes"
    severity = "medium"
    confidence = "high"
    cwe = (835,)
    owasp = "A06:2025"
    message = "`while {condition}` never changes inside the loop: it runs forever once entered"
    placeholders = {"condition": "i < n"}
    aliases = ()
    what = (
        "The loop's condition `{condition}` reads only local values, and the loop body neither assigns "
        "them nor leaves the loop (`break`, `return`, `raise`): once the condition holds, it holds forever."
    )
    why = (
        "A request or job that enters the loop never finishes: it pins a CPU core and holds its worker, "
        "so a few such requests (an attacker only has to send the input that makes the condition true) "
        "leave the service unable to answer anyone. Assistants write this when they forget the counter "
        "update (`i += 1`) at the end of the body."
    )
    how = (
        "Update the values the condition reads in the body (`i += 1`), or loop with `for i in range(...)`, "
        "which cannot forget the increment."
    )
    example = "def fib(n):\n    a, b = 1, 1\n    for _ in range(2, n):\n        a, b = b, a + b\n    return b"
    fix_safety = "No automatic rewrite: which value the loop should advance is the author's intent."
    references = (
        "https://cwe.mitre.org/data/definitions/835.html",
        "https://docs.python.org/3/reference/compound_stmts.html#the-while-statement",
    )
    VALID = (
        "def fib(n):\n    a, b, i = 1, 1, 2\n    while i < n:\n        a, b = b, a + b\n        i += 1\n    return b\n",
        "def drain(items):\n    while len(items) > 0:\n        items.pop()\n",
        "def wait(limit):\n    tries = 0\n    while tries < limit:\n        if poll():\n            break\n",
        "def serve(sock):\n    while True:\n        handle(sock.accept())\n",
        "running = True\ndef loop():\n    while running == True:\n        step()\n",
        "def search(lo, hi, key):\n    while lo <= hi:\n        mid = (lo + hi) // 2\n        if key < mid:\n            hi = mid - 1\n"
        "        else:\n            lo = mid + 1\n",
        "def count(n):\n    i = 0\n    def step():\n        nonlocal i\n        i += 1\n    while i < n:\n        step()\n",
        "def fill(buf, size):\n    while len(buf) < size:\n        read_into(buf)\n",
        "def poll_until_ready(client):\n    ready = False\n    while not ready:\n        ready = client.status() == 'ok'\n",
        "def wait(event):\n    done = event.is_set()\n    while not done:\n        event.wait(1)\n",
        "def serve(stop):\n    running = True\n    while running:\n        handle()\n        if stop():\n            running = False\n",
        # a method of the sequence held in a local, called in the body
        "def trim(samples):\n    popleft = samples.popleft\n    while len(samples) > 1000:\n        popleft()\n",
    )
    INVALID = (
        # a method of another object held in a local changes nothing the condition reads
        Invalid(
            "def trim(samples, log):\n    write = log.write\n    while len(samples) > 1000:\n        write('full')\n",
            message="`while len(samples) > 1000`",
        ),
        Invalid(
            "def poll_until_ready(client):\n    ready = False\n    while not ready:\n        status = client.status()\n"
            "        print(status)\n    return status\n",
            message="`while not ready`",
        ),
        Invalid(
            "def fibonacci(n):\n    a, b = 1, 1\n    i = 2\n    while i < n:\n        a, b = b, a + b\n    return b\n",
            message="`while i < n`",
        ),
        Invalid(
            "def total(prices):\n    index, result = 0, 0\n    while index < len(prices):\n        result += prices[index]\n"
            "    return result\n",
        ),
        Invalid(
            "def retry(send, attempts):\n    tried = 0\n    while tried < attempts and attempts > 0:\n"
            "        if send():\n            print('sent')\n    return tried\n",
        ),
    )

    def visit_While(self, node: ast.While, ctx) -> None:
        func = ctx.function
        if func is None:
            return  # module code: a name may be changed by a function in another block
        names = _condition_names(node.test)
        if names is None and isinstance(node.test, ast.Compare):
            names = _length_condition(node.test)
        if names is None:
            names = _flag_condition(node.test, func)
        if not names or not names <= _locals(func):
            return
        body = list(_body_nodes(node.body))
        if any(isinstance(n, _EXITS) for n in body) or any(isinstance(n, ast.Await) for n in body):
            return
        if _changed(names, body) or _changed(names, list(_closure_nodes(func))):
            return
        methods = _bound_methods(names, func)
        if any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in methods for n in body):
            return  # `popleft = queue.popleft` ... `while len(queue) > n: popleft()`
        ctx.report(self, node.test, details={"condition": ctx.segment(ctx.span(node.test)).strip()})


def _length_condition(test: ast.Compare) -> Optional[set[str]]:
    """`i < len(items)`: names and the length of a named sequence."""
    found: set[str] = set()
    for operand in (test.left, *test.comparators):
        sequence = length_of(operand)
        if sequence is not None:
            found.add(sequence)
        elif isinstance(operand, ast.Name):
            found.add(operand.id)
        elif not isinstance(operand, ast.Constant):
            return None
    return found


def _flag_condition(test: ast.expr, func: ast.AST) -> Optional[set[str]]:
    """`while not done:` / `while running:` on a local flag the function only ever sets to constants
    (`done = False`): a value no other thread or object can change behind the loop's back."""
    operand = test.operand if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) else test
    if not isinstance(operand, ast.Name):
        return None
    stores = values = 0
    for node in ast.walk(func):
        if isinstance(node, ast.Name) and node.id == operand.id and isinstance(node.ctx, ast.Store):
            stores += 1
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if node.targets[0].id == operand.id:
                if not isinstance(node.value, ast.Constant):
                    return None
                values += 1
    # Every binding is a plain `flag = <constant>` (no loop target, `with ... as`, `+=`, tuple unpacking).
    return {operand.id} if stores and stores == values else None


def _bound_methods(names: set[str], func: ast.AST) -> set[str]:
    """Locals holding a method or attribute of a named object (`pop = items.pop`): calling one may
    change that object."""
    return {
        target.id
        for node in ast.walk(func)
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Attribute)
        and isinstance(node.value.value, ast.Name)
        and node.value.value.id in names
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _closure_nodes(func: ast.AST) -> Iterator[ast.AST]:
    """The nodes of functions nested in `func`, which may rebind a name `nonlocal`."""
    for node in ast.walk(func):
        if node is not func and isinstance(node, _NESTED):
            yield from ast.walk(node)
