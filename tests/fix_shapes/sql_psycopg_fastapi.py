import os

import psycopg2
import psycopg2.extras
from fastapi import FastAPI

app = FastAPI()


def connect():
    return psycopg2.connect(os.environ["DATABASE_URL"])


@app.get("/items/{item_id}")
def read_item(item_id: str):
    with connect() as conn:
        with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
            cur.execute(f"SELECT * FROM items WHERE id = {item_id}")
            return cur.fetchone()


@app.get("/users")
def list_users(role: str, order: str = "name"):
    conn = connect()
    cur = conn.cursor()
    query = "SELECT * FROM users WHERE role = '%s'" % (role,)
    cur.execute(query)
    return cur.fetchall()


@app.post("/rename")
def rename(user_id: int, new_name: str):
    conn = connect()
    cur = conn.cursor()
    cur.execute(
        "UPDATE users SET name = '%s' WHERE id = %d" % (new_name, user_id)
    )
    conn.commit()
    return {"ok": True}
