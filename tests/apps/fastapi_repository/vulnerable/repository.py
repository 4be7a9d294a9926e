"""Data access for the orders service."""


def search_orders(conn, customer: str, status: str):
    query = "SELECT id, total FROM orders WHERE customer = '" + customer + "'"
    query += " AND status = '" + status + "'"
    return conn.execute(query).fetchall()
