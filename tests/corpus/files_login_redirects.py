"""Post-login redirects in Flask, Django and FastAPI handlers."""

from urllib.parse import urlparse

from django.contrib.auth import authenticate, login
from django.http import HttpResponseRedirect
from django.shortcuts import redirect as django_redirect
from django.utils.http import url_has_allowed_host_and_scheme
from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from flask import Flask, redirect, request, session, url_for

app = Flask(__name__)
api = FastAPI()


@app.route("/login", methods=["POST"])
def flask_login():
    session["user"] = request.form["username"]
    next_url = request.args.get("next") or url_for("dashboard")
    return redirect(next_url)  # expect: CWE-601


@app.route("/login/safe", methods=["POST"])
def flask_login_safe():
    session["user"] = request.form["username"]
    target = request.args.get("next", "")
    if urlparse(target).netloc or not target.startswith("/"):
        target = url_for("dashboard")
    return redirect(target)  # secure: CWE-601


@app.route("/logout")
def flask_logout():
    session.clear()
    return redirect("/" + request.args.get("then", ""))  # expect: CWE-601


@app.route("/orders/<int:order_id>/done")
def order_done(order_id):
    return redirect(f"/orders/{order_id}/receipt")  # secure: CWE-601


def django_login_view(request):
    user = authenticate(request, username=request.POST["username"], password=request.POST["password"])
    if user is None:
        return django_redirect("login")
    login(request, user)
    return HttpResponseRedirect(request.GET.get("next", "/"))  # expect: CWE-601


def django_login_view_safe(request):
    user = authenticate(request, username=request.POST["username"], password=request.POST["password"])
    if user is None:
        return django_redirect("login")
    login(request, user)
    next_url = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=True):
        next_url = "/"
    return django_redirect(next_url)  # secure: CWE-601


@api.get("/sso/callback")
async def sso_callback(code: str, return_to: str = "/"):
    return RedirectResponse(url=return_to)  # expect: CWE-601
