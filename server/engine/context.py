"""What a rule sees while the shared traversal visits one block."""

from __future__ import annotations

import ast
import re
import uuid
from typing import TYPE_CHECKING, Callable, Hashable, Iterable, Optional, TypeVar

from tabguard.engine.facts import ModuleFacts, django_view_shape, dotted_name, record_import
from tabguard.engine.semantic import SemanticModel
from tabguard.engine.taint import Scope, Source
from tabguard.engine.testcode import is_test_function, is_test_path
from tabguard.engine.types import Finding, Fix, Related, Span
from tabguard.engine.walk import children, operands

if TYPE_CHECKING:
    from tabguard.engine.rule import Rule
    from tabguard.engine.summaries import FunctionSummary, SummaryProvider

T = TypeVar("T")
ROUTE_DECORATOR = re.compile(r"(^|\.)(route|get|post|put|patch|delete|head|options|api_route|websocket|view)$")
_FLASK_PATH_PARAM = re.compile(r"<(?:[^:<>]+:)?(\w+)>")
# A converter never holds a brace: stopping at one keeps `{a:{a:{a:...` linear.
_FASTAPI_PATH_PARAM = re.compile(r"{(\w+)(?::[^{}]*)?}")
# FastAPI/Starlette handler parameters that are framework objects, not user input.
_NOT_INPUT_ANNOTATIONS = re.compile(
    r"(Request|WebSocket|Session|AsyncSession|BackgroundTasks|Response|HTTPConnection|SecurityScopes|User|Connection)\b"
)
# What a value captured from a URL is (Django's converters give text, a number or a UUID): a
# parameter with other attributes, or with attributes assigned, is an object some caller passes.
_URL_VALUE_ATTRIBUTES = frozenset(dir(str)) | frozenset(dir(int)) | frozenset(dir(uuid.UUID))
_NESTED_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
# Fields that hold statements, in source order (`try`: body, handlers, else, finally; `match`: cases).
_STATEMENT_FIELDS = ("body", "handlers", "orelse", "finalbody", "cases")
_HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})
# Modules whose classes, subclassed, handle requests method by method (`MethodView`, `Resource`,
# `View`, `APIView`, `RequestHandler`).
_VIEW_MODULES = ("flask.views.", "flask_restful.", "flask_restx.", "django.views.", "rest_framework.", "tornado.web.")
_NOT_INPUT_PARAMS = frozenset({"self", "cls", "db", "session", "current_user", "user", "background_tasks", "response"})


