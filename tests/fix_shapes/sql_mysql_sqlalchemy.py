import mysql.connector
from flask import Flask, request
from sqlalchemy import create_engine, text
from sqlalchemy import text as sql_text

app = Flask(__name__)
engine = create_engine("sqlite:///x.db")
db = mysql.connector.connect(host="localhost", user="app", database="shop")


@app.route("/p")
def products():
    category = request.args.get("category")
    cursor = db.cursor(dictionary=True)
    cursor.execute("SELECT * FROM products WHERE category = '%s'" % category)
    return {"items": cursor.fetchall()}


@app.route("/s")
def sa():
    email = request.args["email"]
    with engine.connect() as conn:
        result = conn.execute(text(f"SELECT * FROM users WHERE email = '{email}'"))
        return {"r": [dict(r._mapping) for r in result]}


@app.route("/s2")
def sa2():
    email = request.args["email"]
    stmt = sql_text("SELECT * FROM users WHERE email = '" + email + "'")
    with engine.connect() as conn:
        return {"r": [dict(r._mapping) for r in conn.execute(stmt)]}


@app.route("/s3")
def sa3():
    uid = request.args["id"]
    query = f"SELECT * FROM users WHERE id = {uid}"
    with engine.begin() as conn:
        rows = conn.execute(text(query)).fetchall()
    return {"r": [tuple(r) for r in rows]}
