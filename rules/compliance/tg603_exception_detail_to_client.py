"""TG603: an exception message or traceback sent back to the HTTP client."""

from __future__ import annotations

import ast
from typing import Iterator, Optional

from tabguard.engine.rule import Invalid, Rule
from tabguard.engine.types import Edit, Fix, Span
from tabguard.guards import words
from tabguard.rules.compliance._logs import log_call

_TRACEBACK_CALLS = frozenset(
    {
        "traceback.format_exc",
        "traceback.format_exception",
        "traceback.format_tb",
        "traceback.format_stack",
        "sys.exc_info",
    }
)
# Response builders and exceptions whose arguments reach the client.
_RESPONSE_CALLS = frozenset(
    {
        "jsonify",
        "Response",
        "JSONResponse",
        "HTMLResponse",
        "PlainTextResponse",
        "HttpResponse",
        "JsonResponse",
        "HttpResponseServerError",
        "HttpResponseBadRequest",
        "make_response",
        "json_response",
        "render_template",
        "render",
        "HTTPException",
        "abort",
        "dict",
        "dumps",
        "error_response",
        "api_response",
        "Problem",
    }
)
_TEXT_CALLS = frozenset({"str", "repr", "format"})
# Exception attributes that hold its text.
_TEXT_ATTRIBUTES = frozenset({"args", "message", "msg", "detail", "details", "strerror", "orig", "__str__", "__repr__"})
# Exceptions whose message is written for the client (validation, HTTP errors).
_CLIENT_FACING = (
    "Validation",
    "HTTPException",
    "BadRequest",
    "NotFound",
    "Http404",
    "PermissionDenied",
    "Forbidden",
    "Unauthorized",
    "AuthenticationFailed",
    "ValueError",
    "Form",
    "Schema",
    "UserError",
    "ClientError",
)
_ERROR_HANDLER_DECORATORS = ("errorhandler", "exception_handler", "app_errorhandler")
_VIEW_METHODS = frozenset({"get", "post", "put", "patch", "delete", "dispatch", "handle"})
GENERIC_MESSAGE = '"Internal server error"'


