"""Link previews, webhooks and an internal API proxy."""

from urllib.parse import urlparse
from urllib.request import urlopen

import httpx
import requests
from flask import Flask, abort, jsonify, request

app = Flask(__name__)

PROFILE_API = "https://profiles.internal.example.com"
ALLOWED_PREVIEW_HOSTS = {"youtube.com", "www.youtube.com", "vimeo.com"}


@app.route("/preview")
def link_preview():
    """Fetch a page and return its title for the chat link preview."""
    url = request.args.get("url")
    if not url:
        abort(400)
    resp = requests.get(url, timeout=5)  # expect: CWE-918
    return jsonify(status=resp.status_code, length=len(resp.text))


@app.route("/preview/video")
def video_preview():
    url = request.args.get("url", "")
    parsed = urlparse(url)
    if parsed.scheme != "https" or parsed.hostname not in ALLOWED_PREVIEW_HOSTS:
        abort(400)
    resp = requests.get(url, timeout=5, allow_redirects=False)  # secure: CWE-918
    return jsonify(status=resp.status_code)


@app.route("/users/<user_id>/profile")
def user_profile(user_id):
    resp = requests.get(f"{PROFILE_API}/v1/users/{user_id}", timeout=5)  # secure: CWE-918
    return jsonify(resp.json())


@app.route("/search")
def search():
    resp = requests.get("https://search.example.com/api", params={"q": request.args["q"]}, timeout=5)  # secure: CWE-918
    return jsonify(resp.json())


@app.route("/avatar")
def avatar():
    # Missing "/" after the host: "@evil.example/x" turns this into a request to evil.example.
    path = request.args.get("path", "")
    resp = requests.get("https://cdn.example.com" + path, timeout=5)  # expect: CWE-918
    return resp.content


@app.route("/webhooks/test", methods=["POST"])
def test_webhook():
    payload = request.get_json()
    with urlopen(payload["callback_url"], timeout=5) as resp:  # expect: CWE-918
        return jsonify(status=resp.status)


@app.route("/status", methods=["POST"])
async def service_status():
    data = request.get_json()
    host = data["host"]
    async with httpx.AsyncClient(timeout=5) as client:
        resp = await client.get(f"http://{host}:8080/health")  # expect: CWE-918
    return jsonify(healthy=resp.status_code == 200)
