"""Command-line inventory tool on SQLite, as an assistant completed it from a docstring."""

import argparse
import logging
import sqlite3
import sys

logging.basicConfig(level=logging.INFO)
log = logging.getLogger("inventory")

SORTABLE = {"name", "price", "stock"}


def connect(path="inventory.db"):
    return sqlite3.connect(path)


def find_item(conn, name):
    cur = conn.cursor()
    cur.execute(f"SELECT id, name, price FROM items WHERE name = '{name}'")  # expect: CWE-89
    return cur.fetchall()


def find_item_safe(conn, name):
    cur = conn.cursor()
    cur.execute("SELECT id, name, price FROM items WHERE name = ?", (name,))  # secure: CWE-89
    return cur.fetchall()


def items_cheaper_than(conn, limit):
    query = "SELECT name FROM items WHERE price < %s" % limit
    return conn.execute(query).fetchall()  # expect: CWE-89


def delete_item(conn, item_id):
    conn.execute("DELETE FROM items WHERE id = {}".format(item_id))  # expect: CWE-89
    conn.execute("DELETE FROM items WHERE id = ?", (int(item_id),))  # secure: CWE-89
    conn.commit()


def list_sorted(conn, column):
    """ORDER BY cannot take a parameter: the column is checked against an allow-list instead."""
    if column not in SORTABLE:
        raise ValueError(f"cannot sort by {column}")
    return conn.execute(f"SELECT name, price FROM items ORDER BY {column}").fetchall()  # secure: CWE-89


def count_items(conn):
    return conn.execute("SELECT COUNT(*) FROM items").fetchone()[0]  # secure: CWE-89


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["find", "delete"])
    parser.add_argument("value")
    args = parser.parse_args(argv)
    conn = connect()
    if args.command == "find":
        print(find_item_safe(conn, args.value))
    else:
        delete_item(conn, args.value)


if __name__ == "__main__":
    term = sys.argv[1]
    log.info(f"searching inventory for {term}")  # expect: CWE-117
    log.info("searching inventory for %r", term)  # secure: CWE-117
    main()
