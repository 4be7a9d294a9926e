import logging
import os
import xml.etree.ElementTree as ET
from xml.dom import minidom

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from flask import Flask, redirect, render_template_string, request
from flask_cors import CORS
from lxml import etree
from markupsafe import Markup

app = Flask(__name__)
CORS(app, origins="*", supports_credentials=True)
api = FastAPI()
api.add_middleware(
    CORSMiddleware,
    allow_origins=["*"],
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)
logger = logging.getLogger(__name__)
UPLOAD_DIR = "/srv/uploads"
API_KEY = "sk_live_51HxQ2kLmNoPqRsTuVwXyZ0123456789abcdef"


@app.route("/hello")
def hello():
    name = request.args.get("name", "world")
    return render_template_string(f"<h1>Hello {name}!</h1>")


@app.route("/hello2")
def hello2():
    name = request.args.get("name", "world")
    template = "<h1>Hello " + name + "</h1>"
    return render_template_string(template)


@app.route("/bio")
def bio():
    return Markup(f"<p>{request.args['bio']}</p>")


@app.route("/xml", methods=["POST"])
def parse_xml():
    root = ET.fromstring(request.data)
    return {"tag": root.tag}


@app.route("/xml2", methods=["POST"])
def parse_xml2():
    parser = etree.XMLParser(resolve_entities=True)
    tree = etree.fromstring(request.data, parser)
    return {"tag": tree.tag}


@app.route("/xml3", methods=["POST"])
def parse_xml3():
    doc = minidom.parseString(request.data)
    return {"n": len(doc.childNodes)}


@app.route("/go")
def go():
    next_url = request.args.get("next", "/")
    return redirect(next_url)


@app.route("/read")
def read():
    name = request.args["name"]
    with open(os.path.join(UPLOAD_DIR, name)) as fh:
        return fh.read()


@app.route("/login", methods=["POST"])
def login():
    username = request.form["username"]
    password = request.form["password"]
    logger.info("Login attempt for %s with password %s", username, password)
    logging.debug(f"token={API_KEY}")
    return "ok"
