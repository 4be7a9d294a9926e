"""TG120: a model populated with every field the client sent (mass assignment)."""

from __future__ import annotations

import ast
import re
from typing import Optional

from tabguard.engine.facts import dotted_name
from tabguard.engine.rule import Invalid, Rule
from tabguard.guards import words

_MANAGER_METHODS = frozenset({"create", "update", "get_or_create", "update_or_create", "bulk_create", "insert"})
# Classes that exist to validate input: unpacking a request into them is the recommended pattern.
# Annotations that say nothing about the fields.
_UNTYPED = frozenset(
    {"Any", "Dict", "Mapping", "MutableMapping", "Request", "QueryDict", "MultiDict", "ImmutableMultiDict"}
)
_VALIDATOR_NAME = re.compile(
    r"(Schema|Create|Update|In|Input|Request|Form|Serializer|Payload|Params|Body|DTO|Query|Filter|Args)$"
)


class MassAssignment(Rule):
    id = "TG120"
    name = "mass-assignment"
    severity = "medium"
    confidence = "medium"
    cwe = (915,)
    owasp = "A01:2025"
    message = "`{target}` takes every field from user input ({source})"
    placeholders = {"target": "User(**data)", "source": "request data"}
    aliases = ()
    call_names = frozenset({"update", "setattr"})
    call_keywords = frozenset({None})  # `**fields`: a keyword argument without a name
    what = "`{target}` copies all keys of {source} onto a model, including fields the form never showed."
    why = (
        'The client decides which attributes are set: adding `"is_admin": true`, `"role": "owner"`, '
        '`"balance": 1e9` or `"user_id": 1` to a sign-up or profile request escalates privileges or '
        "edits someone else's record. Assistants write `User(**request.json)` because it is short."
    )
    how = (
        'Copy an explicit allow-list of fields (`User(name=data["name"], email=data["email"])`), or '
        "validate with a schema/serializer/form that declares only the editable fields."
    )
    example = 'ALLOWED = {"name", "email"}\nuser = User(**{k: v for k, v in data.items() if k in ALLOWED})'
    references = (
        "https://cwe.mitre.org/data/definitions/915.html",
        "https://cheatsheetseries.owasp.org/cheatsheets/Mass_Assignment_Cheat_Sheet.html",
    )
    VALID = (
        'from flask import request\ndef f():\n    data = request.get_json()\n    return User(name=data["name"], email=data["email"])\n',
        "from flask import request\ndef f():\n    return UserCreate(**request.json)\n",
        'from flask import request\nALLOWED = {"name"}\ndef f(user):\n    for k, v in request.json.items():\n'
        "        if k in ALLOWED:\n            setattr(user, k, v)\n",
        "def f(user, fields):\n    for k, v in fields.items():\n        setattr(user, k, v)\n",
        "from flask import request\ndef f():\n    return dict(**request.json)\n",
        # A request body parsed into a declared schema: only its fields are there to copy.
        "from fastapi import FastAPI\nfrom pydantic import BaseModel\napp = FastAPI()\n"
        "class ItemIn(BaseModel):\n    title: str\n"
        '@app.post("/items")\ndef create(item: ItemIn):\n    return Item(**item.model_dump(), owner_id=1)\n',
        "from fastapi import FastAPI\nfrom . import schemas\napp = FastAPI()\n"
        "def save(user_in: schemas.UserIn):\n    return UserInDB(**user_in.dict(), hashed_password=hash_(user_in.password))\n"
        '@app.post("/users")\ndef create(user_in: schemas.UserIn):\n    return save(user_in)\n',
        # a key the code writes, merged into a dict that says who asked
        "from fastapi import FastAPI\napp = FastAPI()\n@app.get('/items/{item_id}')\n"
        "def read_item(item_id: str, q: str = ''):\n    result = {'item_id': item_id, 'user': 'me'}\n"
        "    if q:\n        result.update({'q': q})\n    return result\n",
        # the client's values merged first, who posts written last
        "from flask import request\ndef create_post():\n    fields = {'title': '', 'body': ''}\n"
        "    fields.update({'title': request.json['title'], 'body': request.json['body']})\n"
        "    fields['author_id'] = current_account().id\n    return Post.create(**fields)\n",
        # the keys are written here; only the values are the client's
        "from flask import request\ndef signup():\n"
        '    fields = {"name": request.form["name"], "email": request.form["email"]}\n    return User(**fields)\n',
        # a declared schema's fields, copied one by one
        "from fastapi import FastAPI\nfrom pydantic import BaseModel\napp = FastAPI()\n"
        "class ProfileIn(BaseModel):\n    bio: str = ''\n"
        '@app.patch("/me")\ndef edit(changes: ProfileIn, me=Depends(current_account)):\n'
        "    for field, value in changes.dict().items():\n        setattr(me, field, value)\n",
        # the keys copied are the declared schema's fields
        "from fastapi import FastAPI\napp = FastAPI()\n@app.patch('/items/{item_id}')\n"
        "def patch_item(item_id: int, body: ItemUpdate):\n    item = db.get(Item, item_id)\n"
        "    for key, value in body.model_dump(exclude_unset=True).items():\n        setattr(item, key, value)\n"
        "    db.commit()\n",
    )
    INVALID = (
        Invalid(
            "from flask import request\ndef signup():\n    user = User(**request.json)\n    db.session.add(user)\n"
        ),
        Invalid("def update(request, pk):\n    Profile.objects.filter(pk=pk).update(**request.POST.dict())\n"),
        Invalid(
            "def update(request, pk):\n    profiles = Profile.objects.filter(pk=pk)\n    profiles.update(**request.POST)\n"
        ),
        Invalid("from flask import request\ndef f(user):\n    user.__dict__.update(request.get_json())\n"),
        Invalid(
            "from flask import request\ndef f(user):\n    for key, value in request.json.items():\n        setattr(user, key, value)\n"
        ),
        # who posts is set first, then the client's JSON may replace it
        Invalid(
            "from flask import request\ndef create_post():\n    fields = {'author_id': current_account().id}\n"
            "    fields.update(request.get_json())\n    return Post.create(**fields)\n",
            at=(4, 5),
        ),
        # literal keys, then every key of the form merged in
        Invalid(
            "from flask import request\ndef signup():\n    fields = {'plan': 'free'}\n"
            "    fields.update(request.form)\n    return User(**fields)\n"
        ),
        # a schema that keeps undeclared fields passes `"role": "admin"` along
        Invalid(
            "from fastapi import FastAPI\nfrom pydantic import BaseModel, ConfigDict\napp = FastAPI()\n"
            "class ProfileIn(BaseModel):\n    model_config = ConfigDict(extra='allow')\n    bio: str = ''\n"
            '@app.patch("/me")\ndef edit(changes: ProfileIn, me=Depends(current_account)):\n'
            "    for field, value in changes.dict().items():\n        setattr(me, field, value)\n"
        ),
        Invalid(
            "from fastapi import FastAPI\nfrom pydantic import BaseModel, Extra\napp = FastAPI()\n"
            "class SignupIn(BaseModel, extra=Extra.allow):\n    email: str\n"
            '@app.post("/signup")\ndef signup(user: SignupIn):\n    data = user.dict()\n    return Account(**data)\n'
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        func = node.func
        for keyword in node.keywords:
            if keyword.arg is None and self._targets_model(node, ctx) and not _declared_fields(keyword.value, ctx):
                source = _key_source(keyword.value, ctx)
                if source is not None:
                    self._report(node, ctx, source)
                    return
        if isinstance(func, ast.Attribute) and func.attr == "update" and node.args:
            owner = func.value
            is_dict_of_object = (isinstance(owner, ast.Attribute) and owner.attr == "__dict__") or (
                isinstance(owner, ast.Call) and ctx.call_name(owner) == "vars" and owner.args
            )
            if is_dict_of_object:
                source = ctx.taint(node.args[0])
                if source is not None:
                    self._report(node, ctx, source)
            elif _overrides_identity(owner, ctx):
                # `data = {"username": signed_in}` then `data.update(request.json)`: the client's keys win
                source = _key_source(node.args[0], ctx)  # `.update({"q": q})` adds a key the code wrote
                if source is not None and not _declared_fields(node.args[0], ctx):
                    self._report(node, ctx, source)
        elif isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) == 3:
            source = ctx.taint(node.args[1])
            if source is not None and not _loop_over_declared(node, ctx):
                self._report(node, ctx, source)

    def _targets_model(self, call: ast.Call, ctx) -> bool:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in _MANAGER_METHODS:
            receivers = [func.value]
            if isinstance(func.value, ast.Name):  # `qs = Model.objects.filter(...)` in any branch; `qs.update(...)`
                receivers = ctx.model.each_value(func.value) or receivers
            owners = [dotted_name(receiver) or "" for receiver in receivers]
            return any(
                bool({"objects", "query"} & set(owner.split("."))) or owner.endswith((".filter", ".all"))
                for owner in owners
            )
        name = (dotted_name(func) or "").rsplit(".", 1)[-1]
        return bool(name[:1].isupper()) and not _VALIDATOR_NAME.search(name) and not name.isupper()

    def _report(self, node: ast.Call, ctx, source) -> None:
        target = ctx.segment(ctx.span(node))
        ctx.report(
            self,
            node,
            details={"target": target if len(target) <= 60 else target[:57] + "...", "source": source.label},
            source=source,
        )


def _declared_fields(mapping: ast.expr, ctx, depth: int = 0) -> bool:
    """`item.model_dump()`, or `item.dict()` of a parameter annotated with a class (a FastAPI body
    parsed into a pydantic schema), also through a local holding it: the schema lists the fields,
    unknown keys were dropped when it was parsed, unless the schema keeps them (`extra="allow"`).
    Django's `request.POST.dict()` is a plain copy of the form and does not count."""
    if isinstance(mapping, ast.Name) and ctx.function is not None and depth < 2:
        values = ctx.model.each_value(mapping) or ()
        return bool(values) and all(_declared_fields(v, ctx, depth + 1) for v in values)
    if not (isinstance(mapping, ast.Call) and isinstance(mapping.func, ast.Attribute)):
        return False
    receiver = mapping.func.value
    schema = _annotation_of(receiver, ctx)
    if schema is not None and ctx.module.open_models.get(schema):
        return False
    if mapping.func.attr == "model_dump":
        return True
    return mapping.func.attr == "dict" and schema is not None and schema[:1].isupper() and schema not in _UNTYPED


def _annotation_of(receiver: ast.expr, ctx) -> Optional[str]:
    """The class a parameter named `receiver` is annotated with (its last name), else None."""
    if not isinstance(receiver, ast.Name) or ctx.function is None:
        return None
    arguments = ctx.function.args
    for arg in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs):
        if arg.arg == receiver.id and arg.annotation is not None:
            return (dotted_name(arg.annotation) or "").rsplit(".", 1)[-1] or None
    return None


