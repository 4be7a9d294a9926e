import logging
import random
import tempfile
import uuid
from xml.etree.ElementTree import fromstring as parse_xml_text

import httpx
import jwt
import uvicorn
import yaml
from fastapi import FastAPI
from flask import Flask
from lxml import etree

app = Flask(__name__)
app.config["DEBUG"] = True
app.debug = True
api = FastAPI()
log = logging.getLogger(__name__)


def settings(path):
    try:
        with open(path) as f:
            data = yaml.load(f, Loader=yaml.FullLoader)
    except FileNotFoundError:
        data = {}
    return data


def client():
    return httpx.Client(verify=False, timeout=10)


def otp():
    code = random.randint(1000, 9999)
    return f"{code:04d}"


def api_key():
    return "".join(random.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=40))


def tmp_report():
    return tempfile.mktemp(suffix=".pdf", dir="/tmp/reports")


def parse(body):
    return parse_xml_text(body)


def parse_file(path):
    tree = etree.parse(path)
    return tree.getroot()


def verify(token, key):
    claims = jwt.decode(
        token,
        key,
        algorithms=["HS256"],
        options={
            "verify_signature": False,
        },
    )
    return claims


def login(user, password, token):
    log.info(f"user {user} logged in with token {token}")
    log.debug("password was %s", password)


if __name__ == "__main__":
    uvicorn.run("main:api", host="0.0.0.0", port=8000, reload=True)
