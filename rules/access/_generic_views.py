"""Generic class-based views that load one record by the URL's key themselves (Django `DetailView`,
`UpdateView`, `DeleteView`; DRF retrieve/update/destroy views and model viewsets). Written as
`model = Invoice` or `queryset = Invoice.objects.all()`, they serve every row to whoever passes the
view's guards unless `get_queryset`/`get_object` narrows it."""

from __future__ import annotations

import ast
from typing import Optional

from tabguard.engine.facts import dotted_name
from tabguard.guards import last_part

# Generic views that read one record by `pk`/`slug` from the URL, and whether they change it.
_SINGLE_RECORD = {
    "DetailView": False,
    "UpdateView": True,
    "DeleteView": True,
    "RetrieveAPIView": False,
    "RetrieveUpdateAPIView": True,
    "RetrieveDestroyAPIView": True,
    "RetrieveUpdateDestroyAPIView": True,
    "UpdateAPIView": True,
    "DestroyAPIView": True,
    "ModelViewSet": True,
    "ReadOnlyModelViewSet": False,
}
# The methods that narrow which records the view may load.
_NARROWING = frozenset({"get_queryset", "get_object", "filter_queryset", "get_queryset_for_user"})
_FRAMEWORKS = ("django.", "rest_framework.")


def generic_record_view(cls: ast.ClassDef, ctx) -> Optional[tuple[str, bool, ast.AST]]:
    """(model name, whether the view changes the record, the statement naming it) when `cls` is a
    single-record generic view whose records are not narrowed, else None. Every base must come from
    Django or DRF: a project's own base class may narrow the queryset out of sight."""
    changes = None
    for base in cls.bases:
        name = last_part(dotted_name(base))
        qualified = ctx.qualname(base) or ""
        if not qualified.startswith(_FRAMEWORKS):
            return None
        if name in _SINGLE_RECORD:
            changes = bool(changes) or _SINGLE_RECORD[name]
    if changes is None:
        return None
    found = None
    for stmt in cls.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name in _NARROWING:
            return None
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            model = _model_of(stmt.targets[0].id, stmt.value)
            if model:
                found = (model, changes, stmt)
    return found


def _model_of(attribute: str, value: ast.AST) -> str:
    """`model = Invoice` -> "Invoice"; `queryset = Invoice.objects.all()` -> "Invoice"; else ""."""
    if attribute == "model":
        return last_part(dotted_name(value))
    if (
        attribute == "queryset"
        and isinstance(value, ast.Call)
        and isinstance(value.func, ast.Attribute)
        and value.func.attr == "all"
        and not value.args
    ):
        manager = dotted_name(value.func.value) or ""
        if manager.endswith(".objects"):
            return last_part(manager[: -len(".objects")])
    return ""
