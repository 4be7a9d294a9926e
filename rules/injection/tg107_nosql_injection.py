"""TG107: MongoDB queries whose structure the user controls (`$where` code, request JSON as a filter)."""

from __future__ import annotations

import ast

from tabguard.engine.fixes import edits_fix
from tabguard.engine.rule import Invalid, Rule
from tabguard.engine.taint import Source
from tabguard.rules.injection._rewrite import wrap_values
from tabguard.rules.injection._strings import is_static, is_string_building, raised, unconfirmed

_QUERY_METHODS = frozenset(
    {
        "find",
        "find_one",
        "find_one_and_update",
        "find_one_and_delete",
        "find_one_and_replace",
        "update_one",
        "update_many",
        "delete_one",
        "delete_many",
        "replace_one",
        "count_documents",
        "count",
        "distinct",
        "aggregate",
        "remove",
        "update",
        "find_raw_batches",
        "watch",
    }
)
# Methods unique to collections; the others need a dict filter to tell them from str/list methods.
_COLLECTION_ONLY = _QUERY_METHODS - {"find", "count", "remove", "update", "distinct"}
# boto3 DynamoDB filter arguments: a whole condition object from the client chooses what matches.
_DYNAMODB_FILTERS = frozenset({"QueryFilter", "ScanFilter", "KeyConditions", "Expected"})
# boto3 DynamoDB expressions and PartiQL statements: text the service parses, whose values belong in
# `ExpressionAttributeValues` (`:name`) / `Parameters`, never spliced into the text.
_DYNAMODB_EXPRESSIONS = frozenset(
    {
        "FilterExpression",
        "KeyConditionExpression",
        "ConditionExpression",
        "UpdateExpression",
        "ProjectionExpression",
        "Statement",
    }
)
_CODE_OPERATORS = frozenset({"$where", "$function", "$accumulator"})
# Where request data keeps its JSON types, so a value may be `{"$ne": null}` rather than a string.
_JSON_LABELS = ("json", "get_json", "data", "body", "get_data", "media", "stream", "loads")
_CONVERSIONS = frozenset(
    {"str", "int", "float", "bool", "ObjectId", "bson.ObjectId", "bson.objectid.ObjectId", "uuid.UUID"}
)


def _built(value: ast.expr, ctx) -> bool:
    """Text assembled from run-time values, in the argument or in the local it names."""
    if isinstance(value, ast.Name):
        assigned = ctx.model.values(value)
        return bool(assigned) and any(is_string_building(v, ctx) for v in assigned)
    return is_string_building(value, ctx)


def _json_typed(source: Source | None) -> bool:
    return source is not None and any(label in source.label for label in _JSON_LABELS)


