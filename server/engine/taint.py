"""Intra-function taint: which values came from a user, and where they entered.

The shared traversal visits statements in source order; a `Scope` (one per function, one for module
code) keeps the taint of each local name and is updated after each assignment. A sink asks
`Scope.taint(expr)` for the taint of an expression *at that point*.

Deliberate limits, so that noise stays low: unknown function calls do not propagate taint (only
string building, container building, known string/path helpers, and simple same-module helpers do);
a clean assignment inside a branch does not clear taint set outside it.
"""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Callable, Iterable, Optional

from tabguard.engine.facts import dotted_name, escapes_markup
from tabguard.engine import inputs, resolvers
from tabguard.engine.methods import makes_record
from tabguard.engine.types import Related, Source
from tabguard.engine.walk import operands

if TYPE_CHECKING:
    from tabguard.engine.context import Context


# Attributes of a web request object that carry user input (Flask, Django, DRF, Starlette, aiohttp).
REQUEST_INPUT_ATTRS = frozenset(
    {
        "args",
        "form",
        "values",
        "json",
        "get_json",
        "files",
        "cookies",
        "headers",
        "data",
        "get_data",
        "view_args",
        "stream",
        "environ",
        "url",
        "full_path",
        "path",
        "query_string",
        "GET",
        "POST",
        "body",
        "FILES",
        "COOKIES",
        "META",
        "query_params",
        "path_params",
        "match_info",
        "query",
        "post",
        "text",
        "content",
        "form_data",
        "read",
        "host",
        "referrer",
        "params",
        "matchdict",
        "json_body",
        # Falcon
        "get_param",
        "get_param_as_list",
        "get_header",
        "media",
        "get_media",
    }
)
REQUEST_NAMES = frozenset({"request", "req"})
# Request classes of HTTP client libraries (requests, httpx, urllib), vendored ones too.
_CLIENT_REQUEST = re.compile(
    r"(^|\.)(requests(\.models)?\.(Prepared)?Request|httpx\.Request|urllib\.request\.Request)$"
)
_REQUEST_OBJECTS = ("flask.request", "quart.request", "bottle.request")
# Calls returning user input no matter the receiver.
SOURCE_CALLS = {
    "input": "input()",
    "raw_input": "raw_input()",
    "sys.stdin.read": "sys.stdin",
    "sys.stdin.readline": "sys.stdin",
    "flask.request.get_json": "request.get_json()",
    # Streamlit widgets: what a visitor of the app typed or uploaded.
    "streamlit.text_input": "Streamlit input",
    "streamlit.text_area": "Streamlit input",
    "streamlit.chat_input": "Streamlit input",
    "streamlit.file_uploader": "Streamlit input",
    "streamlit.sidebar.text_input": "Streamlit input",
    "streamlit.sidebar.text_area": "Streamlit input",
}
# Validated form data (Django forms, Django REST framework serializers): typed, but text stays text.
_VALIDATED_DATA = frozenset({"cleaned_data", "validated_data"})
# Tornado's `RequestHandler` methods that read the request.
_TORNADO_READS = frozenset(
    {
        "get_argument",
        "get_arguments",
        "get_query_argument",
        "get_query_arguments",
        "get_body_argument",
        "get_body_arguments",
        "get_cookie",
    }
)
# Flask-RESTful / Flask-RESTX: `reqparse.RequestParser().parse_args()` parses the request, not argv.
_REQPARSE_MODULES = ("flask_restful", "flask_restx")
# The running program's own path and whole command line: a launch that starts with them runs this same
# program again (an autoreloader, a tool re-running itself), not a program someone else picked.
OWN_PATH, OWN_COMMAND_LINE = "sys.argv[0] (this program's own path)", "sys.argv (this program's own command line)"
SOURCE_ATTRIBUTES = {"sys.argv": OWN_COMMAND_LINE}
# Calls whose result is safe whatever the input (conversion to numbers, quoting, escaping).
SANITIZERS = frozenset(
    {
        "int",
        "float",
        "bool",
        "len",
        "abs",
        "round",
        "uuid.UUID",
        "decimal.Decimal",
        "shlex.quote",
        "shlex.join",
        "pipes.quote",
        "werkzeug.utils.secure_filename",
        "werkzeug.secure_filename",
        "os.path.basename",
        "posixpath.basename",
        "ntpath.basename",
        "html.escape",
        "cgi.escape",
        "markupsafe.escape",
        "flask.escape",
        "bleach.clean",
        "django.utils.html.escape",
        "urllib.parse.quote",
        "urllib.parse.quote_plus",
        "hashlib.sha256",
        "hashlib.md5",
        "hashlib.sha1",
        "hmac.new",
        "isinstance",
        "datetime.date.fromisoformat",
        "datetime.datetime.fromisoformat",
        "ipaddress.ip_address",
        # Return None (or raise) instead of a path outside the base directory.
        "werkzeug.utils.safe_join",
        "werkzeug.security.safe_join",
        "flask.safe_join",
        "flask.helpers.safe_join",
        "django.utils._os.safe_join",
        # Escape LDAP filter / DN metacharacters.
        "ldap.filter.escape_filter_chars",
        "ldap3.utils.conv.escape_filter_chars",
        "ldap.dn.escape_dn_chars",
        "ldap3.utils.dn.escape_rdn",
    }
)
# Calls (by qualified name) whose result carries the taint of their arguments.
PROPAGATORS = frozenset(
    {
        "str",
        "repr",
        "bytes",
        "bytearray",
        "list",
        "tuple",
        "dict",
        "set",
        "sorted",
        "reversed",
        "format",
        "os.path.join",
        "posixpath.join",
        "ntpath.join",
        "os.path.normpath",
        "os.path.abspath",
        "os.path.realpath",
        "os.path.expanduser",
        "os.fspath",
        "pathlib.Path",
        "pathlib.PurePath",
        "urllib.parse.urljoin",
        "urllib.parse.unquote",
        "urllib.parse.urlencode",
        "base64.b64decode",
        "base64.urlsafe_b64decode",
        "json.loads",
        "json.dumps",
        "textwrap.dedent",
        "codecs.decode",
        "bytes.decode",
        "str.format",
        "str.join",
        "getattr",
        "next",
        "iter",
        "shlex.split",
        "urllib.parse.urlparse",
        "urllib.parse.urlsplit",
        "urllib.parse.parse_qs",
        "urllib.parse.parse_qsl",
        "urllib.parse.unquote_plus",
        "html.unescape",
        "unicodedata.normalize",
        "cgi.parse_qs",
        "cgi.parse_header",
    }
)
# Methods that return a boolean or number, so their result carries no user text.
CLEAN_METHODS = frozenset(
    {
        "startswith",
        "endswith",
        "isdigit",
        "isalnum",
        "isalpha",
        "isdecimal",
        "isnumeric",
        "isidentifier",
        "islower",
        "isupper",
        "count",
        "find",
        "index",
        "rfind",
        "__len__",
        "is_relative_to",
        "exists",
        "is_file",
        "is_dir",
        "digest",
        "hexdigest",
    }
)
# `http.server` request handlers: the request as the handler parsed it.
_HTTP_HANDLERS = frozenset(
    {"BaseHTTPRequestHandler", "SimpleHTTPRequestHandler", "CGIHTTPRequestHandler", "StreamRequestHandler"}
)
_HANDLER_INPUT = frozenset({"path", "headers", "rfile", "requestline", "raw_requestline", "command"})
# Methods whose result is their receiver's text with the arguments put in.
_FILLS_TEMPLATE = frozenset({"join", "format", "format_map", "substitute", "safe_substitute"})
# Methods that put their arguments into the list, set or dict they are called on.
_FILLING_METHODS = frozenset({"append", "extend", "insert", "add", "update", "setdefault", "appendleft"})
_PATHS = frozenset({"pathlib.Path", "pathlib.PurePath", "pathlib.PurePosixPath", "pathlib.PureWindowsPath"})
_TERMINATORS = frozenset({"abort", "flask.abort", "sys.exit", "exit", "quit"})
_VALIDATING_CALLS = re.compile(
    r"(^|\.)(fullmatch|match|isdigit|isalnum|isalpha|isdecimal|isnumeric|isidentifier|is_relative_to|startswith"
    r"|url_has_allowed_host_and_scheme|is_safe_url|is_safe_\w+|is_allowed_(url|host|domain|redirect)\w*)$"
)
# Calls whose result is a parsed or normalised view of their arguments: validating the view (e.g.
# `parsed = urlparse(url)` then `if parsed.netloc not in ALLOWED: abort()`) validates the original.
_VIEWS = re.compile(
    r"(^|\.)(urlparse|urlsplit|url_parse|urljoin|realpath|abspath|normpath|commonpath|commonprefix|join|Path|PurePath|resolve|absolute|lower|strip|casefold)$"
)
# Parts of a URL or path that pin where it points; checking one checks the whole value (a check of
# the scheme or the extension alone does not).
_URL_AUTHORITY = frozenset({"netloc", "hostname", "host", "parent"})


