"""Which arguments of a call name a file-system path (open, os, shutil, pathlib)."""

from __future__ import annotations

import ast
from typing import Iterator

from tabguard.engine.types import Edit, Fix
from tabguard.rules._spelling import spell
from tabguard.rules.files._flow import remote_taint


OPEN = frozenset({"open", "builtins.open", "io.open", "codecs.open", "os.open", "aiofiles.open"})
# callee -> (position, keyword) of each path argument
_ONE_PATH = ((0, "path"),)
_TWO_PATHS = ((0, "src"), (1, "dst"))
PATH_FUNCTIONS: dict[str, tuple[tuple[int, str], ...]] = {
    **dict.fromkeys(OPEN, ((0, "file"),)),
    **{
        f"os.{name}": _ONE_PATH
        for name in (
            "remove",
            "unlink",
            "rmdir",
            "removedirs",
            "mkdir",
            "makedirs",
            "listdir",
            "scandir",
            "chmod",
            "chown",
            "truncate",
            "utime",
        )
    },
    **{f"os.{name}": _TWO_PATHS for name in ("rename", "renames", "replace", "link", "symlink")},
    **{f"shutil.{name}": _TWO_PATHS for name in ("copy", "copy2", "copyfile", "copytree", "move")},
    "shutil.rmtree": _ONE_PATH,
    # a pattern lists what it matches: `..` walks out, `*` matches every name
    "glob.glob": ((0, "pathname"),),
    "glob.iglob": ((0, "pathname"),),
}
# Methods of pathlib.Path that read, write or delete the file it names.
_PATH_ONLY_METHODS = frozenset(
    {
        "read_text",
        "read_bytes",
        "write_text",
        "write_bytes",
        "unlink",
        "rmdir",
        "touch",
        "iterdir",
        "hardlink_to",
        "symlink_to",
    }
)
# Methods that other types share (str.replace, a file's open), so the receiver must be a Path.
_SHARED_METHODS = frozenset({"open", "rename", "replace", "mkdir", "chmod", "glob", "rglob"})
_PATH_TYPES = ("pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "pathlib.WindowsPath", "Path")
_PATH_RETURNING = frozenset({"resolve", "absolute", "joinpath", "with_name", "with_suffix", "expanduser"})
WRITE_METHODS = frozenset({"write_text", "write_bytes", "touch", "mkdir", "open", "rename", "replace"})
# The callee names (last part) of the calls `path_arguments` finds paths in.
PATH_CALL_NAMES = frozenset(name.rpartition(".")[2] for name in PATH_FUNCTIONS) | _PATH_ONLY_METHODS | _SHARED_METHODS


def path_arguments(ctx, call: ast.Call) -> Iterator[ast.expr]:
    """The expressions a file-system call uses as paths (a pathlib receiver counts as one)."""
    name = ctx.call_name(call) or ""
    for position, keyword in PATH_FUNCTIONS.get(name, ()):
        argument = ctx.argument(call, position, keyword)
        if argument is not None:
            yield argument
    func = call.func
    if isinstance(func, ast.Attribute) and name not in PATH_FUNCTIONS:
        if func.attr in _PATH_ONLY_METHODS or (func.attr in _SHARED_METHODS and is_path_object(ctx, func.value)):
            yield func.value
            if func.attr in ("glob", "rglob") and call.args:
                yield call.args[0]  # `base.glob(pattern)`: the pattern is a path below the receiver


def is_path_object(ctx, expr: ast.AST) -> bool:
    """`Path(...)`, `base / name`, `p.resolve()`, or a local bound to one of those."""
    if isinstance(expr, ast.Name):  # in any branch that binds it, else a module-level `BASE = Path(...)`
        values = ctx.model.each_value(expr) if ctx.function is not None else None
        if values:
            return any(is_path_object(ctx, value) for value in values)
        made = ctx.module.instances.get(expr.id)
        return (
            made is not None
            and ctx.scope.lookup(expr.id) is None
            and (ctx.qualname(ast.Name(made)) or made).endswith(_PATH_TYPES)
        )
    if isinstance(expr, ast.BinOp):
        return isinstance(expr.op, ast.Div)
    if isinstance(expr, ast.Call):
        if isinstance(expr.func, ast.Attribute) and expr.func.attr in _PATH_RETURNING:
            return True
        return (ctx.call_name(expr) or "").endswith(_PATH_TYPES)
    return False


def opens_for_writing(ctx, call: ast.Call) -> bool:
    """An `open(...)` in a write, append or create mode, or a pathlib write."""
    name = ctx.call_name(call) or ""
    if name in OPEN:
        mode = ctx.argument(call, 1, "mode")
        value = ctx.constant_value(mode)
        return isinstance(value, str) and any(c in value for c in "wax+")
    return isinstance(call.func, ast.Attribute) and call.func.attr in WRITE_METHODS and name not in PATH_FUNCTIONS


_JOIN = frozenset({"os.path.join", "posixpath.join"})


def secure_filename_fix(ctx, destination: ast.expr, *, whole: bool):
    """The user-controlled file-name parts of a path wrapped in werkzeug's `secure_filename` (None
    when werkzeug is not declared); with `whole`, also a path that is the user's value alone."""
    if isinstance(destination, ast.Name):
        bound = ctx.model.value_of(destination)
        if bound is None and ctx.model.values(destination):
            return None  # branches bind different paths: rewriting one, or the name, is not the fix
        destination = bound or destination
    pieces = [ctx.span(p) for p in _user_pieces(ctx, destination, whole)]
    if not pieces:
        return None
    spelled = spell(ctx, "werkzeug.utils.secure_filename")
    if spelled is None:
        return None  # werkzeug is not declared: importing it would only trade this for TG703
    name, imports = spelled
    edits = tuple(Edit(span, f"{name}({ctx.segment(span)})") for span in pieces)
    return lambda: Fix("Fix: pass the file name through secure_filename", edits, False, imports)


def _user_pieces(ctx, path: ast.expr, whole: bool) -> Iterator[ast.expr]:
    """The user-controlled parts of a path expression that are file names, not directories."""
    if isinstance(path, ast.Call) and (ctx.call_name(path) or "") in _JOIN:
        parts: list[ast.expr] = list(path.args[1:])
    elif isinstance(path, ast.JoinedStr):
        parts = [v.value for v in path.values if isinstance(v, ast.FormattedValue)]
    elif isinstance(path, ast.BinOp):
        parts = [path.right]
    else:
        parts = [path] if whole else []  # a whole path flattened to a name would change where it points
    for part in parts:
        if remote_taint(ctx, part) is not None:
            yield part
