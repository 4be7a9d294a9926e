"""Data access for the orders service: every value is a query parameter."""

import sqlite3


def search_orders(conn, customer: str, status: str):
    query = "SELECT id, total FROM orders WHERE customer = ? AND status = ?"
    return conn.execute(query, (customer, status)).fetchall()
