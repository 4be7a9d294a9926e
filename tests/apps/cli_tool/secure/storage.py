"""Notes kept in SQLite."""

import sqlite3


class Database:
    def __init__(self, path: str = "notes.db"):
        self.conn = sqlite3.connect(path)

    def query(self, sql: str, params: tuple = ()):
        return self.conn.execute(sql, params).fetchall()


class Store(Database):
    def search(self, term: str):
        return self.query("SELECT title FROM notes WHERE body LIKE ?", (f"%{term}%",))
