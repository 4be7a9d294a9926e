"""Flask operations dashboard for a small shop (inventory XML, log search, backups, voice alerts),
as an assistant completed it."""

import os
import re
import subprocess
from xml.sax.saxutils import escape

from flask import Flask, jsonify, request
from lxml import etree
from sqlalchemy.orm import Session
from twilio.rest import Client

app = Flask(__name__)
twilio = Client(os.environ["TWILIO_SID"], os.environ["TWILIO_TOKEN"])
INVENTORY = etree.parse("inventory.xml")
LOG_FILE = "/var/log/shop/app.log"


@app.get("/inventory/item")
def item():
    sku = request.args["sku"]
    found = INVENTORY.xpath(f"//item[@sku='{sku}']")  # expect: CWE-643
    return jsonify([node.get("name") for node in found])


@app.get("/inventory/item-safe")
def item_safe():
    found = INVENTORY.xpath("//item[@sku=$sku]", sku=request.args["sku"])  # secure: CWE-643
    return jsonify([node.get("name") for node in found])


@app.get("/logs/search")
def search_logs():
    pattern = request.args.get("q", "")
    with open(LOG_FILE) as fh:
        hits = [line for line in fh if re.search(pattern, line)]  # expect: CWE-1333
    return jsonify(hits[-100:])


@app.get("/logs/search-safe")
def search_logs_safe():
    literal = re.escape(request.args.get("q", ""))
    with open(LOG_FILE) as fh:
        hits = [line for line in fh if re.search(literal, line)]  # secure: CWE-1333
    return jsonify(hits[-100:])


def nightly_backup():
    os.chdir("/srv/shop/uploads")
    os.system("tar czf /backups/uploads.tgz *")  # expect: CWE-155
    os.system("tar czf /backups/uploads-safe.tgz ./*")  # secure: CWE-155


def call_on_call_engineer(number, message):
    twilio.calls.create(to=number, from_=os.environ["TWILIO_FROM"], twiml=f"<Response><Say>{message}</Say></Response>")  # expect: CWE-91
    safe = escape(message)
    twilio.calls.create(to=number, from_=os.environ["TWILIO_FROM"], twiml=f"<Response><Say>{safe}</Say></Response>")  # secure: CWE-91


def orders_by_status(session: Session, status):
    return session.query(Order).filter(f"status = '{status}'").all()  # expect: CWE-89


def orders_by_status_safe(session: Session, status):
    return session.query(Order).filter(Order.status == status).all()  # secure: CWE-89


def restart(service):
    subprocess.run(["sh", "-c", f"systemctl restart {service}"], shell=True, check=True)  # expect: CWE-78
    subprocess.run(["systemctl", "restart", service], check=True)  # secure: CWE-78


class Order:
    status = None
