"""Query helpers of a small Flask app: values are passed as query parameters."""

import sqlite3

DB_PATH = "shop.db"


def connect():
    return sqlite3.connect(DB_PATH)


def find_products(category):
    conn = connect()
    sql = "SELECT id, name, price FROM products WHERE category = ? ORDER BY name"
    return conn.execute(sql, (category,)).fetchall()
