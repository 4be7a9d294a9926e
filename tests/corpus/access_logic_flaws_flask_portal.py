"""Member portal (Flask) with the design flaws assistants write: who-is-who from cookies, state changed on
GET, sessions kept across login, guessable reset tokens, plain-text passwords, a loose redirect allow-list."""

import base64
import hashlib
import hmac
import os
import re
import secrets
import time

from flask import Flask, abort, flash, g, jsonify, redirect, request, session, url_for
from flask_login import current_user, login_required
from flask_sqlalchemy import SQLAlchemy
from werkzeug.security import check_password_hash, generate_password_hash

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ.get("PORTAL_SECRET", "portal-dev-key")  # expect: CWE-798
app.config["SESSION_SIGNING_KEY"] = os.environ["PORTAL_SIGNING_KEY"]  # secure: CWE-798
db = SQLAlchemy(app)


class Member(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(255), unique=True)
    passwd = db.Column(db.String(64))  # expect: CWE-256
    password_hash = db.Column(db.String(255))  # secure: CWE-256
    reset_token = db.Column(db.String(64))
    mfa_enabled = db.Column(db.Boolean, default=True)


@app.before_request
def load_member():
    member_id = request.cookies.get("member_id")  # expect: CWE-565
    g.member = Member.query.get(member_id) if member_id else None


def load_member_v2():
    g.member = Member.query.get(session.get("member_id"))  # secure: CWE-565


@app.route("/settings/security/mfa/off")  # expect: CWE-352
@login_required
def turn_off_mfa():
    current_user.mfa_enabled = False
    db.session.commit()
    return redirect(url_for("settings"))


@app.route("/settings/security/mfa/off/v2", methods=["POST"])  # secure: CWE-352
@login_required
def turn_off_mfa_v2():
    current_user.mfa_enabled = False
    db.session.commit()
    return redirect(url_for("settings"))


@app.post("/signin")
def signin():
    member = Member.query.filter_by(email=request.form["email"]).first()
    if member is None:
        flash("We don't have an account for that email address")  # expect: CWE-204
        return redirect(url_for("signin"))
    if not check_password_hash(member.password_hash, request.form["password"]):
        flash("That password is incorrect")
        return redirect(url_for("signin"))
    session["member_id"] = member.id  # expect: CWE-384
    return redirect(url_for("home"))


@app.post("/signin/v2")
def signin_v2():
    member = Member.query.filter_by(email=request.form["email"]).first()
    if member is None or not check_password_hash(member.password_hash, request.form["password"]):
        flash("Invalid email or password")  # secure: CWE-204
        return redirect(url_for("signin"))
    session.clear()
    session["member_id"] = member.id  # secure: CWE-384
    return redirect(url_for("home"))


@app.post("/password/forgot")
def forgot_password():
    member = Member.query.filter_by(email=request.form["email"]).first_or_404()
    member.reset_token = hashlib.sha1(f"{member.email}{time.time()}".encode()).hexdigest()  # expect: CWE-330
    db.session.commit()
    return jsonify(status="sent", token=member.reset_token)  # expect: CWE-640


@app.post("/password/forgot/v2")
def forgot_password_v2():
    member = Member.query.filter_by(email=request.form["email"]).first()
    if member is not None:
        member.reset_token = secrets.token_urlsafe(32)  # secure: CWE-330
        db.session.commit()
        send_reset_mail(member)
    return jsonify(status="If that address is registered, we sent a link")  # secure: CWE-640


@app.post("/account/password")  # expect: CWE-620
@login_required
def update_password():
    current_user.password_hash = generate_password_hash(request.form["new_password"])
    db.session.commit()
    return redirect(url_for("settings"))


@app.post("/account/password/v2")  # secure: CWE-620
@login_required
def update_password_v2():
    if not check_password_hash(current_user.password_hash, request.form["current_password"]):
        abort(403)
    current_user.password_hash = generate_password_hash(request.form["new_password"])
    db.session.commit()
    return redirect(url_for("settings"))


def legacy_login(email, password):
    member = Member.query.filter_by(email=email).first()
    return member is not None and member.passwd == password  # expect: CWE-256


def legacy_login_v2(email, password):
    member = Member.query.filter_by(email=email).first()
    return member is not None and check_password_hash(member.password_hash, password)  # secure: CWE-256


@app.get("/staff")
def staff_dashboard():
    if request.headers.get("X-Forwarded-For", "").split(",")[0] not in ("10.0.0.5", "10.0.0.6"):  # expect: CWE-290
        abort(403)
    return jsonify(members=Member.query.count())


@app.get("/staff/v2")
@login_required
def staff_dashboard_v2():
    if not current_user.is_staff:  # secure: CWE-290
        abort(403)
    return jsonify(members=Member.query.count())


def session_from_cookie():
    raw = request.cookies.get("portal_session", "")
    claims = base64.urlsafe_b64decode(raw.split(".")[1] + "==")  # expect: CWE-347
    return claims


def safe_next(url):
    return re.match(r"https://portal.example.org", url) is not None  # expect: CWE-185


def safe_next_v2(url):
    return re.fullmatch(r"https://portal\.example\.org(/[^/].*)?", url) is not None  # secure: CWE-185


def webhook_signature_ok(body, signature):
    expected = hmac.new(os.environ["WEBHOOK_KEY"].encode(), body, "sha256").hexdigest()
    return hmac.compare_digest(expected, signature)


def send_reset_mail(member):
    ...
