import sqlite3
import subprocess


def find(conn, name, city):
    query = (
        "SELECT id, name "  # only the public columns
        "FROM users "
        f"WHERE name = '{name}' "  # exact match
        f"AND city = '{city}'"
    )
    return conn.execute(query).fetchall()


def ping(host):
    return subprocess.run(
        f"ping -c 1 {host}",  # one packet is enough
        shell=True,  # TODO remove
        check=True,
    )
