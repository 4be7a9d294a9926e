"""Login and payment handlers an assistant wrote with "add logging so we can debug production"."""

import logging

import structlog
from flask import Flask, jsonify, request

app = Flask(__name__)
logger = logging.getLogger(__name__)
audit = structlog.get_logger()


@app.post("/login")
def login():
    username = request.form["username"]
    password = request.form["password"]
    logger.info("Login attempt for %s with password %s", username, password)  # expect: CWE-532
    logger.info("Login attempt for %r", username)  # secure: CWE-532
    session_token = authenticate(username, password)
    logger.debug(f"Issued session token {session_token} to {username}")  # expect: CWE-532
    logger.debug("Issued session token ending %s to %r", session_token[-4:], username)  # secure: CWE-532
    return jsonify(ok=True)


@app.post("/api/keys")
def create_key():
    api_key = new_api_key(request.json["owner"])
    audit.info("api_key_created", owner=request.json["owner"], api_key=api_key)  # expect: CWE-532
    audit.info("api_key_created", owner=request.json["owner"])  # secure: CWE-532
    return jsonify(key=api_key), 201


@app.post("/checkout")
def checkout():
    card = request.json
    app.logger.info("Charging card %s exp %s", card["card_number"], card["exp"])  # expect: CWE-359
    app.logger.info("Charging card ending %r", card["card_number"][-4:])  # secure: CWE-359
    print(f"debug cvv={card['cvv']}")  # expect: CWE-359
    return jsonify(charged=True)


@app.post("/kyc")
def kyc():
    applicant = request.json
    logger.warning("KYC mismatch for %s: ssn=%s dob=%s", applicant["id"], applicant["ssn"], applicant["dob"])  # expect: CWE-359
    logger.warning("KYC mismatch for applicant %r", applicant["id"])  # secure: CWE-359
    logger.info("used %d tokens for summary", len(applicant.get("notes", "")))  # secure: CWE-532
    return jsonify(status="review")


def authenticate(username, password):
    raise NotImplementedError


def new_api_key(owner):
    raise NotImplementedError
