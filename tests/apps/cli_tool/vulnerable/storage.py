"""Notes kept in SQLite."""

import sqlite3


class Database:
    def __init__(self, path: str = "notes.db"):
        self.conn = sqlite3.connect(path)

    def query(self, sql: str):
        return self.conn.execute(sql).fetchall()


class Store(Database):
    def search(self, term: str):
        return self.query(f"SELECT title FROM notes WHERE body LIKE '%{term}%'")