class Scope:
    """Taint of local names inside one function (or module-level code) of a block."""

    def __init__(self, ctx: "Context", node: Optional[ast.AST], parent: Optional["Scope"]):
        self.ctx = ctx
        self.node = node
        self.parent = parent
        self.env: dict[str, Optional[Source]] = {}
        self.conditional = 0
        self._restore: dict[int, list[tuple[str, Optional[Source]]]] = {}
        # First statement of an `else:` -> the `if`/`while` whose allow-listed names it must not trust.
        self._else: dict[int, int] = {}
        # A loop's (or `with`'s) id -> names its body reassigned clean, with their taint before.
        self._passes: dict[int, dict[str, Optional[Source]]] = {}
        # name -> the names it is a parsed/normalised view of (see _VIEWS).
        self.views: dict[str, list[str]] = {}
        # Names bound to a path joined but not normalised (`os.path.join(BASE, name)`, `base / name`):
        # `..` in it survives, so a prefix check on it (`path.startswith(BASE)`) proves nothing.
        self.unresolved: set[str] = set()
        if node is not None and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for name, source in ctx.route_param_sources(node).items():
                self.env[name] = source
            for arg in inputs.task_arguments(node, ctx):
                self.env[arg.arg] = Source(ctx.span(arg), f"Celery task argument '{arg.arg}'")
            for arg in resolvers.graphql_arguments(node, ctx):
                self.env[arg.arg] = Source(ctx.span(arg), f"GraphQL argument '{arg.arg}'")
            args = node.args.args
            names = tuple(a.arg for a in args)
            shift = int(names[:1] == ("self",))
            for index, label in _ENTRY_POINTS.get(names[shift:], ()) or _consumer_callback(names[shift:]):
                param = args[index + shift]
                self.env[param.arg] = Source(ctx.span(param), label)
        if node is not None and ctx.summary is not None and node is ctx.summary.node:
            for index, arg in enumerate(ctx.summary.params):
                if arg.arg not in ("self", "cls"):
                    if arg.arg in self.env:
                        ctx.summary.inputs.add(index)
                    self.env[arg.arg] = Source(ctx.span(arg), f"parameter '{arg.arg}'", param=index)

    # -- queries -----------------------------------------------------------------------------
    def lookup(self, name: str) -> Optional[Source]:
        scope: Optional[Scope] = self
        while scope is not None:
            if name in scope.env:
                return scope.env[name]
            scope = scope.parent
        return None

    def _name_taint(self, name: ast.Name) -> Optional[Source]:
        scope: Optional[Scope] = self
        while scope is not None:
            if name.id in scope.env:
                return scope.env[name.id]
            scope = scope.parent
        # Not bound here: a module-level variable that another block filled with user input.
        label = self.ctx.module.tainted.get(name.id)
        return Source(self.ctx.span(name), f"module variable '{name.id}' ({label})") if label else None

    def taint(self, expr: Optional[ast.AST]) -> Optional[Source]:
        """The source of user data flowing into `expr`, or None when it is not user-controlled."""
        if expr is None:
            return None
        try:
            return self._taint(expr, 0)
        except RecursionError:
            return None

    def _taint(self, e: ast.AST, depth: int) -> Optional[Source]:
        if depth > 60:
            return None
        d = depth + 1
        t = self._taint
        if isinstance(e, ast.Name):
            return self._name_taint(e)
        if isinstance(e, ast.Constant):
            return None
        if isinstance(e, ast.Attribute):
            source = self._request_input(e)
            if source is not None:
                return source
            name = self.ctx.qualname(e)
            if name in SOURCE_ATTRIBUTES:
                return Source(self.ctx.span(e), SOURCE_ATTRIBUTES[name])
            submitted = self._form_input(e)
            if submitted is not None:
                return submitted
            if type(e.value) is ast.Name and e.value.id == "self":
                if e.attr in self.ctx.self_attrs:
                    return self.ctx.self_attrs[e.attr]
                if e.attr in _HANDLER_INPUT and self._in_http_handler():
                    return Source(self.ctx.span(e), f"self.{e.attr} (HTTP request)")
            if (
                e.attr in ("name", "stem")
                and isinstance(e.value, ast.Call)
                and self.ctx.qualname(e.value.func) in _PATHS
            ):
                return None  # `Path(x).name` is the pathlib spelling of os.path.basename(x)
            parsed = t(e.value, d)
            if parsed is not None and self.chosen(e, parsed):
                return None  # `add_argument("mode", choices=MODES)`: the parser accepts only those values
            return parsed
        if isinstance(e, ast.Subscript):
            if isinstance(e.value, ast.Attribute) and self.ctx.qualname(e.value) == "sys.argv":
                own = isinstance(e.slice, ast.Constant) and e.slice.value == 0
                return Source(self.ctx.span(e), OWN_PATH if own else "sys.argv")
            return inputs.environment(e, self.ctx) or t(e.value, d)
        if isinstance(e, ast.Call):
            return self._call_taint(e, d)
        if isinstance(e, ast.JoinedStr):
            return self._joined(e.values, d)
        if isinstance(e, ast.FormattedValue):
            return t(e.value, d)
        if isinstance(e, ast.BinOp):
            return self._joined(operands(e), d)
        if isinstance(e, (ast.List, ast.Tuple, ast.Set)):
            return self._joined(e.elts, d)
        if isinstance(e, ast.Dict):
            return _first(t(v, d) for v in (*e.values, *(k for k in e.keys if k is not None)))
        if isinstance(e, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
            return t(e.elt, d) or _first(t(g.iter, d) for g in e.generators)
        if isinstance(e, ast.DictComp):
            return t(e.value, d) or _first(t(g.iter, d) for g in e.generators)
        if isinstance(e, ast.IfExp):
            body = t(e.body, d)
            if body is not None and self._checked_by(e.test, e.body):
                body = None  # `url if is_safe(url) else "/"`, `url if url_is_safe else "/"`
            return body or t(e.orelse, d)
        if isinstance(e, ast.BoolOp):
            return _first(t(v, d) for v in e.values)
        if isinstance(e, (ast.Await, ast.Starred, ast.NamedExpr)):
            return t(e.value, d)
        return None

    def _joined(self, parts: Iterable[ast.AST], d: int) -> Optional[Source]:
        """The taint of a value built from `parts` (text joined, a tuple, arguments put into a
        template): the first tainted part's; while a function is summarized, with the other
        parameters that reach the value too (`f"... {column} = '{value}'"` reaches a sink from both)."""
        first: Optional[Source] = None
        others: set[int] = set()
        for part in parts:
            source = self._taint(part, d)
            if source is None:
                continue
            if first is None:
                first = source
                if self.ctx.summary is None or source.param is None:
                    return first
            elif source.param is not None and source.param != first.param:
                others |= {source.param, *source.others}
        if first is not None and others - first.others:
            first = replace(first, others=first.others | frozenset(others))
        return first

    def _checked_by(self, test: ast.expr, value: ast.expr) -> bool:
        """`value` (a name) is what `test` validates: a validating call on it, or a name the
        function bound to the result of one (`url_is_safe = url_has_allowed_host_and_scheme(url=url)`)."""
        if not isinstance(value, ast.Name):
            return False
        if isinstance(test, ast.Name) and self.ctx.function is not None:
            made = self.ctx.model.value_of(test)
            test = made if isinstance(made, ast.Call) else test
        return value.id in _allow_listed(test)

    def chosen(self, e: ast.Attribute, parsed: Optional[Source] = None) -> bool:
        """`args.mode` of `parse_args()` where this scope declared `mode` with `choices=`."""
        if e.attr not in self._chosen_options():
            return False  # asked first: most scopes declare no choices, and taint costs more
        parsed = parsed if parsed is not None else self.taint(e.value)
        return parsed is not None and parsed.label in _PARSED_ARGUMENTS

    def _chosen_options(self) -> frozenset[str]:
        """The destinations of the arguments this scope declares with `choices=` (argparse, and
        Flask-RESTful's request parser alike): `add_argument("--log-level", choices=...)` -> log_level."""
        ctx = self.ctx
        return ctx.memo(("chosen-options", id(ctx.function or ctx.tree)), lambda: _chosen(ctx.scope_nodes()))

    def _form_input(self, e: ast.Attribute) -> Optional[Source]:
        """What a form parsed from the request holds: Django's `form.cleaned_data`, DRF's
        `serializer.validated_data` (values of the declared types, text included), and a WTForms
        field's `form.host.data` on a form the function made (`form = HostForm()`)."""
        if e.attr in _VALIDATED_DATA:
            return Source(self.ctx.span(e), f"{dotted_name(e) or e.attr} (submitted form)")
        field = e.value
        if e.attr != "data" or not (isinstance(field, ast.Attribute) and isinstance(field.value, ast.Name)):
            return None
        made = self.ctx.model.value_of(field.value) if self.ctx.function is not None else None
        if isinstance(made, ast.Call) and (dotted_name(made.func) or "").endswith("Form"):
            return Source(self.ctx.span(e), f"{field.value.id}.{field.attr}.data (submitted form)")
        return None

    def _reqparse(self) -> bool:
        """`parser.parse_args()` in a function of a module using Flask-RESTful's request parser."""
        return self.ctx.function is not None and any(
            target.split(".")[0] in _REQPARSE_MODULES for target in self.ctx.module.imports.values()
        )

    def _in_http_handler(self) -> bool:
        """Inside a method of a `http.server.BaseHTTPRequestHandler` subclass (by its bases' names)."""
        ctx = self.ctx
        func = ctx.function
        cls = ctx.parent(func) if func is not None else None
        if not isinstance(cls, ast.ClassDef):
            return False
        return ctx.memo(
            ("http-handler", id(cls)),
            lambda: any((ctx.qualname(base) or "").rpartition(".")[2] in _HTTP_HANDLERS for base in cls.bases),
        )

    def _outgoing(self, name: ast.Name) -> bool:
        """`req` is a parameter annotated with an HTTP client's request class (`req: requests.Request`
        in an auth hook, vendored copies included): a request the program sends, not one it serves."""
        function = self.ctx.function
        if function is None or not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return False
        args = function.args
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
            if arg.arg == name.id and arg.annotation is not None:
                return _CLIENT_REQUEST.search(self.ctx.qualname(arg.annotation) or "") is not None
        return False

    def _request_input(self, e: ast.Attribute) -> Optional[Source]:
        if e.attr not in REQUEST_INPUT_ATTRS:
            return None
        base = e.value
        if isinstance(base, ast.Name) and (
            (base.id in REQUEST_NAMES and not self._outgoing(base)) or self.ctx.qualname(base) in _REQUEST_OBJECTS
        ):
            return Source(self.ctx.span(e), f"{base.id}.{e.attr}")
        if resolvers.is_info_context(base):
            return Source(self.ctx.span(e), f"info.context.{e.attr} (GraphQL request)")
        if isinstance(base, ast.Attribute) and base.attr == "request" and self.ctx.qualname(base) in _REQUEST_OBJECTS:
            return Source(self.ctx.span(e), f"request.{e.attr}")  # `flask.request.args` after `import flask`
        if (
            isinstance(base, ast.Attribute)
            and base.attr == "request"
            and isinstance(base.value, ast.Name)
            and base.value.id == "self"
        ):
            return Source(self.ctx.span(e), f"self.request.{e.attr}")
        return None

    def _call_taint(self, call: ast.Call, d: int) -> Optional[Source]:
        t = self._taint
        name = self.ctx.qualname(call.func)
        if name in SOURCE_CALLS:
            return Source(self.ctx.span(call), SOURCE_CALLS[name])
        if name in SANITIZERS:
            return None
        read = inputs.environment(call, self.ctx) or inputs.queue_read(call, self.ctx)
        if read is not None:
            return read
        func = call.func
        args = (*call.args, *(k.value for k in call.keywords))
        if isinstance(func, ast.Attribute) and func.attr in ("parse_args", "parse_known_args"):
            return Source(
                self.ctx.span(call), "request arguments (reqparse)" if self._reqparse() else "command-line arguments"
            )
        if isinstance(func, ast.Attribute) and func.attr in _TORNADO_READS and _is_self(func.value):
            return Source(self.ctx.span(call), f"self.{func.attr}()")
        if isinstance(func, ast.Attribute):
            if func.attr in CLEAN_METHODS:
                return None
            # A request's reading methods: Flask's `request.get_data()`, Starlette's
            # `await request.json()` / `.form()` / `.body()`, aiohttp's `await request.post()`.
            read = self._request_input(func)
            if read is not None:
                return Source(self.ctx.span(call), f"{read.label}()")
            # A template's `render()` gives the template's own text with the context filled in: the name
            # or text it was loaded from is not in it (a template built from user text is TG108's finding).
            if func.attr == "replace" and escapes_markup(call):
                return None  # `text.replace("<", "&lt;")`: escaped by hand, as html.escape does
            receiver = t(func.value, d) if func.attr != "render" else None
            if receiver is not None:
                return receiver
            # `string.Template(text).substitute(name=value)` fills its template like `format` does.
            if isinstance(func.value, ast.Constant) or func.attr in _FILLS_TEMPLATE:
                return self._joined(args, d)
            if func.attr == "replace" and len(call.args) >= 2:  # text put into a template by substitution
                return t(call.args[1], d)
        if name in PROPAGATORS:
            return self._joined(args, d)
        if isinstance(func, ast.Name):
            called = self.lookup(func.id)
            if called is not None and called.label == "ASGI receive()":
                return Source(self.ctx.span(call), called.label)
            helper = self.ctx.module.functions.get(func.id)
            if helper is not None and helper.returns_params:
                return _first(t(call.args[i], d) for i in helper.returns_params if i < len(call.args))
        if makes_record(func, self.ctx, self.ctx.provider):
            return self._joined(args, d)  # `Query(name=value)`: `.name` holds the value
        return self._returned(call, d)

    def _returned(self, call: ast.Call, d: int) -> Optional[Source]:
        """What a call returns, from its callee's summary: a source the callee reads itself, or the
        arguments of the parameters it returns."""
        provider = self.ctx.provider
        if provider is None:
            return None
        call = provider.unwrapped(call, self.ctx)
        if not provider.may_know(call, self.ctx):
            return None
        summary = provider.callee(call, self.ctx)
        if summary is None:
            return None
        if summary.returns_source is not None:
            span = self.ctx.span(call)
            return replace(summary.returns_source, span=span, steps=(Related(span, f"returned by `{summary.name}()`"),))
        for index, argument in summary.bound(call):
            if index in summary.returns_params:
                source = self._taint(argument, d)
                if source is not None:
                    return source.via(self.ctx.span(call), f"returned by `{summary.name}()`")
        return None

    # -- updates, called by the traversal ------------------------------------------------------
    def assign(self, target: ast.AST, source: Optional[Source]) -> None:
        if isinstance(target, ast.Name):
            if source is not None and len(source.steps) < _MAX_STEPS:
                source = source.via(self.ctx.span(target), f"assigned to '{target.id}'")
            if source is not None or not self.conditional:
                self.env[target.id] = source
            elif target.id not in self.env:
                self.env[target.id] = None
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self.assign(element.value if isinstance(element, ast.Starred) else element, source)
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
            if source is not None:  # read back by the class's other methods (`self.query` ... `run(self.query)`)
                self.ctx.self_attrs[target.attr] = source.via(self.ctx.span(target), f"stored in 'self.{target.attr}'")
        elif isinstance(target, (ast.Attribute, ast.Subscript)) and source is not None:
            root: ast.expr = target
            while isinstance(root, (ast.Attribute, ast.Subscript)):
                root = root.value
            if isinstance(root, ast.Name) and root.id != "self":
                self.env[root.id] = source

    def enter(self, node: ast.AST) -> None:
        """Before a statement's children are visited."""
        owner = self._else.pop(id(node), None)
        if owner is not None:  # `if x == "a": ... else: <here x is anything>`
            for name, previous in self._restore.get(owner, ()):
                self.env[name] = previous
            self._join_pass(owner)
        if isinstance(node, (ast.For, ast.AsyncFor)):
            self.conditional += 1
            self.assign(node.target, self.taint(node.iter) or inputs.consumed(node.iter, self.ctx))
        elif isinstance(node, (ast.If, ast.While)):
            self.conditional += 1
            for name in self._with_views(self._proven(_allow_listed(node.test), node.test)):
                self._restore.setdefault(id(node), []).append((name, self.lookup(name)))
                self.env[name] = None
            if node.orelse and id(node) in self._restore:
                self._else[id(node.orelse[0])] = id(node)
        elif isinstance(node, (ast.Try, ast.With, ast.AsyncWith)) or type(node).__name__ in ("TryStar", "Match"):
            self.conditional += 1
        elif isinstance(node, ast.comprehension):
            self.assign(node.target, self.taint(node.iter) or inputs.consumed(node.iter, self.ctx))

    def leave(self, node: ast.AST) -> None:
        """After a statement (and its children) was visited."""
        if isinstance(node, ast.Return):
            summary = self.ctx.summary
            if summary is not None and node.value is not None and self.node is summary.node:
                summary.returned(self.taint(node.value))
        elif isinstance(node, ast.Assign):
            source = self.taint(node.value)
            for target in node.targets:
                self.assign(target, source)
            if source is None:
                self._clean_in_pass(node, node.targets)
            if isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Call):
                if _VIEWS.search(dotted_name(node.value.func) or ""):
                    self.views[node.targets[0].id] = _subject_names(node.value)
            for target in node.targets:
                if isinstance(target, ast.Name) and _joined_path(node.value):
                    self.unresolved.add(target.id)
                elif isinstance(target, ast.Name):
                    self.unresolved.discard(target.id)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            source = self.taint(node.value)
            self.assign(node.target, source)
            if source is None:
                self._clean_in_pass(node, [node.target])
        elif isinstance(node, ast.AugAssign):
            if isinstance(node.target, ast.Name):
                self.env[node.target.id] = self.lookup(node.target.id) or self.taint(node.value)
            else:
                self.assign(node.target, self.taint(node.value))
        elif isinstance(node, ast.NamedExpr):
            self.assign(node.target, self.taint(node.value))
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            self._fill(node.value)
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.If, ast.While, ast.Try, ast.With, ast.AsyncWith)) or type(
            node
        ).__name__ in ("TryStar", "Match"):
            self.conditional -= 1
            for name, previous in self._restore.pop(id(node), ()):
                self.env[name] = previous
            self._join_pass(id(node))
            self._passes.pop(id(node), None)
            if (
                isinstance(node, ast.Try)
                and node.handlers
                and all(_terminates(h.body, self.ctx.qualname) for h in node.handlers)
            ):
                for name in self._with_views(_checked_by_raising(node)):
                    self.env[name] = None
            if isinstance(node, ast.If):
                # `if x not in ALLOWED: abort()` validates x for the rest of the function, and so
                # does `if not is_safe(x): x = DEFAULT`.
                terminates = _terminates(node.body, self.ctx.qualname)
                for name in self._with_views(self._proven(_rejected_unless_valid(node.test), node.test)):
                    if terminates or (not node.orelse and self._reset_in(node.body, name)):
                        self.env[name] = None
                if node.orelse and not self.conditional:
                    for name in self._cleaned_by_every_arm(node):
                        self.env[name] = None

    def _proven(self, names: list[str], test: ast.AST) -> list[str]:
        """`names` a check proves valid, less those it only compares by prefix while `..` may still be in
        them (`if not path.startswith(BASE)` on a joined, unnormalised path)."""
        if not self.unresolved:
            return names
        prefixed = {
            call.func.value.id
            for call in ast.walk(test)
            if isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "startswith"
            and isinstance(call.func.value, ast.Name)
        }
        return [n for n in names if n not in prefixed & self.unresolved]

    def _fill(self, call: ast.Call) -> None:
        """`parts.append(value)`, `params.update(...)`: a local list, set or dict filled with user
        input carries it, as it does after `params[key] = value`. Filling never cleans."""
        func = call.func
        if not (isinstance(func, ast.Attribute) and func.attr in _FILLING_METHODS and isinstance(func.value, ast.Name)):
            return
        if func.value.id == "self" or self.lookup(func.value.id) is not None:
            return
        source = _first(self.taint(a) for a in (*call.args, *(k.value for k in call.keywords)))
        if source is not None:
            self.assign(func.value, source)

    def _clean_in_pass(self, stmt: ast.stmt, targets: list[ast.expr]) -> None:
        """`for key, value in items: value = escape(value)`: a statement right in a loop's or a `with`'s
        body runs on every pass, so a clean value it assigns holds for the rest of the pass, even
        over the loop variable. After the block (or in the loop's `else:`) each name is tainted again
        if it was before: the loop may not have run."""
        block = self.ctx.parent(stmt)
        if not isinstance(block, _PASS_BLOCKS) or not any(s is stmt for s in block.body):
            return
        before = self._passes.setdefault(id(block), {})
        for target in targets:
            for name in _bound_names(target):
                before.setdefault(name, self.lookup(name))
                self.env[name] = None
        orelse: list[ast.stmt] = getattr(block, "orelse", [])
        if orelse:
            self._else[id(orelse[0])] = id(block)

    def _join_pass(self, block: int) -> None:
        for name, previous in self._passes.get(block, {}).items():
            self.env[name] = self.env.get(name) or previous

    def _with_views(self, names: list[str]) -> list[str]:
        return [*names, *(n for name in names for n in self.views.get(name, ()))]

    def _cleaned_by_every_arm(self, node: ast.If) -> list[str]:
        """`if c: x = escape(x)` / `else: x = ""`: names that each arm leaves clean (or that end
        the function), so no way through the `if` keeps what they held before it. Only for an `if`
        that runs for sure (outside loops and other branches), where nothing else restores them."""
        arms = (node.body, node.orelse)
        assigned = {
            t.id for arm in arms for s in arm if isinstance(s, ast.Assign) for t in s.targets if isinstance(t, ast.Name)
        }
        return [
            name
            for name in assigned
            if all(_terminates(arm, self.ctx.qualname) or self._reset_in(arm, name) for arm in arms)
        ]

    def _reset_in(self, body: list[ast.stmt], name: str) -> bool:
        """True when `body` leaves `name` holding a value that is not user-controlled: its last
        assignment there is one, or a check of the same kind follows (`x = request.META["REFERER"]`
        then `if not is_safe(x): x = "/"`)."""
        clean = False
        for s in body:
            if isinstance(s, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in s.targets):
                clean = self.taint(s.value) is None
            elif isinstance(s, ast.If) and not s.orelse and name in _rejected_unless_valid(s.test):
                clean = clean or _terminates(s.body, self.ctx.qualname) or self._reset_in(s.body, name)
        return clean


