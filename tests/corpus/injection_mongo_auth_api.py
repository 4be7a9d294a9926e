"""Flask + PyMongo login and search endpoints, as an assistant wrote them."""

import logging

from flask import Flask, jsonify, request
from pymongo import MongoClient

app = Flask(__name__)
db = MongoClient("mongodb://localhost:27017")["app"]
logger = logging.getLogger(__name__)


@app.post("/api/login")
def login():
    body = request.get_json()
    user = db.users.find_one({"username": body["username"], "password_hash": body["password_hash"]})  # expect: CWE-943
    return jsonify(ok=user is not None)


@app.post("/api/login-safe")
def login_safe():
    body = request.get_json()
    user = db.users.find_one({"username": str(body["username"]), "password_hash": str(body["password_hash"])})  # secure: CWE-943
    return jsonify(ok=user is not None)


@app.post("/api/search")
def search():
    results = db.products.find(request.json)  # expect: CWE-943
    return jsonify([str(r["_id"]) for r in results])


@app.get("/api/by-owner")
def by_owner():
    owner = request.args.get("owner", "")
    cursor = db.products.find({"$where": f"this.owner == '{owner}'"})  # expect: CWE-943
    safe_cursor = db.products.find({"owner": owner})  # secure: CWE-943
    return jsonify(count=len(list(cursor)) + len(list(safe_cursor)))


@app.post("/api/profile")
def update_profile():
    changes = request.get_json()
    db.users.update_one({"username": str(changes.get("username"))}, {"$set": {"bio": str(changes.get("bio", ""))}})  # secure: CWE-943
    logger.info("profile updated for %r", changes.get("username"))  # secure: CWE-117
    logger.warning("bad profile update for " + changes.get("username", ""))  # expect: CWE-117
    return jsonify(ok=True)
