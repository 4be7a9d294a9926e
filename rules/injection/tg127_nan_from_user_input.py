"""TG127: `float()` / `complex()` of request data, which accepts "nan" and "inf" and so slips past comparisons."""

from __future__ import annotations

import ast
import re

from tabguard.engine.fixes import edits_fix, insert_below
from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.files._flow import remote_taint

# Checks that reject NaN or infinity (math, numpy, cmath spellings).
_FINITE_CHECKS = re.compile(r"(^|\.)(isfinite|isnan|isinf)$")
# Conversions that raise on NaN and infinity, so the value cannot get through them.
_NON_FINITE = frozenset({"nan", "inf", "infinity"})
_REJECTING = frozenset({"int", "round", "math.floor", "math.ceil", "math.trunc"})


class NanFromUserInput(Rule):
    id = "TG127"
    name = "nan-from-user-input"
    severity = "medium"
    confidence = "medium"
    cwe = (704, 1287)
    owasp = "A06:2025"
    message = '`{callee}()` of user input ({source}) accepts "nan" and "inf", which slip past comparison checks'
    placeholders = {"callee": "float", "source": "request.args"}
    call_names = frozenset({"float", "complex"})
    what = (
        "A number parsed with `{callee}()` from {source} is used without checking that it is finite: "
        '`float("nan")`, `float("inf")` and `complex("nan")` succeed.'
    )
    why = (
        "Every comparison with NaN is false, so `if amount <= 0: reject()` and `if amount > balance: "
        "reject()` both let `amount=nan` through; the NaN then spreads into every sum it touches (a "
        "balance, a total, a score) and is stored. Infinity passes `> 0` checks and turns a delay, a "
        "quantity or a limit into forever or everything."
    )
    how = (
        "Reject non-finite values right after parsing (`if not math.isfinite(x): abort(400)`), or "
        "parse with a type that refuses them (`int()`, a `Decimal` with an explicit finite check, a "
        "schema field such as pydantic's `confloat(allow_inf_nan=False)`)."
    )
    example = (
        "def pay():\n"
        '    amount = float(request.form["amount"])\n'
        "    if not math.isfinite(amount) or amount <= 0:\n"
        "        abort(400)\n"
        "    return charge(amount)"
    )
    fix_safety = (
        "Unsafe: after `x = float(...)` the rewrite adds `if not math.isfinite(x): raise ValueError(...)` "
        "(`cmath` for `complex`), so NaN and infinity are refused the way text that is no number at "
        "all already is (`float()` raises ValueError for it). Map the error to a 400 response if the "
        "framework does not. A conversion used inside a larger expression has no mechanical rewrite."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/1287.html",
        "https://docs.python.org/3/library/math.html#math.isfinite",
    )
    VALID = (
        "import math\nfrom flask import request\n@app.post('/pay')\ndef pay():\n"
        "    amount = float(request.form['amount'])\n    if not math.isfinite(amount) or amount <= 0:\n"
        "        abort(400)\n    return charge(amount)\n",
        "from flask import request\n@app.get('/page')\ndef page():\n    return show(int(float(request.args['n'])))\n",
        "from flask import request\n@app.get('/avg')\ndef avg():\n    return str(float(len(request.args)))\n",
        "import sys\nthreshold = float(sys.argv[1])\n",
        "def scale(value):\n    return float(value) * 2\n",
        "def rate(request):\n    text = request.GET['rate']\n    if text.strip().lower() in ('nan', 'inf'):\n"
        "        raise ValueError(text)\n    return float(text)\n",
    )
    INVALID = (
        Invalid(
            "from flask import request\n@app.post('/withdraw')\ndef withdraw():\n"
            "    amount = float(request.form['amount'])\n    if amount > current_user.balance:\n"
            "        abort(400)\n    current_user.balance -= amount\n",
            "import math\nfrom flask import request\n@app.post('/withdraw')\ndef withdraw():\n"
            "    amount = float(request.form['amount'])\n    if not math.isfinite(amount):\n"
            '        raise ValueError("amount must be a finite number")\n'
            "    if amount > current_user.balance:\n        abort(400)\n    current_user.balance -= amount\n",
        ),
        Invalid(
            "import time\ndef delay(request):\n    seconds = float(request.GET.get('delay', 0))\n"
            "    if seconds > 0:\n        time.sleep(seconds)\n",
            "import math\nimport time\ndef delay(request):\n    seconds = float(request.GET.get('delay', 0))\n"
            '    if not math.isfinite(seconds):\n        raise ValueError("seconds must be a finite number")\n'
            "    if seconds > 0:\n        time.sleep(seconds)\n",
        ),
        Invalid(
            "from flask import request\n@app.get('/gain')\ndef gain():\n"
            "    return str(abs(complex(request.args['z'])) * LEVEL)\n",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        callee = ctx.call_name(node)
        if callee not in self.call_names or len(node.args) != 1:
            return
        source = remote_taint(ctx, node.args[0])
        if source is None:
            return
        parent = ctx.parent(node)
        if isinstance(parent, ast.Call) and ctx.call_name(parent) in _REJECTING:
            return  # `int(float(x))` raises on NaN and infinity
        if ctx.memo(("finite-check", id(ctx.function)), lambda: _checks_finite(ctx)):
            return
        ctx.report(self, node, details={"callee": callee}, source=source, fix=_finite_check(ctx, node, parent, callee))


def _finite_check(ctx, call: ast.Call, statement, callee: str):
    """`x = float(...)` is followed by `if not math.isfinite(x): raise ValueError(...)` (cmath for
    complex): a non-finite number is refused like text that is no number at all."""
    if not (
        isinstance(statement, ast.Assign)
        and statement.value is call
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
    ):
        return None
    name = statement.targets[0].id
    module = "cmath" if callee == "complex" else "math"
    edit = insert_below(
        ctx, statement, f'if not {module}.isfinite({name}):\n    raise ValueError("{name} must be a finite number")'
    )
    return (
        edits_fix([edit], f"Fix: refuse NaN and infinity with {module}.isfinite", safe=False, imports=(module,))
        if edit
        else None
    )


def _checks_finite(ctx) -> bool:
    """Whether the enclosing function (or module code) tests some value with isfinite/isnan/isinf, or
    compares a text with "nan" / "inf" (`if s.lower() == "nan": abort()`)."""
    for n in ctx.scope_nodes():
        if type(n) is ast.Call and _FINITE_CHECKS.search(ctx.qualname(n.func) or ""):
            return True
        if type(n) is ast.Compare and any(_names_non_finite(c) for c in (n.left, *n.comparators)):
            return True
    return False


def _names_non_finite(expr: ast.expr) -> bool:
    """`"nan"`, or a literal collection holding "nan" / "inf"."""
    items = expr.elts if isinstance(expr, (ast.Tuple, ast.List, ast.Set)) else (expr,)
    return any(
        type(c) is ast.Constant and isinstance(c.value, str) and c.value.strip().lower().lstrip("+-") in _NON_FINITE
        for c in items
    )
