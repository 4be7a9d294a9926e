import sqlite3

from flask import Flask, request

app = Flask(__name__)


def get_db():
    return sqlite3.connect("app.db")


@app.route("/user")
def user():
    username = request.args.get("username")
    conn = get_db()
    cursor = conn.cursor()
    query = f"SELECT id, email FROM users WHERE username = '{username}'"
    cursor.execute(query)
    return {"user": cursor.fetchone()}


@app.route("/search")
def search():
    term = request.args["q"]
    limit = int(request.args.get("limit", 10))
    conn = get_db()
    rows = conn.execute(
        "SELECT * FROM products WHERE name LIKE '%" + term + "%' LIMIT " + str(limit)
    ).fetchall()
    return {"rows": rows}


@app.route("/order/<order_id>")
def order(order_id):
    conn = get_db()
    cur = conn.cursor()
    sql = "SELECT * FROM orders WHERE id = %s" % order_id
    try:
        cur.execute(sql)
        row = cur.fetchone()
    finally:
        conn.close()
    return {"order": row}


@app.route("/by-status")
def by_status():
    status = request.args.get("status", "open")
    with get_db() as conn:
        # fetch open tickets
        rows = conn.execute("SELECT * FROM tickets WHERE status = '{}'".format(status)).fetchall()
    return {"rows": rows}


@app.route("/del", methods=["POST"])
def delete():
    item_id = request.form["id"]
    conn = get_db()
    conn.execute("DELETE FROM items WHERE id = " + item_id)
    conn.commit()
    return "", 204


@app.route("/two")
def two():
    a = request.args["a"]
    b = request.args["b"]
    conn = get_db()
    cur = conn.cursor()
    cur.execute(f"SELECT * FROM t WHERE a = '{a}' AND b = {b}")
    return {"r": cur.fetchall()}


@app.route("/named")
def named():
    name = request.args["name"]
    conn = get_db()
    query = "SELECT * FROM people WHERE name = '{name}'".format(name=name)
    result = conn.execute(query)
    return {"r": result.fetchall()}


@app.route("/multi")
def multi():
    city = request.args["city"]
    conn = get_db()
    query = (
        "SELECT id, name "
        "FROM customers "
        f"WHERE city = '{city}' "
        "ORDER BY name"
    )
    return {"r": conn.execute(query).fetchall()}


@app.route("/plus")
def plus():
    uid = request.args["uid"]
    conn = get_db()
    q = "SELECT * FROM accounts WHERE owner = '"
    q += uid
    q += "'"
    return {"r": conn.execute(q).fetchall()}
