"""Shared data access: one connection per repository."""

import sqlite3

COLUMNS = frozenset({"id", "name", "email"})


class BaseRepository:
    table = ""

    def __init__(self, path: str = "app.db"):
        self.conn = sqlite3.connect(path)

    def _fetch(self, sql: str, params: tuple = ()):
        return self.conn.execute(sql, params).fetchall()

    def find_by(self, column: str, value: str):
        if column not in COLUMNS:
            raise ValueError(column)
        return self._fetch(f"SELECT * FROM users WHERE {column} = ?", (value,))