class Context:
    """Per-block state for rules: names, positions, taint, configuration, and reporting."""

    def __init__(self, lines: list[str], module: ModuleFacts, path: str, options: Optional[dict] = None):
        self.lines = lines
        self.module = module
        self.path = path
        self.options = options or {}
        self.findings: list[Finding] = []
        self.scope = Scope(self, None, None)
        # The enclosing function definitions, innermost last.
        self.functions: list[ast.AST] = []
        self.parents: dict[int, ast.AST] = {}
        self._qualnames: dict[int, Optional[str]] = {}
        self._scope_nodes: dict[int, list[ast.AST]] = {}
        self._scope_statements: dict[int, list[ast.stmt]] = {}
        self._local_imports: dict[int, dict[str, str]] = {}
        self.tree: Optional[ast.Module] = None  # the block being checked
        self._memo: dict = {}
        # Inter-procedural flow: the rules by id (a call reports its callee's sink under the sink's
        # rule), where callees are summarized, the summary being built when this check summarizes a
        # function, what the block's methods stored in `self` attributes (attribute -> source), and
        # the block's first line in its file.
        self.rules: dict[str, "Rule"] = {}
        self.provider: Optional["SummaryProvider"] = None
        self.summary: Optional["FunctionSummary"] = None
        self.self_attrs: dict[str, Source] = {}
        self.block_start = 0
        self.rule: Optional["Rule"] = None  # the rule being run (the checker sets it)
        # Every id a suppression comment may name (the whole catalog, not only the selected rules).
        self.known_ids: frozenset[str] = frozenset()

    # -- shared answers --------------------------------------------------------------------------
    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()`, once per block check: rules that ask the same costly question (a handler's
        routes, an import's resolution) share the answer. Keys name the question, e.g.
        `("handler", id(func))`; answers go away with the check."""
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = compute()
            return value

    @property
    def model(self) -> SemanticModel:
        """The block's scopes and bindings (see engine/semantic.py), built on first use."""
        return self.memo("semantic-model", lambda: SemanticModel(self.tree, self.lines, self.parents))

    @property
    def in_test_code(self) -> bool:
        """The module being checked is test code: a test module, or in a test tree (engine/testcode.py).
        Rules with `quiet_in_tests` report nothing there; others may ask."""
        return self.memo("test-module", lambda: is_test_path(self.path))

    @property
    def in_test_function(self) -> bool:
        """A function named as a test (`def test_login`) encloses the node, in any module."""
        return any(is_test_function(f) for f in self.functions)

    # -- names ---------------------------------------------------------------------------------
    def qualname(self, node: Optional[ast.AST]) -> Optional[str]:
        """Qualified name of a Name/Attribute chain through the module's imports.

        `from subprocess import run as r` makes `r` -> `subprocess.run`; unresolved roots stay as
        written (`requests.get` without a visible import is still `requests.get`).
        """
        if node is None:
            return None
        key = id(node)
        if key in self._qualnames:
            return self._qualnames[key]
        self._qualnames[key] = name = self._resolve(node)
        return name

    def import_seen(self, node: ast.Import | ast.ImportFrom) -> None:
        """An import inside a function binds names for that function (and those nested in it) only."""
        if self.functions:
            record_import(node, self._local_imports.setdefault(id(self.functions[-1]), {}))
            self._qualnames.clear()  # names resolved before this import may now mean something else

    def _resolve(self, node: ast.AST) -> Optional[str]:
        dotted = dotted_name(node)
        if dotted is None:
            return None
        root, _, rest = dotted.partition(".")
        target = None
        for func in reversed(self.functions):
            target = self._local_imports.get(id(func), {}).get(root)
            if target is not None:
                break
        else:
            target = self.module.imports.get(root)
        if target is None:
            return dotted
        return f"{target}.{rest}" if rest else target

    def call_name(self, call: ast.Call) -> Optional[str]:
        return self.qualname(call.func)

    @staticmethod
    def keyword(call: ast.Call, name: str) -> Optional[ast.keyword]:
        for keyword in call.keywords:
            if keyword.arg == name:
                return keyword
        return None

    def argument(self, call: ast.Call, position: int, name: str) -> Optional[ast.expr]:
        """The argument passed at `position` or as keyword `name`."""
        keyword = self.keyword(call, name)
        if keyword is not None:
            return keyword.value
        if position < len(call.args) and not any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
            return call.args[position]
        return None

    def is_constant(self, node: Optional[ast.AST]) -> bool:
        """True for literals, module-level constants, and strings built only from those."""
        if node is None:
            return True
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.Name):
            return node.id in self.module.constants and self.scope.lookup(node.id) is None and node.id.isupper()
        if isinstance(node, ast.JoinedStr):
            return all(self.is_constant(v) for v in node.values)
        if isinstance(node, ast.FormattedValue):
            return self.is_constant(node.value)
        if isinstance(node, ast.BinOp):
            return all(self.is_constant(v) for v in operands(node))
        if isinstance(node, (ast.List, ast.Tuple)):
            return all(self.is_constant(e) for e in node.elts)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("format", "join"):
            return (
                self.is_constant(node.func.value)
                and all(self.is_constant(a) for a in node.args)
                and all(self.is_constant(k.value) for k in node.keywords)
            )
        return False

    def constant_value(self, node: Optional[ast.AST]) -> object:
        """The value of a literal or a module constant, else None."""
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name) and self.scope.lookup(node.id) is None:
            return self.module.constants.get(node.id)
        return None

    # -- taint ---------------------------------------------------------------------------------
    def taint(self, node: Optional[ast.AST]) -> Optional[Source]:
        """The source of outside input flowing into `node`, as the rule asking sees it (input that
        counts only for some sinks, like an environment variable, is none for the others)."""
        source = self.scope.taint(node)
        if source is not None and source.only and self.rule is not None and not source.counts_for(self.rule.cwe):
            return None
        return source

    def chosen_argument(self, node: ast.AST) -> bool:
        """`args.mode` or `args.mode[0]`: a parsed command-line (or reqparse) argument declared with
        `choices=` in this scope, so one of the listed values."""
        if isinstance(node, ast.Subscript):
            node = node.value
        return isinstance(node, ast.Attribute) and self.scope.chosen(node)

    @property
    def function(self) -> Optional[ast.AST]:
        return self.functions[-1] if self.functions else None

    def parent(self, node: ast.AST) -> Optional[ast.AST]:
        return self.parents.get(id(node))

    def scope_nodes(self, root: Optional[ast.AST] = None) -> list[ast.AST]:
        """Every node of one scope (default: the innermost function, else the block's module code),
        not descending into nested functions, lambdas or classes. Built once per scope and shared
        by all rules, so asking again is cheap."""
        root = root if root is not None else (self.function or self.tree)
        if root is None:
            return []
        key = id(root)
        nodes = self._scope_nodes.get(key)
        if nodes is None:
            nodes = []
            stack = children(root)
            while stack:
                node = stack.pop()
                nodes.append(node)
                if not isinstance(node, _NESTED_SCOPES):
                    stack.extend(children(node))
            nodes.sort(key=_position)
            self._scope_nodes[key] = nodes
        return nodes

    def scope_statements(self, root: Optional[ast.AST] = None) -> list[ast.stmt]:
        """The statements of one scope (as `scope_nodes` bounds it), nested blocks included, in source
        order; a nested `def` or `class` is listed but not entered. Where a name is assigned or checked
        is read from these, without walking the scope's expressions. Built once per scope."""
        root = root if root is not None else (self.function or self.tree)
        if root is None:
            return []
        key = id(root)
        found = self._scope_statements.get(key)
        if found is None:
            found = self._scope_statements[key] = []
            stack = [root]
            while stack:  # pre-order, blocks pushed in reverse: source order
                node = stack.pop()
                if node is not root and isinstance(node, ast.stmt):
                    found.append(node)
                if node is root or not isinstance(node, _NESTED_SCOPES):
                    for name in reversed(_STATEMENT_FIELDS):
                        block = getattr(node, name, None)
                        if type(block) is list:
                            stack.extend(reversed(block))
        return found

    def route_decorators(self, func: ast.AST) -> list[ast.Call]:
        """The route decorators (`@app.route(...)`, `@router.get(...)`, ...) of a function."""
        found = []
        for decorator in getattr(func, "decorator_list", ()):
            if isinstance(decorator, ast.Call):
                name = dotted_name(decorator.func) or ""
                if ROUTE_DECORATOR.search(name) and "." in name:
                    found.append(decorator)
        return found

    def route_param_sources(self, func: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, Source]:
        """Parameters of an HTTP handler that the client controls (path, query and body values)."""
        routes = self.route_decorators(func)
        params = [*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs]
        sources: dict[str, Source] = {}
        if routes:
            paths = [
                d.args[0].value
                for d in routes
                if d.args and isinstance(d.args[0], ast.Constant) and isinstance(d.args[0].value, str)
            ]
            in_path = {m for p in paths for m in (*_FLASK_PATH_PARAM.findall(p), *_FASTAPI_PATH_PARAM.findall(p))}
            fastapi_style = any(_FASTAPI_PATH_PARAM.search(p) for p in paths) or not any("<" in p for p in paths)
            defaults = _defaults_by_param(func)
            for arg in params:
                if arg.arg in in_path:
                    sources[arg.arg] = Source(self.span(arg), f"route parameter '{arg.arg}'")
                elif fastapi_style and self._is_fastapi_input(arg, defaults.get(arg.arg)):
                    sources[arg.arg] = Source(self.span(arg), f"request parameter '{arg.arg}'")
        elif len(params) > 1 and django_view_shape(func, self.module.imports):
            # A Django view: parameters after `request` are captured from the URL, unless the function
            # treats one as an object (`render_page(request, page)` called with a fetched record).
            objects = self._objects(func)
            for arg in params[1:]:
                if arg.arg not in _NOT_INPUT_PARAMS and not arg.arg.startswith("_") and arg.arg not in objects:
                    sources[arg.arg] = Source(self.span(arg), f"URL parameter '{arg.arg}'")
        elif self._view_method(func):
            # `def get(self, user_id)` of a Flask MethodView / Flask-RESTful Resource / Tornado handler,
            # `def get(self, request, pk)` of a Django or DRF class-based view: the URL's captured values.
            skip = 2 if len(params) > 1 and params[1].arg == "request" else 1
            for arg in params[skip:]:
                if arg.arg not in _NOT_INPUT_PARAMS and arg.arg != "format" and not arg.arg.startswith("_"):
                    sources[arg.arg] = Source(self.span(arg), f"URL parameter '{arg.arg}'")
        return sources

    def _view_method(self, func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        """An HTTP-verb method of a class deriving directly from a web framework's view or handler class."""
        cls = self.parent(func)
        if func.name not in _HTTP_VERBS or not isinstance(cls, ast.ClassDef):
            return False
        return any((self.qualname(base) or "").startswith(_VIEW_MODULES) for base in cls.bases)

    def _objects(self, func: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
        """Names in `func` whose attributes are assigned (`page.title = ...`) or read under a name no
        URL value has (`page.content`)."""
        return {
            node.value.id
            for node in self.scope_nodes(func)
            if isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and (isinstance(node.ctx, ast.Store) or node.attr not in _URL_VALUE_ATTRIBUTES)
        }

    @staticmethod
    def _is_fastapi_input(arg: ast.arg, default: Optional[ast.expr]) -> bool:
        annotation = ast.unparse(arg.annotation) if arg.annotation is not None else ""
        # `user: UserUpdate` is the body the client sent; a bare `user` (or `user: User`) is the
        # signed-in user some decorator or dependency passes.
        body = arg.arg == "user" and bool(annotation) and not _NOT_INPUT_ANNOTATIONS.search(annotation)
        if arg.arg in _NOT_INPUT_PARAMS and not body:
            return False
        if annotation and _NOT_INPUT_ANNOTATIONS.search(annotation) and "Annotated" not in annotation:
            return False
        if "Depends" in annotation or "Security" in annotation:
            return False
        if isinstance(default, ast.Call) and (dotted_name(default.func) or "").split(".")[-1] in (
            "Depends",
            "Security",
        ):
            return False
        return True

    # -- positions -----------------------------------------------------------------------------
    def span(self, node: ast.AST) -> Span:
        """Block-relative span of an ast node, columns in code points."""
        start_line = node.lineno - 1
        end_line = (getattr(node, "end_lineno", None) or node.lineno) - 1
        end_col = getattr(node, "end_col_offset", None)
        return Span(
            start_line,
            self._col(start_line, node.col_offset),
            end_line,
            self._col(end_line, end_col if end_col is not None else node.col_offset),
        )

    def _col(self, line: int, byte_col: int) -> int:
        if line >= len(self.lines):
            return byte_col
        text = self.lines[line]
        if text.isascii():
            return byte_col
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", "ignore"))

    def segment(self, span: Span) -> str:
        if span.start_line == span.end_line:
            return self.lines[span.start_line][span.start_col : span.end_col]
        parts = [self.lines[span.start_line][span.start_col :]]
        parts.extend(self.lines[span.start_line + 1 : span.end_line])
        parts.append(self.lines[span.end_line][: span.end_col])
        return "\n".join(parts)

    # -- reporting -----------------------------------------------------------------------------
    def report(
        self,
        rule: "Rule",
        node: ast.AST | Span,
        *,
        details: Optional[dict] = None,
        source: Optional[Source] = None,
        related: Iterable[Related] = (),
        fix: Optional[Callable[[], Optional[Fix]]] = None,
        message: Optional[str] = None,
        severity: Optional[str] = None,
        confidence: Optional[str] = None,
    ) -> None:
        if rule.quiet_in_tests and self.in_test_code:
            return
        span = node if isinstance(node, Span) else self.span(node)
        if source is not None and source.param is not None:
            if self.summary is not None:  # a parameter reaches this sink: part of the function's summary
                self.summary.reached(
                    source, rule.id, span, message or rule.format_message(dict(details or {}, source=source.label))
                )
            return
        details = dict(details or {})
        related = tuple(related)
        if source is not None:
            details.setdefault("source", source.label)
            entry = Related(source.span, f"user-controlled data enters here ({source.label})")
            related = (entry, *source.steps) + related
        # `severity` lets a rule raise a finding above its default (e.g. when user data reaches the sink).
        severity = self.options.get("severity", {}).get(rule.id, severity or rule.severity)
        # A path from outside input confirms the finding; otherwise the rule says (None: its default).
        if source is not None and source.confidence is not None:
            confidence = source.confidence
        elif source is not None and confidence is None:
            confidence = "high"
        self.findings.append(
            Finding(
                rule_id=rule.id,
                span=span,
                message=message or rule.format_message(details),
                severity=severity,
                details=details,
                related=related,
                fix_builder=fix,
                confidence=confidence,
            )
        )


def _defaults_by_param(func: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, ast.expr]:
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    mapping = {a.arg: d for a, d in zip(positional[len(positional) - len(args.defaults) :], args.defaults)}
    mapping.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None})
    return mapping


def _position(node: ast.AST) -> tuple[int, int]:
    return getattr(node, "lineno", 0), getattr(node, "col_offset", 0)
