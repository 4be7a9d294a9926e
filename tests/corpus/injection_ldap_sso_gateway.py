"""Flask single-sign-on gateway against LDAP, as an assistant completed it."""

import ldap
from flask import Flask, make_response, redirect, request, session
from ldap.filter import escape_filter_chars

app = Flask(__name__)
BASE_DN = "ou=people,dc=example,dc=com"
THEMES = {"light", "dark"}


def directory():
    return ldap.initialize("ldaps://ldap.example.com")


@app.post("/sso/login")
def login():
    username = request.form["username"]
    conn = directory()
    entries = conn.search_s(BASE_DN, ldap.SCOPE_SUBTREE, f"(uid={username})")  # expect: CWE-90
    return {"found": len(entries)}


@app.post("/sso/login-safe")
def login_safe():
    username = escape_filter_chars(request.form["username"])
    conn = directory()
    entries = conn.search_s(BASE_DN, ldap.SCOPE_SUBTREE, f"(uid={username})")  # secure: CWE-90
    return {"found": len(entries)}


@app.get("/sso/theme")
def theme():
    choice = request.args.get("theme", "light")
    resp = make_response("ok")
    resp.headers["X-Theme"] = choice  # expect: CWE-113
    if choice in THEMES:
        resp.headers["X-Theme-Checked"] = choice  # secure: CWE-113
    return resp


@app.post("/sso/profile")
def profile():
    user = load_user(session["uid"])
    for key, value in request.form.items():
        setattr(user, key, value)  # expect: CWE-915
    return redirect("/sso/home")


@app.post("/sso/profile-safe")
def profile_safe():
    user = load_user(session["uid"])
    for key, value in request.form.items():
        if key in {"display_name", "phone"}:
            setattr(user, key, value)  # secure: CWE-915
    return redirect("/sso/home")


def load_user(uid):
    raise NotImplementedError
