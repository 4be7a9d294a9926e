"""Flask app factory an assistant wrote for a small account portal."""

import os

from flask import Flask, jsonify, make_response, request
from flask_cors import CORS
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()


def create_app():
    app = Flask(__name__)
    app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    app.config["SESSION_COOKIE_SECURE"] = False  # expect: CWE-614
    app.config["SESSION_COOKIE_HTTPONLY"] = True  # secure: CWE-1004
    app.config["WTF_CSRF_ENABLED"] = False  # expect: CWE-352
    app.config.update(REMEMBER_COOKIE_SECURE=True)  # secure: CWE-614
    csrf.init_app(app)
    CORS(app, supports_credentials=True)  # expect: CWE-942
    CORS(app, origins=["https://portal.example.com"], supports_credentials=True)  # secure: CWE-942

    @app.post("/login")
    def login():
        token = issue_token(request.form["user"], request.form["password"])
        resp = make_response(jsonify(ok=True))
        resp.set_cookie("session_token", token)  # expect: CWE-614
        resp.set_cookie("session_token", token, secure=True, httponly=True, samesite="Lax")  # secure: CWE-614
        return resp

    return app


def issue_token(user, password):
    raise NotImplementedError


if __name__ == "__main__":
    application = create_app()
    application.debug = True  # expect: CWE-489
    application.run(host="0.0.0.0", port=5000)  # expect: CWE-200
    application.run(host="127.0.0.1", port=5000, debug=os.environ.get("FLASK_DEBUG") == "1")  # secure: CWE-489
    application.run(port=5000, debug=True)  # expect: CWE-489
