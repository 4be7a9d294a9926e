"""TG105: SQL text built from values by formatting, then executed."""

from __future__ import annotations

import ast
import re

from tabguard.engine.facts import dotted_name, uses_django
from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.injection import last_names
from tabguard.rules.injection._sql import driver_placeholder, looks_like_sql
from tabguard.rules.injection._sql_rewrite import clause_fix, execute_fix, text_fix
from tabguard.rules.injection._sql_splice import NUMERIC, harmless_splices
from tabguard.rules.injection._strings import (
    all_values_through,
    built_string,
    constant_text,
    formatted_pieces,
    module_built,
    raised,
    unconfirmed,
)

_EXECUTE_METHODS = frozenset({"execute", "executemany", "executescript", "exec_driver_sql", "mogrify"})
_QUERY_METHODS = frozenset(
    {"fetch", "fetchrow", "fetchval", "read_sql", "read_sql_query", "query", "sql", "run", "cursor"}
)
_TEXT_CALLS = frozenset({"sqlalchemy.text", "sqlalchemy.sql.text", "sqlalchemy.sql.expression.text"})
# SQLAlchemy query methods that take a raw SQL fragment when handed a string (coerced to `text()`).
_ORM_CLAUSE_METHODS = frozenset({"filter", "where", "having", "order_by", "group_by", "distinct", "from_statement"})
# A receiver that is a SQLAlchemy query or select: `session.query(User)`, `Model.query`, `select(t)`.
_ORM_QUERY = re.compile(r"(^|\.)(query|select|stmt|statement)(\.|$)")
# SQL syntax around the spliced value (`name = '{}'`, `{} DESC`): the value lands inside a clause.
# A bare `"{}".format(x)` may be a column name from configuration and is reported only when tainted.
_CLAUSE_SYNTAX = re.compile(r"[=<>]|\b(like|ilike|in|is|and|or|not|between|asc|desc)\b", re.IGNORECASE)
_DB_RECEIVER = re.compile(
    r"(?i)(^|\.|_)(cur|cursor|conn|connection|con|db|database|session|engine|sess|tx|transaction|pool|c)$"
)
_PRAGMA = re.compile(r"^\s*PRAGMA\b", re.IGNORECASE)


def _only_configured_names(built: ast.expr) -> bool:
    """Every interpolated value is an attribute of `self`/`cls` (a table or column the class configures)."""
    values = [p for p in formatted_pieces(built) or () if not isinstance(p, str)]
    return bool(values) and all(
        isinstance(v, ast.Attribute) and isinstance(v.value, ast.Name) and v.value.id in ("self", "cls") for v in values
    )


def _query_argument(call: ast.Call, ctx):
    for name in ("sql", "query", "statement", "operation"):
        keyword = ctx.keyword(call, name)
        if keyword is not None:
            return keyword.value
    return call.args[0] if call.args and not isinstance(call.args[0], ast.Starred) else None


def _params_argument(call: ast.Call, ctx):
    """The parameters passed with the SQL text: `execute(sql, params)` or `params=...`."""
    for name in ("params", "parameters", "args", "vars"):
        keyword = ctx.keyword(call, name)
        if keyword is not None:
            return keyword.value
    method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
    return call.args[1] if method in _EXECUTE_METHODS and len(call.args) > 1 else None


