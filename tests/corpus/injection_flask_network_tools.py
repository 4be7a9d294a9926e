"""Flask "network tools" page an assistant wrote for an internal admin dashboard."""

import ast
import os
import shlex
import subprocess

from flask import Flask, jsonify, render_template, render_template_string, request
from markupsafe import Markup, escape

app = Flask(__name__)
ALLOWED_TOOLS = {"ping": ["ping", "-c", "3"], "trace": ["traceroute", "-m", "10"]}


@app.route("/tools/ping")
def ping():
    host = request.args.get("host", "")
    result = subprocess.run(f"ping -c 3 {host}", shell=True, capture_output=True, text=True)  # expect: CWE-78
    return jsonify(output=result.stdout)


@app.route("/tools/ping-safe")
def ping_safe():
    host = request.args.get("host", "")
    result = subprocess.run(["ping", "-c", "3", host], capture_output=True, text=True, timeout=30)  # secure: CWE-78
    return jsonify(output=result.stdout)


@app.route("/tools/run/<tool>")
def run_tool(tool):
    target = request.args["target"]
    if tool not in ALLOWED_TOOLS:
        return jsonify(error="unknown tool"), 400
    proc = subprocess.run([*ALLOWED_TOOLS[tool], target], capture_output=True, text=True, timeout=60)  # secure: CWE-78
    return jsonify(output=proc.stdout)


@app.route("/tools/dig")
def dig():
    name = request.args["name"]
    output = os.popen("dig +short " + name).read()  # expect: CWE-78
    quoted = subprocess.check_output("dig +short " + shlex.quote(name), shell=True, text=True)  # secure: CWE-78
    return jsonify(output=output, quoted=quoted)


@app.post("/tools/archive")
def archive():
    folder = request.form["folder"]
    os.system(f"tar czf /tmp/export.tgz {folder}")  # expect: CWE-78
    return jsonify(ok=True)


@app.post("/tools/calc")
def calc():
    expression = request.json["expression"]
    value = eval(expression)  # expect: CWE-95
    return jsonify(value=value)


@app.post("/tools/parse-list")
def parse_list():
    value = ast.literal_eval(request.json["items"])  # secure: CWE-95
    return jsonify(items=list(value))


@app.route("/hello")
def hello():
    name = request.args.get("name", "stranger")
    page = render_template_string(f"<h1>Hello {name}!</h1>")  # expect: CWE-1336
    return page


@app.route("/hello-safe")
def hello_safe():
    name = request.args.get("name", "stranger")
    return render_template_string("<h1>Hello {{ name }}!</h1>", name=name)  # secure: CWE-1336


@app.route("/banner")
def banner():
    text = request.args.get("text", "")
    banner_html = Markup(f"<div class='banner'>{text}</div>")  # expect: CWE-79
    safe_banner = Markup("<div class='banner'>{}</div>").format(text)  # secure: CWE-79
    return render_template("banner.html", banner=banner_html, safe_banner=safe_banner)


@app.route("/greet")
def greet():
    name = request.args.get("name", "")
    return f"<p>Welcome back, {name}</p>"  # expect: CWE-79


@app.route("/greet-safe")
def greet_safe():
    name = request.args.get("name", "")
    return f"<p>Welcome back, {escape(name)}</p>"  # secure: CWE-79