class ExceptionDetailToClient(Rule):
    id = "TG603"
    name = "exception-detail-to-client"
    severity = "medium"
    confidence = "medium"
    cwe = (209,)
    owasp = "A10:2025"
    message = "{what_leaks} returned to the client; return a generic message and log the details"
    placeholders = {"what_leaks": "Exception message"}
    what = "Sends {what_leaks} from an exception handler of an HTTP endpoint back in the response."
    why = (
        "Exception text describes the server's insides: SQL fragments and table names from database "
        "errors, file paths, host names and ports of internal services, library versions, sometimes "
        "the offending data or credentials in a connection string. An attacker provokes errors on "
        "purpose (odd input, wrong types) and uses the messages to map the system and tune an "
        "injection; a traceback hands over the source layout."
    )
    how = (
        "Return a fixed, generic message (with a correlation id if support needs one) and log the "
        "exception server-side with `logger.exception(...)`. Let validation errors that are meant for "
        "the client (e.g. pydantic `ValidationError`) keep their messages."
    )
    example = (
        '@app.post("/orders")\n@login_required\ndef create_order():\n    try:\n        order = service.create(request.json)\n'
        '    except Exception:\n        logger.exception("order creation failed")\n'
        '        return jsonify({"error": "Internal server error"}), 500\n    return jsonify(order), 201'
    )
    fix_safety = (
        "Unsafe: the client no longer sees the exception text (callers that parsed it must change); "
        "the rewrite adds `logging.exception(...)` before the response unless the handler already logs."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/209.html",
        "https://cheatsheetseries.owasp.org/cheatsheets/Error_Handling_Cheat_Sheet.html",
    )
    VALID = (
        "@app.route('/x')\ndef x():\n    try:\n        work()\n    except Exception:\n"
        "        logger.exception('failed')\n        return jsonify({'error': 'Internal server error'}), 500\n",
        "@app.route('/x')\ndef x():\n    try:\n        work()\n    except ValidationError as e:\n"
        "        return jsonify({'error': str(e)}), 400\n",
        "def worker():\n    try:\n        work()\n    except Exception as e:\n        return str(e)\n",
        "@app.route('/x')\ndef x():\n    try:\n        work()\n    except Exception as e:\n"
        "        logger.error('failed: %s', e)\n        return jsonify({'error': 'failed', 'type': 'server'}), 500\n",
        "@app.errorhandler(404)\ndef not_found(e):\n    return jsonify(error=str(e)), 404\n",
        "def view(request):\n    try:\n        work()\n    except LookupError as exc:\n        exc.request = request\n        raise exc\n",
    )
    INVALID = (
        Invalid(
            "import logging\n@app.route('/x')\ndef x():\n    try:\n        work()\n    except Exception as e:\n"
            "        return jsonify({'error': str(e)}), 500\n",
            "import logging\n@app.route('/x')\ndef x():\n    try:\n        work()\n    except Exception as e:\n"
            '        logging.exception("Request failed")\n'
            "        return jsonify({'error': \"Internal server error\"}), 500\n",
        ),
        Invalid(
            "@router.get('/items/{item_id}')\nasync def item(item_id: int):\n    try:\n        return load(item_id)\n"
            "    except Exception as exc:\n        logger.exception('load failed')\n"
            "        raise HTTPException(status_code=500, detail=f'Error: {exc}')\n",
            "@router.get('/items/{item_id}')\nasync def item(item_id: int):\n    try:\n        return load(item_id)\n"
            "    except Exception as exc:\n        logger.exception('load failed')\n"
            '        raise HTTPException(status_code=500, detail="Internal server error")\n',
        ),
        Invalid(
            "import logging\nimport traceback\ndef report(request):\n    try:\n        run()\n    except Exception:\n"
            "        return HttpResponse(traceback.format_exc(), status=500)\n",
            "import logging\nimport traceback\ndef report(request):\n    try:\n        run()\n    except Exception:\n"
            '        logging.exception("Request failed")\n'
            '        return HttpResponse("Internal server error", status=500)\n',
        ),
        Invalid(
            "@app.errorhandler(Exception)\ndef handle(error):\n    return {'message': repr(error)}, 500\n",
        ),
    )

    def visit_ExceptHandler(self, node: ast.ExceptHandler, ctx) -> None:
        function = ctx.function
        if function is None or not _is_http_handler(ctx, function) or _client_facing(node.type):
            return
        self._check_body(node.body, node.name, ctx, logs=_logs(ctx, node.body))

    def visit_FunctionDef(self, node: ast.FunctionDef, ctx) -> None:
        # `@app.errorhandler(Exception) def handle(e): return {"error": str(e)}`
        handlers = [d for d in node.decorator_list if (_decorator_name(d) or "").endswith(_ERROR_HANDLER_DECORATORS)]
        if not handlers or all(_handles_client_errors(d) for d in handlers):
            return
        params = [a.arg for a in node.args.args if a.arg not in ("self", "request")]
        if params:
            self._check_body(node.body, params[0], ctx, logs=True, fixable=False)

    visit_AsyncFunctionDef = visit_FunctionDef

    def _check_body(
        self, body: list[ast.stmt], exc_name: Optional[str], ctx, *, logs: bool, fixable: bool = True
    ) -> None:
        for stmt in body:
            value = stmt.value if isinstance(stmt, ast.Return) else stmt.exc if isinstance(stmt, ast.Raise) else None
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and _callee(stmt.value) == "abort":
                value = stmt.value  # abort(500, str(e)) raises the response
            if value is None or (isinstance(stmt, ast.Raise) and isinstance(value, ast.Name) and value.id == exc_name):
                continue  # `raise exc` re-raises, like `raise`: the framework's error page, not the message
            carriers = list(_carriers(ctx, value, exc_name, top=True))
            if not carriers:
                continue
            leaks = "Traceback" if any(_is_traceback(ctx, c) for c in carriers) else "Exception message"
            fix = _fix(ctx, stmt, carriers, logs, leaks) if fixable else None
            ctx.report(self, carriers[0], details={"what_leaks": leaks}, fix=fix)
            return


def _is_http_handler(ctx, function: ast.AST) -> bool:
    if ctx.route_decorators(function):
        return True
    params = [a.arg for a in function.args.args]
    if params[:1] == ["request"] or params[:1] == ["req"]:
        return True  # Django / aiohttp function view
    return params[:2] in (["self", "request"], ["self", "req"]) and function.name in _VIEW_METHODS


