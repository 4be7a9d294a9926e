import hashlib
import pickle
import random
import string
import tempfile

import jwt
import requests
import yaml
from flask import Flask, request

app = Flask(__name__)
SECRET = "change-me"


def load_config(path):
    with open(path) as fh:
        config = yaml.load(fh)
    return config


def load_config2(path):
    with open(path) as fh:
        return yaml.load(fh, Loader=yaml.Loader)


def load_all(text):
    return list(yaml.load_all(text, Loader=yaml.FullLoader))


@app.route("/restore", methods=["POST"])
def restore():
    data = pickle.loads(request.data)
    return {"n": len(data)}


def fetch(url):
    resp = requests.get(url, verify=False, timeout=10)
    return resp.json()


def post(url, payload):
    session = requests.Session()
    session.verify = False
    return session.post(url, json=payload, timeout=5)


def hash_password(password):
    return hashlib.md5(password.encode()).hexdigest()


def hash_password2(password: str) -> str:
    salt = "s4lt"
    return hashlib.sha256((salt + password).encode("utf-8")).hexdigest()


def make_token(length=32):
    alphabet = string.ascii_letters + string.digits
    return "".join(random.choice(alphabet) for _ in range(length))


def reset_code():
    return str(random.randint(100000, 999999))


def session_id():
    return "%032x" % random.getrandbits(128)


def scratch():
    path = tempfile.mktemp(suffix=".csv")
    with open(path, "w") as fh:
        fh.write("a,b\n")
    return path


def decode(token):
    return jwt.decode(token, options={"verify_signature": False})


def decode2(token):
    payload = jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_signature": False, "verify_aud": False})
    return payload["sub"]


def decode3(token):
    return jwt.decode(token, verify=False)


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000, debug=True)
