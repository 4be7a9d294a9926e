"""TG106: Django raw SQL (`.raw()`, `.extra()`, `RawSQL`) built from values by formatting."""

from __future__ import annotations

import ast

from tabguard.engine.facts import dotted_name
from tabguard.engine.fixes import expression_fix
from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.injection import last_names
from tabguard.rules.injection._rewrite import replace_arguments
from tabguard.rules.injection._sql import parameterize, params_text
from tabguard.rules.injection._sql_splice import harmless_splices
from tabguard.rules.injection._strings import built_string, module_built, raised, unconfirmed

_RAW_SQL = frozenset({"django.db.models.expressions.RawSQL", "django.db.models.RawSQL"})
_EXTRA_KEYWORDS = ("select", "where", "tables", "order_by")


def _strings_in(value: ast.expr) -> list[ast.expr]:
    if isinstance(value, (ast.List, ast.Tuple, ast.Set)):
        return list(value.elts)
    if isinstance(value, ast.Dict):
        return [v for v in value.values if v is not None]
    return [value]


class DjangoRawSql(Rule):
    id = "TG106"
    name = "django-raw-sql-formatting"
    severity = "high"
    confidence = "high"
    lowers_confidence_without_taint = True
    raises_when_tainted = True
    cwe = (89,)
    owasp = "A05:2025"
    message = "Django `{callee}` receives SQL built from {what}"
    placeholders = {"callee": ".raw()", "what": "a variable"}
    aliases = ("B610", "B611", "S610", "S611")
    call_names = last_names(_RAW_SQL) | {"raw", "extra"}
    what = "Passes SQL text assembled with formatting from {what} to Django's `{callee}`, which runs it as written."
    why = (
        "The ORM escapes values only when it builds the query; `.raw()`, `.extra()` and `RawSQL` take "
        "SQL text as is. `User.objects.raw(f\"SELECT * FROM auth_user WHERE username = '{{name}}'\")` "
        "with a name of `x' OR '1'='1` returns every user."
    )
    how = (
        'Use ORM filters, or keep the SQL constant and pass values in `params`: `.raw("... WHERE id = '
        '%s", [user_id])`, `RawSQL("... = %s", (value,))`, `.extra(where=["a = %s"], params=[v])`.'
    )
    example = (
        'User.objects.raw("SELECT * FROM auth_user WHERE username = %s", [name])\nUser.objects.filter(username=name)'
    )
    fix_safety = (
        'Unsafe: `.raw(f"...")` becomes `.raw("... %s ...", [values])` when every value sits where '
        "SQL expects a value; quotes around values are dropped because the database driver quotes them."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/89.html",
        "https://docs.djangoproject.com/en/stable/topics/db/sql/#passing-parameters-into-raw",
        "https://docs.djangoproject.com/en/stable/ref/models/querysets/#extra",
    )
    VALID = (
        'def f(name):\n    return User.objects.raw("SELECT * FROM auth_user WHERE username = %s", [name])\n',
        'from django.db.models.expressions import RawSQL\ndef f(v):\n    return RawSQL("SELECT x FROM t WHERE y = %s", (v,))\n',
        'def f(v):\n    return Entry.objects.extra(where=["headline = %s"], params=[v])\n',
        'def f(text):\n    return text.raw(f"{text}")\n',
        # An ORM compiler composing SQL: a fragment with its own parameters, a quoted dotted name.
        "from django.db.models.expressions import RawSQL\ndef subquery(inner, connection):\n"
        "    sql, params = inner.get_compiler(connection=connection).as_sql()\n"
        '    return RawSQL("SELECT * FROM (%s) subquery" % sql, params)\n',
        "from django.db.models.expressions import RawSQL\ndef column(qn, field):\n"
        '    table, col = split_reference(field)\n    return RawSQL("%s.%s" % (qn(table), col), [])\n',
    )
    INVALID = (
        # `%%` wildcards around the value (a driver that formats `%` reads them as `%`): they move into it.
        Invalid(
            "def search(request):\n    term = request.GET.get('q', '')\n"
            "    return Product.objects.raw(f\"SELECT * FROM shop_product WHERE name LIKE '%%{term}%%'\")\n",
            "def search(request):\n    term = request.GET.get('q', '')\n"
            '    return Product.objects.raw("SELECT * FROM shop_product WHERE name LIKE %s", [f"%{term}%"])\n',
        ),
        Invalid(
            "from people.models import Person\nquery = \"SELECT * FROM people_person WHERE last_name = '%s'\" % name\n"
            "people = Person.objects.raw(query)\n"
        ),
        Invalid(
            "def f(name):\n    return User.objects.raw(f\"SELECT * FROM auth_user WHERE username = '{name}'\")\n",
            'def f(name):\n    return User.objects.raw("SELECT * FROM auth_user WHERE username = %s", [name])\n',
        ),
        Invalid("def f(order):\n    return Entry.objects.extra(where=[\"pub_date > '%s'\" % order])\n"),
        Invalid(
            "from django.db.models.expressions import RawSQL\ndef f(v):\n"
            '    return Thing.objects.annotate(x=RawSQL("SELECT a FROM b WHERE c = " + v, ()))\n'
        ),
        # A column name the caller passes, spliced into raw SQL: reported at low confidence.
        Invalid(
            "from django.db.models.expressions import RawSQL\ndef column(qn, table, col):\n"
            '    return RawSQL("%s.%s" % (qn(table), col), [])\n'
        ),
        # A fragment whose own parameters are dropped: its values are spliced in as text.
        Invalid(
            "from django.db.models.expressions import RawSQL\ndef f(inner, connection, name):\n"
            "    sql, params = inner.as_sql()\n"
            "    return RawSQL(\"SELECT * FROM (%s) s WHERE name = '%s'\" % (sql, name), [])\n"
        ),
        Invalid(
            "from django.http import JsonResponse\ndef f(request):\n    col = request.GET['sort']\n"
            "    return JsonResponse(list(Item.objects.extra(select={'s': 'items.%s' % col}).values()), safe=False)\n"
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        callee = ctx.call_name(node) or ""
        func = node.func
        candidates: list[ast.expr] = []
        if callee in _RAW_SQL or callee.endswith(".RawSQL") or callee == "RawSQL":
            label = "RawSQL"
            candidates = node.args[:1]
        elif isinstance(func, ast.Attribute) and func.attr in ("raw", "extra") and self._is_queryset(func.value):
            label = f".{func.attr}()"
            if func.attr == "raw":
                candidates = [node.args[0]] if node.args else []
            else:
                candidates = [s for k in node.keywords if k.arg in _EXTRA_KEYWORDS for s in _strings_in(k.value)]
        for candidate in candidates:
            built = built_string(candidate, ctx) or module_built(candidate, ctx)  # rewritten only when `candidate`
            source = ctx.taint(candidate)
            if built is None and source is None:
                continue
            if source is None and built is not None and harmless_splices(built, self._params(node, label), ctx):
                continue  # names where SQL expects names, values the code makes, fragments with their params
            fix = None
            if label == ".raw()" and built is candidate and len(node.args) == 1 and not node.keywords:
                rewrite = parameterize(built, "%s", ctx)
                if rewrite is not None:
                    fix = expression_fix(
                        ctx,
                        node,
                        replace_arguments(rewrite[0], extra=(params_text(rewrite[1], as_list=True),)),
                        "Fix: pass the values as query parameters",
                        safe=False,
                    )
            what = f"user input ({source.label})" if source else "a non-constant value"
            ctx.report(
                self,
                candidate,
                details={"callee": label, "what": what},
                source=source,
                fix=fix,
                severity=raised(self, source),
                confidence=unconfirmed(self, source),
            )
            return

    @staticmethod
    def _params(node: ast.Call, label: str) -> ast.expr | None:
        """The parameters passed with the SQL: `RawSQL(sql, params)`, `.raw(sql, params)`, `params=`."""
        keyword = next((k.value for k in node.keywords if k.arg == "params"), None)
        if keyword is not None or label == ".extra()":
            return keyword
        return node.args[1] if len(node.args) > 1 else None

    @staticmethod
    def _is_queryset(receiver: ast.expr) -> bool:
        name = dotted_name(receiver) or ""
        return "objects" in name.split(".") or name.endswith(("_set", ".all", ".filter", ".exclude", ".using"))