# Entry points known by their signature: parameter names -> (index, label) of those that carry
# outside input. AWS Lambda handlers, WSGI and raw ASGI applications.
_ENTRY_POINTS = {
    ("event", "context"): ((0, "Lambda event"),),
    ("environ", "start_response"): ((0, "WSGI environ"),),
    ("scope", "receive", "send"): ((0, "ASGI scope"), (1, "ASGI receive()")),
}
# Message-queue consumer callbacks, pika's `on_message_callback(channel, method, properties, body)`
# whatever the first two are named: the body is the message.
_CALLBACK_HEADERS = frozenset({"properties", "props", "header_frame", "header", "headers"})


def _consumer_callback(names: tuple[str, ...]) -> tuple[tuple[int, str], ...]:
    if len(names) == 4 and names[3] == "body" and names[2] in _CALLBACK_HEADERS:
        return ((3, "message body"),)
    return ()


# What parse_args() gives: its attributes are the parsed arguments.
_PARSED_ARGUMENTS = frozenset({"command-line arguments", "request arguments (reqparse)"})


def _chosen(nodes: list[ast.AST]) -> frozenset[str]:
    """The destinations of `add_argument(...)` calls among `nodes` that pass `choices=`."""
    chosen = set()
    for node in nodes:
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        keywords = {k.arg: k.value for k in node.keywords}
        if node.func.attr != "add_argument" or "choices" not in keywords:
            continue
        dest = keywords.get("dest")
        if isinstance(dest, ast.Constant) and isinstance(dest.value, str):
            chosen.add(dest.value)
            continue
        flags = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        named = next((f for f in flags if f.startswith("--")), flags[0] if flags else "")
        chosen.add(named.lstrip("-").replace("-", "_"))
    return frozenset(chosen)


