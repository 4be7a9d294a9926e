"""Outside input that does not arrive through a web framework's request object: the process
environment, message-queue consumers and task-queue workers. (Requests, route parameters,
`http.server` handlers and the WSGI, ASGI, Lambda and consumer-callback signatures are in taint.py.)

The environment, where it matters. Who sets a process's environment depends on how it is deployed.
A CGI script gets the request in it: the web server copies the query string and every header into
`QUERY_STRING`, `HTTP_*` and the like, so those variables are request data as `request.args` is.
Any other variable is set by whoever deploys or runs the program (a server's settings, a CLI user's
shell) and is attacker-influenced only in some deployments (a CI job whose environment holds a pull
request's title, a container configured by another tenant). Such a value is a source for the sinks
where a value from the wrong hands runs code, shell commands, eval/exec and SQL (`ENV_SINK_CWES`),
at low confidence; every other rule sees configuration (a path, URL, log line or header read from
the environment is how programs are configured). A module-level name read from the environment is
configuration for the module's other blocks too (it is not shared as user input between blocks).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Optional

from tabguard.engine.types import Source

if TYPE_CHECKING:
    from tabguard.engine.context import Context

# CWEs of the rules an ordinary environment variable is a source for: OS command (77, 78), SQL (89)
# and code (95) injection.
ENV_SINK_CWES = frozenset({77, 78, 89, 95})
_ENV_MAPPINGS = frozenset({"os.environ", "os.environb"})
_ENV_CALLS = frozenset({"os.getenv", "os.getenvb", "os.environ.get", "os.environb.get"})
# Variables a CGI server fills from the request (RFC 3875), besides every `HTTP_*` header.
_CGI_REQUEST = frozenset(
    {
        "QUERY_STRING",
        "PATH_INFO",
        "PATH_TRANSLATED",
        "REQUEST_URI",
        "CONTENT_TYPE",
        "CONTENT_LENGTH",
        "REMOTE_USER",
        "REMOTE_IDENT",
        "AUTH_TYPE",
        "REQUEST_METHOD",
    }
)

# Message-queue consumers: constructors whose instances yield messages when iterated or polled.
_CONSUMERS = frozenset({"KafkaConsumer", "AIOKafkaConsumer", "Consumer", "DeserializingConsumer"})
_CONSUMER_MODULES = ("kafka", "aiokafka", "confluent_kafka")
_CONSUMER_READS = frozenset({"poll", "consume", "getone", "getmany"})
# AWS SQS: `client.receive_message(...)["Messages"]`, `queue.receive_messages()`.
_SQS_READS = frozenset({"receive_message", "receive_messages"})
_CELERY_TASKS = frozenset({"celery.shared_task", "celery.task"})


def environment(e: ast.AST, ctx: "Context") -> Optional[Source]:
    """The source of an environment read (`os.environ[k]`, `os.environ.get(k)`, `os.getenv(k)`),
    else None. The mapping itself (`env=os.environ`) is not a read."""
    key: Optional[ast.expr]
    if isinstance(e, ast.Subscript):
        if ctx.qualname(e.value) not in _ENV_MAPPINGS:
            return None
        key = e.slice
    elif isinstance(e, ast.Call) and ctx.qualname(e.func) in _ENV_CALLS:
        key = ctx.argument(e, 0, "key")
    else:
        return None
    name = key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None
    if name is not None and (name in _CGI_REQUEST or name.startswith("HTTP_")):
        return Source(ctx.span(e), f"CGI request variable '{name}'")
    label = f"environment variable '{name}'" if name is not None else "environment variable"
    return Source(ctx.span(e), label, only=ENV_SINK_CWES, confidence="low")


def queue_read(call: ast.Call, ctx: "Context") -> Optional[Source]:
    """A message read from a queue by a call: SQS `receive_message(s)`, a Kafka consumer's `poll()`,
    `consume()`, `getone()`, `getmany()`."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return None
    if func.attr in _SQS_READS:
        return Source(ctx.span(call), "SQS message")
    if func.attr in _CONSUMER_READS and _is_consumer(func.value, ctx):
        return Source(ctx.span(call), "Kafka message")
    return None


def consumed(iterable: ast.AST, ctx: "Context") -> Optional[Source]:
    """The source of the messages a loop takes from a consumer (`for msg in consumer:`)."""
    if not _is_consumer(iterable, ctx):
        return None
    return Source(ctx.span(iterable), "Kafka message")


def task_arguments(func: ast.FunctionDef | ast.AsyncFunctionDef, ctx: "Context") -> list[ast.arg]:
    """The parameters of a Celery task (`@app.task`, `@shared_task`), which whoever can enqueue a
    task sets (a bound task's `self` excluded)."""
    found = False
    bound = False
    for decorator in func.decorator_list:
        call = decorator if isinstance(decorator, ast.Call) else None
        name = ctx.qualname(call.func if call is not None else decorator) or ""
        if name in _CELERY_TASKS or (name.endswith(".task") and _imports(ctx, ("celery",))):
            found = True
            bound = call is not None and any(
                k.arg == "bind" and isinstance(k.value, ast.Constant) and k.value.value is True for k in call.keywords
            )
    if not found:
        return []
    args = func.args
    params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    return params[1:] if bound and params else params


def _is_consumer(node: ast.AST, ctx: "Context") -> bool:
    """`node` is a consumer built here (`KafkaConsumer(...)`, or a name bound to one)."""
    if not _imports(ctx, _CONSUMER_MODULES):
        return False
    values = (ctx.model.each_value(node) or ()) if isinstance(node, ast.Name) else (node,)  # any branch
    names = [ctx.qualname(v.func) or "" for v in values if isinstance(v, ast.Call)]
    return any(n.startswith(_CONSUMER_MODULES) and n.rpartition(".")[2] in _CONSUMERS for n in names)


def _imports(ctx: "Context", modules: tuple[str, ...]) -> bool:
    return ctx.memo(
        ("imports", modules),
        lambda: any(
            target == m or target.startswith(m + ".") for target in ctx.module.imports.values() for m in modules
        ),
    )