class SqlInjection(Rule):
    id = "TG105"
    name = "sql-built-by-formatting"
    severity = "high"
    confidence = "high"
    lowers_confidence_without_taint = True
    raises_when_tainted = True
    cwe = (89,)
    owasp = "A05:2025"
    message = "SQL built with {how} and run by `{callee}`{tainted}"
    placeholders = {"callee": "cursor.execute", "how": "string formatting", "tainted": ""}
    aliases = ("B608", "S608")
    call_names = last_names(_TEXT_CALLS) | _ORM_CLAUSE_METHODS | _EXECUTE_METHODS | _QUERY_METHODS
    what = (
        "The SQL text passed to `{callee}` is assembled with {how}, so the values become part of the "
        "statement instead of being sent as parameters. A formatted string handed to a SQLAlchemy query "
        "clause (`filter`, `where`, `order_by`, `group_by`, `having`, `distinct`) is raw SQL too."
    )
    why = (
        "A value such as `1 OR 1=1` or `x' UNION SELECT password FROM users --` changes the statement: "
        "it dumps tables, bypasses a login check or, where stacked queries are allowed, deletes data. "
        "Numeric ids are no exception: a path parameter typed as a string reaches the query unchanged. "
        'Assistants write `f"SELECT ... WHERE id = {{user_id}}"` because it reads naturally.'
    )
    how = (
        'Keep the SQL text constant and pass the values separately: `cursor.execute("SELECT ... WHERE id = '
        '%s", (user_id,))` (`?` for sqlite3, `:name` with SQLAlchemy `text()`). Table or column names '
        "cannot be parameters: pick them from a fixed allow-list."
    )
    example = 'cursor.execute("SELECT * FROM users WHERE email = %s", (email,))\nconn.execute("SELECT * FROM users WHERE id = ?", (user_id,))'
    fix_safety = (
        "Unsafe: a query built with an f-string, `+`, `%` or `.format` (inline, or in a variable the "
        "function executes once and uses nowhere else) becomes a constant with placeholders and the "
        "values move into the parameters argument; a variable also used elsewhere (logged) stays, and "
        "the call gets the SQL itself when the values are names read the same there; so does a module "
        "constant used as the template (`QUERY % name`). `?` when the "
        "module imports sqlite3, else `%s`; "
        "SQLAlchemy `text()` gets named `:name` placeholders and `.bindparams(name=value)`, and SQL "
        'handed to an ORM clause (`.filter(f"...")`) becomes such a `text()` clause. Quotes '
        "around a value are dropped because the driver quotes it, and `LIKE '%{x}%'` wildcards move "
        'into the value (`f"%{x}%"`). Offered only when every value sits where SQL expects a value; '
        "the driver now types the values, so `'5'` and `5` may compare differently. A list joined "
        "into `IN (...)` gets no rewrite (one placeholder would bind it as one value)."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/89.html",
        "https://cheatsheetseries.owasp.org/cheatsheets/Query_Parameterization_Cheat_Sheet.html",
        "https://peps.python.org/pep-0249/#paramstyle",
    )
    VALID = (
        # A list filled only with the code's own column names, whatever the request asked for.
        'import sqlite3\nfrom flask import request\ndef users():\n    cols = ["id"]\n    if request.args.get("full"):\n'
        '        cols.append("email")\n    conn = sqlite3.connect("app.db")\n'
        '    return conn.execute("SELECT %s FROM users" % ", ".join(cols)).fetchall()\n',
        # A script's statements are separate blocks: the module-level query is judged where it runs.
        'import sqlite3\nconn = sqlite3.connect("shop.db")\nQUERY = "SELECT * FROM orders WHERE status = ?"\n'
        "rows = conn.execute(QUERY, (status,)).fetchall()\n",
        "query = \"SELECT * FROM t WHERE a = '%s'\" % a\ndef run(conn, query):\n    return conn.execute(query)\n",
        'import sqlite3\ndef f(conn, uid):\n    conn.execute("SELECT * FROM users WHERE id = ?", (uid,))\n',
        'def f(cur, email):\n    cur.execute("SELECT * FROM users WHERE email = %s", (email,))\n',
        'TABLE = "users"\ndef f(cur):\n    cur.execute(f"SELECT count(*) FROM {TABLE}")\n',
        'def f(cur):\n    query = "SELECT 1"\n    cur.execute(query)\n',
        'from sqlalchemy import text\ndef f(s, uid):\n    s.execute(text("SELECT * FROM t WHERE id = :id"), {"id": uid})\n',
        'def f(executor, job):\n    executor.execute(f"job {job}")\n',
        'def f(cur, uid):\n    cur.execute(f"SELECT * FROM t WHERE id = {int(uid)}")\n',
        'class Repo:\n    table = "users"\n    def get(self, cur, uid):\n'
        '        cur.execute(f"SELECT * FROM {self.table} WHERE id = %s", (uid,))\n',
        "def f(session, name):\n    return session.query(User).filter(User.name == name).order_by(User.id).all()\n",
        'from django.db import models\ndef f(field):\n    query = Item.objects.all()\n    return query.order_by(f"-{field}")\n',
        # Identifiers the code quotes itself (also named in a mapping, or a quoted list), parameter
        # markers it generates, PRAGMA names.
        'def drop_identity(self, table, column):\n    self.execute("ALTER TABLE %(table)s MODIFY %(column)s DROP IDENTITY" % {\n'
        '        "table": self.quote_name(table), "column": self.quote_name(column)})\n',
        "def table_sql(self, connection, table, schema=None):\n    if schema:\n"
        '        prefix = "%s." % self.quote_identifier(schema)\n    else:\n        prefix = ""\n'
        '    return connection.exec_driver_sql("SELECT sql FROM %(schema)ssqlite_master WHERE name = ?" % {"schema": prefix}, (table,))\n',
        "def convert(self, cursor, column, clob):\n    value = self.quote_name(column)\n    if clob:\n"
        '        value = "TO_CHAR(%s)" % value\n    cursor.execute("UPDATE t SET c = %s" % value)\n',
        'def copy(self, cursor, new, old, columns):\n    cols = ", ".join(self.quote_name(c) for c in columns)\n'
        '    cursor.execute("INSERT INTO %s (%s) SELECT %s FROM %s" % (self.quote_name(new), cols, cols, self.quote_name(old)))\n',
        'def f(connection, cursor, keys):\n    qn = connection.ops.quote_name\n    table = qn("cache")\n'
        '    cursor.execute("SELECT %s FROM %s WHERE %s IN (%s)" % (qn("v"), table, qn("k"), ", ".join(["%s"] * len(keys))), keys)\n',
        'def columns(cursor, table):\n    cursor.execute("PRAGMA table_info(%s)" % table)\n',
        # Names the database lists itself (schema introspection), e.g. in test-database teardown.
        "from sqlalchemy import inspect\ndef drop_temp(conn):\n    for name in inspect(conn).get_temp_table_names():\n"
        '        conn.exec_driver_sql(f"DROP TABLE {name}")\n',
        "def check(cursor, introspection, table):\n    relations = introspection.get_relations(cursor, table)\n"
        "    for column, (other_column, other_table) in relations.items():\n"
        '        cursor.execute("SELECT `%s` FROM `%s` WHERE `%s` IS NULL" % (other_column, other_table, column))\n',
        # Where SQL expects a name (a database, a table, a grantee, a column list, a dotted name): names
        # the code computes (from a row, an object) or that a database-administration statement takes.
        'def drop_db(conn, ident):\n    conn.exec_driver_sql("DROP DATABASE %s" % ident)\n'
        '    conn.exec_driver_sql("grant create table to %s_ts1" % ident)\n',
        'def recreate(self, cursor, name):\n    params = {"dbname": self.quote_name(name), "suffix": self.suffix()}\n'
        '    cursor.execute("DROP DATABASE %(dbname)s" % params)\n',
        "def isolation(cursor):\n    cursor.execute(\"SELECT name FROM sys.views WHERE name LIKE '%sessions'\")\n"
        '    view = f"sys.{cursor.fetchone()[0]}"\n    cursor.execute(f"SELECT level FROM {view} WHERE id = @@SPID")\n',
        # A parameterised fragment composed with its own parameters.
        "def wrap(cursor, inner):\n    sql, params = inner.as_sql()\n"
        '    cursor.execute("SELECT * FROM (%s) sub WHERE n > 0" % sql, params)\n',
        # Constants the object's class defines (a table of operators, a counter it increments).
        'class Probe:\n    operators = {"contains": "LIKE %s"}\n    counter = 1\n    def run(self, cursor, table):\n'
        '        self.counter += 1\n        cursor.execute("SELECT 1 FROM t WHERE a %s" % self.operators["contains"], ["x"])\n'
        '        cursor.execute("SELECT * FROM {} WHERE n > {}".format(self.quote_name(table), self.counter))\n',
    )
    INVALID = (
        # A module constant as the template: the query with placeholders is written where it is formatted.
        Invalid(
            "import sqlite3\nQUERY = \"SELECT * FROM users WHERE name = '%s'\"\ndef find(conn, name):\n"
            "    return conn.execute(QUERY % name).fetchall()\n",
            "import sqlite3\nQUERY = \"SELECT * FROM users WHERE name = '%s'\"\ndef find(conn, name):\n"
            '    return conn.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchall()\n',
        ),
        # argparse arguments handed to a helper that formats the query.
        Invalid(
            "import argparse, sqlite3\ndef _find(conn, name):\n"
            "    return conn.execute(f\"SELECT * FROM users WHERE name = '{name}'\").fetchall()\n"
            "def main():\n    parser = argparse.ArgumentParser()\n    parser.add_argument('name')\n"
            "    args = parser.parse_args()\n    print(_find(sqlite3.connect('app.db'), args.name))\n",
            fixed=(
                "import argparse, sqlite3\n"
                "def _find(conn, name):\n"
                '    return conn.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchall()\n'
                "def main():\n"
                "    parser = argparse.ArgumentParser()\n"
                "    parser.add_argument('name')\n"
                "    args = parser.parse_args()\n"
                "    print(_find(sqlite3.connect('app.db'), args.name))\n"
            ),
            message="through `_find()`",
        ),
        # A repository held by the service (`self.repo`), its query built in a base class's method.
        Invalid(
            "import sqlite3\nfrom flask import request\nclass Repository:\n"
            "    def __init__(self):\n        self.conn = sqlite3.connect('app.db')\n"
            "    def find_by(self, column, value):\n"
            "        return self.conn.execute(f\"SELECT * FROM users WHERE {column} = '{value}'\").fetchall()\n"
            "class Users(Repository):\n    def by_email(self, email):\n        return super().find_by('email', email)\n"
            "class UserService:\n    def __init__(self):\n        self.repo = Users()\n"
            "    def lookup(self, email):\n        return self.repo.by_email(email)\n"
            "@app.route('/user')\ndef user():\n    return str(UserService().lookup(request.args['email']))\n",
            message="through `lookup()`",
            at=(18, 37),
        ),
        # A helper returning the request's value in a dataclass field.
        Invalid(
            "import sqlite3\nfrom dataclasses import dataclass\nfrom flask import request\n"
            "@dataclass\nclass Search:\n    term: str\n    limit: int\n"
            "def _search():\n    return Search(term=request.args['q'], limit=20)\n"
            "@app.route('/s')\ndef s():\n    search = _search()\n"
            '    sql = "SELECT * FROM items WHERE name LIKE \'%" + search.term + "%\'"\n'
            "    return str(sqlite3.connect('x').execute(sql).fetchall())\n",
            fixed=(
                "import sqlite3\n"
                "from dataclasses import dataclass\n"
                "from flask import request\n"
                "@dataclass\n"
                "class Search:\n"
                "    term: str\n"
                "    limit: int\n"
                "def _search():\n"
                "    return Search(term=request.args['q'], limit=20)\n"
                "@app.route('/s')\n"
                "def s():\n"
                "    search = _search()\n"
                '    sql = "SELECT * FROM items WHERE name LIKE ?"\n'
                "    return str(sqlite3.connect('x').execute(sql, (f\"%{search.term}%\",)).fetchall())\n"
            ),
            message="user input from request.args",
        ),
        # A query written over several lines keeps its lines and comments.
        Invalid(
            "import sqlite3\ndef find(conn, name, city):\n    query = (\n"
            '        "SELECT id, name "  # public columns only\n        "FROM users "\n'
            "        f\"WHERE name = '{name}' \"  # exact match\n        f\"AND city = '{city}'\"\n    )\n"
            "    return conn.execute(query).fetchall()\n",
            "import sqlite3\ndef find(conn, name, city):\n    query = (\n"
            '        "SELECT id, name "  # public columns only\n        "FROM users "\n'
            '        "WHERE name = ? "  # exact match\n        "AND city = ?"\n    )\n'
            "    return conn.execute(query, (name, city)).fetchall()\n",
        ),
        # Raw SQL handed to an ORM clause: a text() clause with bound values.
        Invalid(
            "from sqlalchemy.orm import Session\ndef by_status(session: Session, status):\n"
            "    return session.query(Order).filter(f\"status = '{status}'\").all()\n",
            "import sqlalchemy\nfrom sqlalchemy.orm import Session\ndef by_status(session: Session, status):\n"
            '    return session.query(Order).filter(sqlalchemy.text("status = :status").bindparams(status=status)).all()\n',
        ),
        # `%%` around a `%s` in a LIKE pattern: the wildcards move into the value.
        Invalid(
            "from django.db import connection\ndef search(q):\n    with connection.cursor() as cursor:\n"
            "        cursor.execute(\"SELECT * FROM app_item WHERE title LIKE '%%%s%%'\" % q)\n",
            "from django.db import connection\ndef search(q):\n    with connection.cursor() as cursor:\n"
            '        cursor.execute("SELECT * FROM app_item WHERE title LIKE %s", (f"%{q}%",))\n',
        ),
        # Several values joined into the list: one placeholder would bind them as one value, no rewrite.
        Invalid(
            "import sqlite3\ndef by_ids(conn, ids):\n"
            "    return conn.execute(f\"SELECT * FROM t WHERE id IN ({','.join(ids)})\").fetchall()\n"
        ),
        Invalid(
            'import sqlite3\nconn = sqlite3.connect("shop.db")\n'
            "query = \"SELECT * FROM orders WHERE status = '%s'\" % status\nrows = conn.execute(query).fetchall()\n"
        ),
        Invalid("def f(session, name):\n    return session.query(User).filter(f\"name = '{name}'\").all()\n"),
        # A mapping of values where one is not quoted: the name is spliced into the WHERE clause.
        Invalid(
            "def find(self, cursor, name):\n    cursor.execute(\"SELECT * FROM %(table)s WHERE name = '%(name)s'\" % {\n"
            '        "table": self.quote_name("users"), "name": name})\n'
        ),
        Invalid(
            'from sqlalchemy import select\ndef f(sort):\n    return select(User).order_by("{} desc".format(sort))\n'
        ),
        Invalid(
            'import sqlite3\ndef get(conn, user_id):\n    return conn.execute(f"SELECT * FROM users WHERE id = {user_id}").fetchone()\n',
            'import sqlite3\ndef get(conn, user_id):\n    return conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()\n',
        ),
        Invalid(
            "import psycopg2\ndef find(cur, name, limit):\n    cur.execute(\"SELECT * FROM t WHERE name = '%s' LIMIT %d\" % (name, limit))\n",
            'import psycopg2\ndef find(cur, name, limit):\n    cur.execute("SELECT * FROM t WHERE name = %s LIMIT %s", (name, limit))\n',
        ),
        Invalid(
            "def find(cur, a, b):\n    cur.execute(\"INSERT INTO t (a, b) VALUES ({}, '{}')\".format(a, b))\n",
            'def find(cur, a, b):\n    cur.execute("INSERT INTO t (a, b) VALUES (%s, %s)", (a, b))\n',
        ),
        Invalid('def f(cur, table, uid):\n    cur.execute(f"DELETE FROM {table} WHERE id = {uid}")\n'),
        Invalid('def f(cur, uid):\n    cur.execute("SELECT * FROM t WHERE id = \'[ID]\'".replace("[ID]", uid))\n'),
        Invalid('def f(cur, table):\n    cur.execute(f"UPDATE {table} SET seen = 1")\n'),
        # One branch quotes the name, the other splices the caller's value as it is.
        Invalid(
            "def convert(self, cursor, column, clob):\n    value = column\n    if clob:\n"
            '        value = "TO_CHAR(%s)" % self.quote_name(column)\n    cursor.execute("UPDATE t SET c = %s" % value)\n',
            "def convert(self, cursor, column, clob):\n    value = column\n    if clob:\n"
            '        value = "TO_CHAR(%s)" % self.quote_name(column)\n    cursor.execute("UPDATE t SET c = %s", (value,))\n',
        ),
        # A loop over what the caller passed, not over what the database lists.
        Invalid(
            'def purge(conn, tables):\n    for name in tables:\n        conn.exec_driver_sql(f"DROP TABLE {name}")\n'
        ),
        Invalid(
            'def insert(cur, table, row):\n    cols = ", ".join(row)\n    marks = ", ".join("?" for _ in row)\n'
            '    cur.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", tuple(row.values()))\n'
        ),
        # A name from the request where SQL expects a name: reported wherever the input lands.
        Invalid(
            'from flask import request\ndef seen(store):\n    table = request.args["table"]\n'
            '    store.execute(f"UPDATE {table} SET seen = 1")\n'
        ),
        # A list the handler fills with request data, then joins into the statement.
        Invalid(
            "import sqlite3\nfrom flask import request\ndef columns():\n    cols = []\n"
            '    cols.append(request.args.get("col"))\n    conn = sqlite3.connect("app.db")\n'
            '    return conn.execute("SELECT %s FROM users" % ", ".join(cols)).fetchall()\n',
            message="user input from request.args",
        ),
        # A helper that splices its parameter where SQL expects a name, called with request data.
        Invalid(
            "from flask import Flask, request\napp = Flask(__name__)\ndef purge(conn, name):\n"
            '    conn.exec_driver_sql(f"DROP TABLE {name}")\n@app.post("/purge")\ndef purge_view():\n'
            '    purge(engine.connect(), request.form["table"])\n'
        ),
        # An object's attribute that holds what the caller passed, spliced where SQL expects a value.
        Invalid(
            "class Lookup:\n    def __init__(self, name):\n        self.name = name\n    def run(self, cur):\n"
            "        cur.execute(f\"SELECT * FROM users WHERE name = '{self.name}'\")\n",
            "class Lookup:\n    def __init__(self, name):\n        self.name = name\n    def run(self, cur):\n"
            '        cur.execute("SELECT * FROM users WHERE name = %s", (self.name,))\n',
        ),
        # A mapping of names that is changed before it fills the template.
        Invalid(
            'def find(cursor, name):\n    params = {"table": "users", "name": ""}\n    params["name"] = name\n'
            "    cursor.execute(\"SELECT * FROM %(table)s WHERE name = '%(name)s'\" % params)\n"
        ),
        # Parameters passed along, but not the ones that came with the spliced value.
        Invalid(
            "def find(cur, where, params, name):\n"
            "    cur.execute(\"SELECT * FROM t WHERE %s AND name = '%s'\" % (where, name), params)\n"
        ),
        Invalid(
            'def f(cur, ids, name):\n    marks = ",".join(["%s"] * len(ids))\n'
            "    cur.execute(f\"SELECT * FROM t WHERE a = '{name}' AND id IN ({marks})\", ids)\n"
        ),
        Invalid(
            'from flask import request\ndef search(cur):\n    q = "SELECT * FROM items WHERE name LIKE \'%" + request.args["q"] + "%\'"\n'
            "    cur.execute(q)\n",
            'from flask import request\ndef search(cur):\n    q = "SELECT * FROM items WHERE name LIKE %s"\n'
            "    cur.execute(q, (f'%{request.args[\"q\"]}%',))\n",
            message=re.compile(
                r"^SQL built with string formatting and run by `cur\.execute` \(user input from request\.args\)$"
            ),
            at=(4, 17, 4, 18),
        ),
        Invalid(
            'import sqlite3\ndef get(conn, user_id):\n    query = f"SELECT * FROM users WHERE id = {user_id}"\n'
            "    cur = conn.cursor()\n    cur.execute(query)\n    return cur.fetchone()\n",
            'import sqlite3\ndef get(conn, user_id):\n    query = "SELECT * FROM users WHERE id = ?"\n'
            "    cur = conn.cursor()\n    cur.execute(query, (user_id,))\n    return cur.fetchone()\n",
        ),
        Invalid(
            'import pymysql\ndef find(cur, name, age):\n    sql = """\n        SELECT * FROM users\n'
            '        WHERE name = \'{}\' AND age > {}\n    """.format(name, age)\n    cur.execute(sql)\n',
            'import pymysql\ndef find(cur, name, age):\n    sql = """\n        SELECT * FROM users\n'
            '        WHERE name = %s AND age > %s\n    """\n    cur.execute(sql, (name, age))\n',
        ),
        Invalid(
            'import sqlite3\ndef find(conn, name):\n    conn.execute("SELECT * FROM users WHERE name = \'" + name + "\'")\n',
            'import sqlite3\ndef find(conn, name):\n    conn.execute("SELECT * FROM users WHERE name = ?", (name,))\n',
        ),
        # The query is also logged: it stays for the log, and the call gets the SQL with placeholders.
        Invalid(
            "import sqlite3\ndef find(conn, name):\n    query = f\"SELECT * FROM users WHERE name = '{name}'\"\n"
            "    log.info(query)\n    conn.execute(query)\n",
            "import sqlite3\ndef find(conn, name):\n    query = f\"SELECT * FROM users WHERE name = '{name}'\"\n"
            '    log.info(query)\n    conn.execute("SELECT * FROM users WHERE name = ?", (name,))\n',
        ),
        Invalid(
            "import pandas as pd\ndef f(engine, day):\n    return pd.read_sql(f\"SELECT * FROM log WHERE day = '{day}'\", engine)\n"
        ),
        Invalid(
            "from sqlalchemy import text\ndef f(session, name):\n    session.execute(text(f\"SELECT * FROM t WHERE n = '{name}'\"))\n",
            'from sqlalchemy import text\ndef f(session, name):\n    session.execute(text("SELECT * FROM t WHERE n = :name").bindparams(name=name))\n',
        ),
        Invalid(
            'def f(cur, ids):\n    sql = "SELECT * FROM t WHERE 1=1"\n    sql += " AND id IN (" + ",".join(ids) + ")"\n'
            "    cur.execute(sql)\n"
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        func = node.func
        callee = ctx.call_name(node) or ""
        if callee in _TEXT_CALLS:
            query, text_call = (node.args[0] if node.args else None), True
        elif isinstance(func, ast.Attribute) and func.attr in _ORM_CLAUSE_METHODS:
            self._check_orm_clause(node, func, ctx)
            return
        elif isinstance(func, ast.Attribute) and (func.attr in _EXECUTE_METHODS or func.attr in _QUERY_METHODS):
            query, text_call = _query_argument(node, ctx), False
            if isinstance(query, ast.Call) and (ctx.call_name(query) or "") in _TEXT_CALLS:
                return  # reported on the text() call itself
        else:
            return
        if query is None:
            return
        built = built_string(query, ctx)
        # Built by another top-level statement (module code of a script): judged, not rewritten.
        foreign = module_built(query, ctx) if built is None else None
        built = built if foreign is None else foreign
        source = ctx.taint(query)
        if (built is None and source is None) or (built is not None and all_values_through(built, ctx, NUMERIC)):
            return
        if source is None and len(node.args) > 1 and _only_configured_names(built):
            return  # `f"SELECT ... FROM {self.table} WHERE id = %s", (uid,)`: values are parameters
        text = constant_text(foreign or query, ctx)
        params = None if text_call else _params_argument(node, ctx)
        if source is None and (_PRAGMA.match(text) or (built is not None and harmless_splices(built, params, ctx))):
            return  # names where SQL expects names, values the code makes itself, PRAGMA names
        receiver = dotted_name(func.value) if isinstance(func, ast.Attribute) else None
        sql_like = looks_like_sql(text)
        db_receiver = bool(receiver and _DB_RECEIVER.search(receiver)) and func.attr in _EXECUTE_METHODS
        if not (text_call or sql_like or (db_receiver and source is not None)):
            return
        how = (
            "an f-string"
            if isinstance(built, ast.JoinedStr)
            else "string formatting"
            if built is not None
            else "user input"
        )
        if foreign is not None:
            how = f"string formatting (`{ctx.segment(ctx.span(query))}`, assigned at module level)"
        fix = None
        placeholder = None if text_call else driver_placeholder(ctx)
        if built is not None and foreign is None and text_call:
            fix = text_fix(ctx, node, query, built)
        elif built is not None and foreign is None and placeholder:
            fix = execute_fix(ctx, node, query, built, placeholder)
        tainted = f" (user input from {source.label})" if source else ""
        short = callee if text_call else f"{receiver.rsplit('.', 1)[-1] if receiver else '...'}.{func.attr}"
        ctx.report(
            self,
            query,
            details={"callee": short, "how": how, "tainted": tainted},
            source=source,
            fix=fix,
            severity=raised(self, source),
            confidence=unconfirmed(self, source),
        )

    def _check_orm_clause(self, node: ast.Call, func: ast.Attribute, ctx) -> None:
        """`session.query(User).filter(f"name = '{name}'")`: a formatted string becomes raw SQL text.
        Django's `order_by(f"-{field}")` names a field (checked by the ORM), so Django modules are skipped."""
        if not _ORM_QUERY.search(dotted_name(func.value) or "") or uses_django(ctx.module.imports):
            return
        for arg in node.args:
            built = built_string(arg, ctx)
            if built is None or all_values_through(built, ctx, NUMERIC):
                continue
            source = ctx.taint(arg)
            if source is None and not _CLAUSE_SYNTAX.search(constant_text(built, ctx)):
                continue
            how = "an f-string" if isinstance(built, ast.JoinedStr) else "string formatting"
            tainted = f" (user input from {source.label})" if source else ""
            ctx.report(
                self,
                arg,
                details={"callee": f"query.{func.attr}", "how": how, "tainted": tainted},
                fix=clause_fix(ctx, arg, built),
                source=source,
                severity=raised(self, source),
                confidence=unconfirmed(self, source),
            )