# Blocks whose body runs as a whole once it starts (see Scope._clean_in_pass).
_PASS_BLOCKS = (ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith)


def _joined_path(value: ast.expr) -> bool:
    """`os.path.join(...)` or pathlib's `base / name`, not normalised afterwards."""
    if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Div):
        return True
    return isinstance(value, ast.Call) and re.search(r"(^|\.)path\.join$", dotted_name(value.func) or "") is not None


def _bound_names(target: ast.expr) -> list[str]:
    """The plain names an assignment target binds (`a`, `a, *b`); attributes and items are not."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, ast.Starred):
        return _bound_names(target.value)
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for element in target.elts for n in _bound_names(element)]
    return []


# Sources a local user controls anyway: a program reading its own arguments or terminal.
LOCAL_SOURCES = frozenset(
    {"sys.argv", OWN_PATH, OWN_COMMAND_LINE, "command-line arguments", "input()", "raw_input()", "sys.stdin"}
)
# Sinks where they count all the same when passed through a helper, as they do at the sink itself: a
# shell command, eval/exec, SQL (a CLI's argument that becomes code or a query is still injection).
LOCAL_SINK_CWES = frozenset({77, 78, 89, 94, 95})
_MAX_STEPS = 8  # steps kept on a source's path (the first ones: where it went from the source)


def _first(values: Iterable[Optional[Source]]) -> Optional[Source]:
    for value in values:
        if value is not None:
            return value
    return None


def _allow_listed(test: ast.AST) -> list[str]:
    """Names proven valid inside the body of `if <test>:` (membership in a constant collection)."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return [n for v in test.values for n in _allow_listed(v)]
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.In, ast.Eq)):
        return _subject_names(test.left)
    if isinstance(test, ast.Call):
        name = dotted_name(test.func) or ""
        if _VALIDATING_CALLS.search(name) and not _loose_prefix_check(test):
            return [n for a in _call_subjects(test) for n in _subject_names(a)]
    return []