def _loop_over_declared(call: ast.Call, ctx) -> bool:
    """`for k, v in item.dict().items(): setattr(obj, k, v)` over a declared schema's fields."""
    key = call.args[1]
    if not isinstance(key, ast.Name):
        return False
    node = ctx.parent(call)
    while node is not None and not isinstance(node, (ast.For, ast.AsyncFor, ast.FunctionDef, ast.AsyncFunctionDef)):
        node = ctx.parent(node)
    if not isinstance(node, (ast.For, ast.AsyncFor)):
        return False
    if key.id not in {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}:
        return False
    loop = node.iter
    return (
        isinstance(loop, ast.Call)
        and isinstance(loop.func, ast.Attribute)
        and loop.func.attr == "items"
        and _declared_fields(loop.func.value, ctx)
    )


# Keys that say whose record this is or what the caller may do.
_TRUSTED_KEYS = frozenset(
    {"user", "username", "userid", "owner", "author", "account", "role", "admin", "tenant", "uid", "email"}
)


def _overrides_identity(owner: ast.expr, ctx) -> bool:
    """A local dict the function filled with who the caller is (`{"user_id": current.id}`)."""
    if not isinstance(owner, ast.Name) or ctx.function is None:
        return False
    for value in ctx.model.each_value(owner) or ():
        if isinstance(value, ast.Dict):
            for key in value.keys:
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    if set(words(key.value)) & _TRUSTED_KEYS or key.value.lower() in _TRUSTED_KEYS:
                        return True
    return False