class NoSqlInjection(Rule):
    id = "TG107"
    name = "nosql-injection"
    severity = "high"
    confidence = "medium"
    lowers_confidence_without_taint = True
    raises_when_tainted = True
    cwe = (943,)
    owasp = "A05:2025"
    message = "{database} query {problem}"
    placeholders = {"problem": "takes its structure from request data", "database": "MongoDB"}
    aliases = ()
    call_names = _QUERY_METHODS
    call_keywords = _DYNAMODB_FILTERS | _DYNAMODB_EXPRESSIONS
    what = "The {database} query {problem}."
    why = (
        'A JSON body decodes to dicts, so `{{"password": {{"$ne": null}}}}` passed where a string was '
        'expected matches every document: `find_one({{"user": body["user"], "password": '
        'body["password"]}})` logs in without a password. `$where` runs server-side JavaScript, so '
        "a value spliced into it is code injection. A DynamoDB `ScanFilter`/`QueryFilter` map taken whole "
        "from a request lets the client choose the attributes and comparison operators (`NOT_NULL` on "
        "any field) and read other users' items. A value spliced into a DynamoDB `FilterExpression`, "
        "`KeyConditionExpression` or PartiQL `Statement` rewrites the condition: a name of "
        "`x = :u OR attribute_exists(password)` matches every item."
    )
    how = (
        'Convert each value to the type you expect (`str(body["user"])`, `ObjectId(...)`), or validate '
        "the body with a schema (pydantic, marshmallow) before it reaches a query; never build `$where` "
        "from input: use normal query operators. In DynamoDB, write placeholders in the expression "
        "(`#name = :value`) and pass the values in `ExpressionAttributeValues` (names in "
        "`ExpressionAttributeNames`), or use `boto3.dynamodb.conditions.Key`/`Attr`; PartiQL takes `Parameters`."
    )
    example = 'users.find_one({"user": str(body["user"]), "active": True})'
    fix_safety = (
        "Unsafe: for a filter dict, the rewrite converts each request value to `str(...)`, so an object "
        'such as `{"$ne": null}` is matched as text instead of read as an operator. A field stored as '
        "a number or ObjectId no longer matches a string: convert those to their own type instead. A "
        "whole-request filter, DynamoDB condition maps and expressions, and `$where` code have no "
        "mechanical rewrite."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/943.html",
        "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/07-Input_Validation_Testing/05.6-Testing_for_NoSQL_Injection",
        "https://www.mongodb.com/docs/manual/reference/operator/query/where/",
    )
    VALID = (
        'from flask import request\ndef f(db):\n    return db.users.find_one({"name": str(request.json["name"])})\n',
        'from flask import request\ndef f(db):\n    return db.users.find_one({"name": request.args.get("name")})\n',
        'def f(db):\n    return db.users.find({"$where": "this.a > this.b"})\n',
        'from flask import request\ndef f():\n    return request.json["name"].find("x")\n',
        'def handler(event, context):\n    return table.scan(ScanFilter={"name": {"AttributeValueList": [event["name"]], "ComparisonOperator": "EQ"}})\n',
        "def get_user(client, username):\n    return client.query(TableName='users', KeyConditionExpression='username = :u',\n"
        "        ExpressionAttributeValues={':u': {'S': username}})\n",
        "FIELDS = 'id, email'\ndef list_users(table):\n    return table.scan(ProjectionExpression=f'{FIELDS}, created')\n",
        "def orders(client, customer):\n    return client.execute_statement(\n"
        "        Statement='SELECT * FROM orders WHERE customer = ?', Parameters=[{'S': customer}])\n",
        # `update` with one mapping is dict.update: a collection's update takes a filter and a document
        'from flask import request\ndef environ():\n    env = make_env()\n    env.update({"input": request.json})\n    return env\n',
    )
    INVALID = (
        Invalid(
            "from flask import request\ndef f(db):\n    return db.users.find(request.json)\n",
        ),
        Invalid(
            "from flask import request\ndef login(db):\n    body = request.get_json()\n"
            '    return db.users.find_one({"user": body["user"], "password": body["password"]})\n',
            "from flask import request\ndef login(db):\n    body = request.get_json()\n"
            '    return db.users.find_one({"user": str(body["user"]), "password": str(body["password"])})\n',
        ),
        Invalid(
            "from flask import request\ndef rename(db):\n"
            '    db.users.update({"name": request.json["old"]}, {"$set": {"name": "x"}})\n',
            "from flask import request\ndef rename(db):\n"
            '    db.users.update({"name": str(request.json["old"])}, {"$set": {"name": "x"}})\n',
        ),
        Invalid(
            'def f(db, name):\n    return db.users.find({"$where": f"this.name == \'{name}\'"})\n',
        ),
        Invalid(
            'def handler(event, context):\n    return table.scan(ScanFilter=event["body"]["filter"])\n',
        ),
        Invalid(
            "import boto3\nclient = boto3.client('dynamodb')\ndef get_user(username, password):\n"
            "    return client.scan(TableName='users', FilterExpression=username + ' = :u AND password = :p',\n"
            "        ExpressionAttributeValues={':u': {'S': username}, ':p': {'S': password}})\n",
            message="DynamoDB",
        ),
        Invalid(
            "from flask import request\ndef orders(table):\n    customer = request.args['customer']\n"
            "    return table.query(KeyConditionExpression=f\"customer_id = '{customer}'\")\n",
        ),
        Invalid(
            "def orders(client, customer):\n"
            "    query = \"SELECT * FROM orders WHERE customer = '{}'\".format(customer)\n"
            "    return client.execute_statement(Statement=query)\n",
        ),
    )

    def visit_Dict(self, node: ast.Dict, ctx) -> None:
        for key, value in zip(node.keys, node.values):
            if isinstance(key, ast.Constant) and key.value in _CODE_OPERATORS and not is_static(value, ctx):
                source = ctx.taint(value)
                problem = f"runs JavaScript built at run time in `{key.value}`"
                ctx.report(
                    self,
                    value,
                    details={"problem": problem, "database": "MongoDB"},
                    source=source,
                    severity=raised(self, source),
                    confidence=unconfirmed(self, source),
                )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        func = node.func
        for keyword in node.keywords:
            if keyword.arg not in _DYNAMODB_EXPRESSIONS and keyword.arg not in _DYNAMODB_FILTERS:
                continue
            source = ctx.taint(keyword.value)
            if keyword.arg in _DYNAMODB_EXPRESSIONS and _built(keyword.value, ctx):
                problem = f"splices values into its `{keyword.arg}` text"
            elif keyword.arg in _DYNAMODB_FILTERS and not isinstance(keyword.value, ast.Dict) and source is not None:
                # DynamoDB's legacy condition maps: the client chooses attributes and operators.
                problem = f"takes its `{keyword.arg}` from request data"
            else:
                continue
            ctx.report(
                self,
                keyword.value,
                details={"problem": problem, "database": "DynamoDB"},
                source=source,
                severity=raised(self, source),
                confidence=unconfirmed(self, source),
            )
            return
        if not (isinstance(func, ast.Attribute) and func.attr in _QUERY_METHODS and node.args):
            return
        query = node.args[0]
        if func.attr == "update" and len(node.args) == 1 and not node.keywords:
            return  # `env.update({...})`: a dict's update; MongoDB's takes a filter and a document
        if (
            func.attr not in _COLLECTION_ONLY
            and not isinstance(query, ast.Dict)
            and not self._whole_request(query, ctx)
        ):
            return
        if isinstance(query, ast.Dict):
            capable = [
                (value, source) for value in query.values if (source := self._operator_capable(value, ctx)) is not None
            ]
            if capable:
                # Every such value becomes a string: one left as it is would still be reported.
                edits = wrap_values(ctx, [value for value, _ in capable], "str({})")
                fix = edits_fix(edits, "Fix: convert the request values to str", safe=False) if edits else None
                self._report(node, ctx, capable[0][1], "uses a request value that may be an operator object", fix)
        else:
            source = self._operator_capable(query, ctx)
            if source is not None:
                self._report(node, ctx, source, "takes its whole filter from request data")

    def _report(self, node, ctx, source, problem, fix=None):
        ctx.report(
            self,
            node,
            details={"problem": problem, "database": "MongoDB"},
            source=source,
            severity=raised(self, source),
            fix=fix,
        )

    def _whole_request(self, query: ast.expr, ctx) -> bool:
        return self._operator_capable(query, ctx) is not None

    def _operator_capable(self, value: ast.expr | None, ctx, depth: int = 0) -> Source | None:
        """The source when `value` is JSON-typed request data passed through unconverted."""
        if value is None or depth > 4:
            return None
        if isinstance(value, ast.Call):
            name = ctx.call_name(value) or ""
            if name in _CONVERSIONS or name.split(".")[-1] in _CONVERSIONS:
                return None
            if not (isinstance(value.func, ast.Attribute) and value.func.attr in ("get", "get_json", "json", "loads")):
                return None
        elif isinstance(value, ast.Name):
            assigned = ctx.model.values(value)
            if assigned and not any(self._operator_capable(v, ctx, depth + 1) for v in assigned):
                return None
        elif not isinstance(value, (ast.Subscript, ast.Attribute, ast.Await)):
            return None
        source = ctx.taint(value)
        return source if _json_typed(source) else None
