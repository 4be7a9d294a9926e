import sqlite3

import aiosqlite
from flask import request

DB = "app.db"
QUERY = "SELECT * FROM users WHERE name = '%s'"


def triple(name):
    conn = sqlite3.connect(DB)
    cur = conn.cursor()
    cur.execute(f"""
        SELECT id, email
        FROM users
        WHERE name = '{name}'
    """)
    return cur.fetchall()


def logged(name):
    conn = sqlite3.connect(DB)
    query = f"SELECT * FROM users WHERE name = '{name}'"
    print("Executing:", query)
    return conn.execute(query).fetchall()


def const_template(name):
    conn = sqlite3.connect(DB)
    return conn.execute(QUERY % name).fetchall()


async def a(name):
    async with aiosqlite.connect(DB) as db:
        async with db.execute(f"SELECT * FROM t WHERE n = '{name}'") as cur:
            return await cur.fetchall()


def insert(user):
    conn = sqlite3.connect(DB)
    conn.execute(
        "INSERT INTO users (name, email, age) VALUES ('%s', '%s', %d)"
        % (user["name"], user["email"], user["age"])
    )
    conn.commit()


def like(term):
    conn = sqlite3.connect(DB)
    sql = "SELECT * FROM items WHERE title LIKE '%%%s%%'" % term
    return conn.execute(sql).fetchall()


def update(uid, fields):
    conn = sqlite3.connect(DB)
    conn.execute(f"UPDATE users SET email = '{fields['email']}' WHERE id = {uid}")


def inlist(ids):
    conn = sqlite3.connect(DB)
    return conn.execute(f"SELECT * FROM t WHERE id IN ({','.join(ids)})").fetchall()
