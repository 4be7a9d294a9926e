import sqlite3

from fastapi import FastAPI

from repository import search_orders

app = FastAPI()


@app.get("/orders")
def list_orders(customer: str, status: str = "open"):
    conn = sqlite3.connect("orders.db")
    return {"orders": search_orders(conn, customer, status)}