def _client_facing(type_node: Optional[ast.expr]) -> bool:
    if type_node is None:
        return False
    names = type_node.elts if isinstance(type_node, ast.Tuple) else [type_node]
    return all(any(marker in ast.unparse(n) for marker in _CLIENT_FACING) for n in names)


def _handles_client_errors(decorator: ast.expr) -> bool:
    """`@app.errorhandler(404)`, `@app.exception_handler(RequestValidationError)`: messages meant for clients."""
    if not isinstance(decorator, ast.Call) or not decorator.args:
        return False
    handled = decorator.args[0]
    if isinstance(handled, ast.Constant) and isinstance(handled.value, int):
        return handled.value < 500
    return _client_facing(handled)


def _decorator_name(decorator: ast.expr) -> Optional[str]:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return ast.unparse(target) if isinstance(target, (ast.Name, ast.Attribute)) else None


def _logs(ctx, body: list[ast.stmt]) -> bool:
    return any(isinstance(n, ast.Call) and log_call(ctx, n) == "log" for stmt in body for n in ast.walk(stmt))


def _is_traceback(ctx, node: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) and ctx.call_name(n) in _TRACEBACK_CALLS for n in ast.walk(node))


def _carries(ctx, node: ast.AST, exc_name: Optional[str]) -> bool:
    """True when the text of `node` includes the exception's message or a traceback."""
    if isinstance(node, ast.Name):
        return node.id == exc_name
    if isinstance(node, ast.Attribute):
        return isinstance(node.value, ast.Name) and node.value.id == exc_name and node.attr in _TEXT_ATTRIBUTES
    if isinstance(node, ast.Subscript):
        return _carries(ctx, node.value, exc_name)
    if isinstance(node, ast.Call):
        if ctx.call_name(node) in _TRACEBACK_CALLS:
            return True
        func = node.func
        if (isinstance(func, ast.Name) and func.id in _TEXT_CALLS) or (
            isinstance(func, ast.Attribute) and func.attr in ("format", "join")
        ):
            parts = [*node.args, *(k.value for k in node.keywords)]
            if isinstance(func, ast.Attribute):
                parts.append(func.value)
            return any(_carries(ctx, p, exc_name) for p in parts)
        return False
    if isinstance(node, ast.JoinedStr):
        return any(_carries(ctx, v.value, exc_name) for v in node.values if isinstance(v, ast.FormattedValue))
    if isinstance(node, ast.BinOp):
        return _carries(ctx, node.left, exc_name) or _carries(ctx, node.right, exc_name)
    return False


def _carriers(ctx, node: ast.AST, exc_name: Optional[str], top: bool = False) -> Iterator[ast.AST]:
    """The smallest text-building expressions inside a response that carry the exception."""
    if _carries(ctx, node, exc_name):
        yield node
        return
    if isinstance(node, (ast.Tuple, ast.List)):
        for element in node.elts:
            yield from _carriers(ctx, element, exc_name)
    elif isinstance(node, ast.Dict):
        for value in node.values:
            yield from _carriers(ctx, value, exc_name)
    elif isinstance(node, ast.Call):
        callee = _callee(node)
        if callee in _RESPONSE_CALLS or (top and any(w in ("response", "error") for w in words(callee))):
            for arg in (*node.args, *(k.value for k in node.keywords if k.arg not in ("status", "status_code"))):
                # A bare exception handed to a helper (`error_response(e)`) may well be logged, not shown.
                if not (isinstance(arg, ast.Name) and arg.id == exc_name):
                    yield from _carriers(ctx, arg, exc_name)


def _callee(call: ast.Call) -> str:
    return call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")


def _fix(ctx, stmt: ast.stmt, carriers: list[ast.AST], logs: bool, leaks: str):
    # The title says what the rewrite does: which text is replaced, and whether a log line is added.
    title = f"Fix: send {GENERIC_MESSAGE} instead of the {leaks.lower()}"
    if not logs:
        title += ", log it with logging.exception"

    def build() -> Fix:
        edits = [Edit(ctx.span(c), GENERIC_MESSAGE) for c in carriers]
        imports: tuple[str, ...] = ()
        if not logs:
            line = stmt.lineno - 1
            indent = ctx.lines[line][: len(ctx.lines[line]) - len(ctx.lines[line].lstrip())]
            edits.insert(0, Edit(Span(line, 0, line, 0), f'{indent}logging.exception("Request failed")\n'))
            imports = ("logging",)
        return Fix(title, tuple(edits), False, imports)

    return build
