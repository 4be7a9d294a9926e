"""TG214: CSRF protection switched off for a view or for the whole application."""

from __future__ import annotations

import ast
import re

from tabguard.engine.fixes import expression_fix, set_keyword
from tabguard.engine.rule import Invalid, Rule, Valid
from tabguard.rules.defaults._common import (
    CONFIG_METHODS,
    is_false,
    is_settings_path,
    replace_with,
    settings_written,
    string_value,
)

_CSRF_SETTINGS = frozenset({"WTF_CSRF_ENABLED", "CSRF_ENABLED"})
# Decorators that restrict a Django view to safe methods, where a CSRF exemption changes nothing.
_SAFE_ONLY = frozenset({"require_GET", "require_safe"})
# A webhook that authenticates the sender by signature does not rely on cookies, so exempting it is right.
_SIGNATURE_CHECK = re.compile(
    r"(signature|construct_event|compare_digest|verify_webhook|validate_request)", re.IGNORECASE
)
_CSRF_MIDDLEWARE = "django.middleware.csrf.CsrfViewMiddleware"


class CsrfDisabled(Rule):
    id = "TG214"
    name = "csrf-disabled"
    severity = "high"
    confidence = "medium"
    cwe = (352,)
    quiet_in_tests = True
    owasp = "A01:2025"
    message = "CSRF protection disabled: {detail}"
    placeholders = {"detail": "`@csrf_exempt` on a view"}
    call_names = frozenset({"csrf_exempt", "method_decorator"}) | CONFIG_METHODS
    call_keywords = frozenset({"require_csrf", "check_origin"})
    what = "{detail}, so a state-changing request forged by another website is accepted with the user's cookies."
    why = (
        "Browsers attach the session cookie to a form that `evil.example` auto-submits to your site. "
        "Without the CSRF token check the request changes the victim's email, password, or money "
        "transfers as if they had clicked the button. Assistants add `@csrf_exempt` or "
        "`WTF_CSRF_ENABLED = False` to make a failing POST or an API call work."
    )
    how = (
        "Keep the check and send the token (`{{% csrf_token %}}`, the `X-CSRFToken` header from the cookie "
        "in fetch calls). An API that authenticates with a bearer token instead of cookies, or a webhook "
        "that verifies a signature, can be exempt; say why in a comment. Keep Django's "
        "`CsrfViewMiddleware` in `MIDDLEWARE`."
    )
    example = (
        "@require_POST\ndef update_email(request):  # CSRF checked by CsrfViewMiddleware\n    ...\n"
        'app.config["WTF_CSRF_ENABLED"] = True'
    )
    fix_safety = (
        "Unsafe: re-enabling the check (`WTF_CSRF_ENABLED = True`, `require_csrf=True`) rejects clients "
        "that do not send the token yet. `@csrf_exempt` has no rewrite: its removal needs the front end "
        "to send the token."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/352.html",
        "https://docs.djangoproject.com/en/stable/ref/csrf/",
        "https://flask-wtf.readthedocs.io/en/stable/csrf/",
        "https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html",
    )
    VALID = (
        "from django.views.decorators.csrf import csrf_exempt\nfrom django.views.decorators.http import require_GET\n"
        "@csrf_exempt\n@require_GET\ndef ping(request):\n    return HttpResponse('ok')\n",
        "from django.views.decorators.csrf import csrf_exempt\n@csrf_exempt\ndef stripe_webhook(request):\n"
        "    event = stripe.Webhook.construct_event(request.body, request.headers['Stripe-Signature'], SECRET)\n"
        "    return handle(event)\n",
        "app.config['WTF_CSRF_ENABLED'] = True\n",
        "app.config.update(WTF_CSRF_ENABLED=False, TESTING=True)\n",
        Valid("WTF_CSRF_ENABLED = False\n", path="tests/conftest.py"),
        Valid(
            "MIDDLEWARE = [\n    'django.middleware.security.SecurityMiddleware',\n"
            "    'django.middleware.csrf.CsrfViewMiddleware',\n]\n",
            path="mysite/settings.py",
        ),
        "from pyramid.view import view_config\n@view_config(route_name='home', require_csrf=True)\ndef home(request):\n    pass\n",
    )
    INVALID = (
        Invalid(
            "from django.views.decorators.csrf import csrf_exempt\n@csrf_exempt\ndef transfer(request):\n"
            "    Transfer.objects.create(to=request.POST['to'], amount=request.POST['amount'])\n"
            "    return redirect('/')\n"
        ),
        Invalid("app.config['WTF_CSRF_ENABLED'] = False\n", "app.config['WTF_CSRF_ENABLED'] = True\n"),
        Invalid("WTF_CSRF_ENABLED = False\n", "WTF_CSRF_ENABLED = True\n", path="config.py"),
        Invalid(
            "MIDDLEWARE = [\n    'django.middleware.security.SecurityMiddleware',\n"
            "    'django.contrib.sessions.middleware.SessionMiddleware',\n"
            "    'django.middleware.common.CommonMiddleware',\n]\n",
            path="mysite/settings.py",
        ),
        Invalid(
            "from pyramid.view import view_config\n@view_config(route_name='pay', request_method='POST', require_csrf=False)\n"
            "def pay(request):\n    pass\n",
            "from pyramid.view import view_config\n@view_config(route_name='pay', request_method='POST', require_csrf=True)\n"
            "def pay(request):\n    pass\n",
        ),
        Invalid(
            "from django.urls import path\nfrom django.views.decorators.csrf import csrf_exempt\n"
            "urlpatterns = [path('pay/', csrf_exempt(PayView.as_view()))]\n"
        ),
        Invalid(
            "def includeme(config):\n    config.set_default_csrf_options(require_csrf=False)\n",
            "def includeme(config):\n    config.set_default_csrf_options(require_csrf=True)\n",
        ),
    )

    def visit_FunctionDef(self, node: ast.FunctionDef, ctx) -> None:
        exempt = next((d for d in node.decorator_list if (ctx.qualname(d) or "").endswith("csrf_exempt")), None)
        if exempt is None or self._safe_only(node, ctx) or self._checks_signature(node):
            return
        ctx.report(self, exempt, details={"detail": f"`@csrf_exempt` on view `{node.name}`"})

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Assign(self, node: ast.Assign, ctx) -> None:
        self._check_settings(node, ctx)
        if (
            is_settings_path(ctx.path)
            and ctx.function is None
            and any(isinstance(t, ast.Name) and t.id in ("MIDDLEWARE", "MIDDLEWARE_CLASSES") for t in node.targets)
            and isinstance(node.value, (ast.List, ast.Tuple))
        ):
            entries = [string_value(e) for e in node.value.elts]
            if all(entries) and any(e.startswith("django.") for e in entries) and _CSRF_MIDDLEWARE not in entries:
                ctx.report(self, node.targets[0], details={"detail": "`CsrfViewMiddleware` missing from `MIDDLEWARE`"})

    def visit_Call(self, node: ast.Call, ctx) -> None:
        self._check_settings(node, ctx)
        # `path("pay/", csrf_exempt(PayView.as_view()))`, `@method_decorator(csrf_exempt, name="dispatch")`.
        callee = ctx.call_name(node) or ""
        wrapped = node.args[0] if node.args else None
        if (
            callee.endswith("csrf_exempt")
            and wrapped is not None
            or (callee.endswith("method_decorator") and (ctx.qualname(wrapped) or "").endswith("csrf_exempt"))
        ):
            ctx.report(self, node, details={"detail": f"`{ast.unparse(node)[:60]}`"})
        # Pyramid: `@view_config(require_csrf=False)`, `config.set_default_csrf_options(require_csrf=False, check_origin=False)`.
        for name in ("require_csrf", "check_origin"):
            keyword = ctx.keyword(node, name)
            if keyword is not None and is_false(keyword.value):
                ctx.report(
                    self,
                    keyword,
                    details={"detail": f"`{name}=False`"},
                    fix=expression_fix(ctx, node, set_keyword(name, "True"), f"Fix: {name}=True", safe=False),
                )

    def _check_settings(self, node: ast.AST, ctx) -> None:
        for setting in settings_written(node, ctx):
            if setting.key in _CSRF_SETTINGS and is_false(setting.value):
                ctx.report(
                    self,
                    setting.anchor,
                    details={"detail": f"`{setting.key} = False`"},
                    fix=expression_fix(
                        ctx, setting.value, replace_with("True"), f"Fix: {setting.key} = True", safe=False
                    ),
                )

    @staticmethod
    def _safe_only(node: ast.FunctionDef, ctx) -> bool:
        for decorator in node.decorator_list:
            name = (ctx.qualname(decorator.func if isinstance(decorator, ast.Call) else decorator) or "").rpartition(
                "."
            )[2]
            if name in _SAFE_ONLY:
                return True
            if name == "require_http_methods" and isinstance(decorator, ast.Call) and decorator.args:
                methods = decorator.args[0]
                if isinstance(methods, (ast.List, ast.Tuple)) and all(
                    (string_value(m) or "").upper() in ("GET", "HEAD", "OPTIONS") for m in methods.elts
                ):
                    return True
        return False

    @staticmethod
    def _checks_signature(node: ast.FunctionDef) -> bool:
        return any(isinstance(n, ast.Call) and _SIGNATURE_CHECK.search(ast.unparse(n.func)) for n in ast.walk(node))
