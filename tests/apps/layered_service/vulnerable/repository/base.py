"""Shared data access: one connection per repository."""

import sqlite3


class BaseRepository:
    table = ""

    def __init__(self, path: str = "app.db"):
        self.conn = sqlite3.connect(path)

    def _fetch(self, sql: str):
        return self.conn.execute(sql).fetchall()

    def find_by(self, column: str, value: str):
        return self._fetch(f"SELECT * FROM {self.table} WHERE {column} = '{value}'")
