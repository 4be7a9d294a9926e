"""Query helpers of a small Flask app: the SQL is built by the helper, the input comes from the route."""

import sqlite3

DB_PATH = "shop.db"


def connect():
    return sqlite3.connect(DB_PATH)


def find_products(category):
    conn = connect()
    sql = "SELECT id, name, price FROM products WHERE category = '%s' ORDER BY name" % category
    return conn.execute(sql).fetchall()