# A URL prefix that does not end its host: "https://example.com" also starts
# "https://example.com.attacker.net" and "https://example.com@attacker.net"; "/" also starts "//attacker.net".
_LOOSE_URL_PREFIX = re.compile(r"(/|[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*)")


def _loose_prefix_check(call: ast.Call) -> bool:
    """`url.startswith(prefix)` whose literal prefix (or every one of a tuple) leaves the host open."""
    if not (isinstance(call.func, ast.Attribute) and call.func.attr == "startswith" and call.args):
        return False
    prefix = call.args[0]
    literals = prefix.elts if isinstance(prefix, ast.Tuple) else [prefix]
    return all(
        isinstance(p, ast.Constant) and isinstance(p.value, str) and _LOOSE_URL_PREFIX.fullmatch(p.value)
        for p in literals
    )


def _rejected_unless_valid(test: ast.AST) -> list[str]:
    """Names validated after `if <test>: <terminate>` (e.g. `x not in ALLOWED`, `not re.fullmatch(...)`)."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        return [n for v in test.values for n in _rejected_unless_valid(v)]
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        # `if parsed.netloc and parsed.netloc not in HOSTS: abort()`: the presence tests only skip
        # empty values of the same subject.
        present = [_present(v) for v in test.values]
        checks = [v for v, subjects in zip(test.values, present) if subjects is None]
        names = _rejected_unless_valid(checks[0]) if len(checks) == 1 else []
        presence = {n for subjects in present if subjects for n in subjects}
        return names if presence <= set(names) else []
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.NotIn, ast.NotEq)):
        return _subject_names(test.left)
    if isinstance(test, ast.Attribute) and test.attr in _URL_AUTHORITY:
        return _subject_names(test)
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _allow_listed(test.operand)
    return []


def _present(test: ast.AST) -> Optional[list[str]]:
    """For a presence test (`x`, `parsed.netloc`, `x or other`), the subjects it proves empty when
    false; None for any other test."""
    if isinstance(test, (ast.Name, ast.Attribute)):
        return _subject_names(test)
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        bare = [v for v in test.values if isinstance(v, (ast.Name, ast.Attribute))]
        return [n for v in bare for n in _subject_names(v)] if bare else None
    return None


def _subject_names(expr: ast.AST) -> list[str]:
    """The local names a checked expression is derived from: `urlparse(url).netloc` -> [url]."""
    if isinstance(expr, ast.Name):
        return [expr.id]
    if isinstance(expr, ast.Attribute) and expr.attr in _URL_AUTHORITY:
        return _subject_names(expr.value)
    if isinstance(expr, ast.Call) and _VIEWS.search(dotted_name(expr.func) or ""):
        return [n for a in _call_subjects(expr) for n in _subject_names(a)]
    if isinstance(expr, (ast.List, ast.Tuple)):
        return [n for e in expr.elts for n in _subject_names(e)]
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Div):  # pathlib `base / name`
        return _subject_names(expr.left) + _subject_names(expr.right)
    return []


def _checked_by_raising(node: ast.Try) -> list[str]:
    """Names validated after `try: p.relative_to(BASE) except ValueError: abort()`-style blocks."""
    names = []
    for stmt in node.body:
        call = stmt.value if isinstance(stmt, (ast.Expr, ast.Assign)) else None
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "relative_to":
            names.extend(_subject_names(call.func.value))
    return names


def _call_subjects(call: ast.Call) -> list[ast.expr]:
    subjects = [*call.args, *(k.value for k in call.keywords if k.arg)]  # `is_safe_url(url=next, ...)`
    if isinstance(call.func, ast.Attribute):
        subjects.append(call.func.value)
    return subjects


def _terminates(body: list[ast.stmt], qualname: Callable[[ast.AST], Optional[str]]) -> bool:
    last = body[-1] if body else None
    if isinstance(last, (ast.Return, ast.Raise, ast.Continue, ast.Break)):
        return True
    if isinstance(last, ast.Expr) and isinstance(last.value, ast.Call):
        return (qualname(last.value.func) or "") in _TERMINATORS
    return False


def _is_self(expr: ast.AST) -> bool:
    return isinstance(expr, ast.Name) and expr.id == "self"