def _key_source(mapping: ast.expr, ctx):
    """Where the keys of `**mapping` come from: a dict display with literal keys (`{"name": name}`,
    also held in a local) fixes which fields are set whatever its values are, unless the function
    then merges more keys into it (`fields.update(extra)`, `fields[key] = ...`)."""
    if isinstance(mapping, ast.Dict):
        return None if _literal_keys(mapping) else ctx.taint(mapping)
    if not isinstance(mapping, ast.Name) or ctx.function is None:
        return ctx.taint(mapping)
    values = ctx.model.each_value(mapping) or ()
    if not values or not all(isinstance(v, ast.Dict) and _literal_keys(v) for v in values):
        return ctx.taint(mapping)
    for node in ast.walk(ctx.function):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "update":
            if isinstance(node.func.value, ast.Name) and node.func.value.id == mapping.id:
                source = next(filter(None, map(ctx.taint, (*node.args, *(k.value for k in node.keywords)))), None)
                if source is not None:
                    return source
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store):
            if isinstance(node.value, ast.Name) and node.value.id == mapping.id and ctx.taint(node.slice) is not None:
                return ctx.taint(node.slice)
    return None


def _literal_keys(mapping: ast.Dict) -> bool:
    return all(isinstance(k, ast.Constant) for k in mapping.keys)
