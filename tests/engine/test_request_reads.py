"""Request data read by calling the request (Flask's `get_data()`, Starlette's awaited `json()`),
and local containers filled with user input (`parts.append(value)`)."""

from __future__ import annotations

import pytest

from tabguard.analysis import analyze_text


def _sources(code: str) -> list[tuple[str, int, str]]:
    """(rule, 1-based line, source) of the findings that data flow confirmed."""
    doc = analyze_text(code, "example.py")
    assert doc.take_errors() == []
    return [(f.rule_id, f.span.start_line + 1, f.details["source"]) for f in doc.findings() if f.details.get("source")]


@pytest.mark.parametrize(
    "code, expected",
    [
        (
            "import os\nfrom flask import request\ndef f():\n    os.system('echo ' + request.get_data(as_text=True))\n",
            ("TG101", 4, "request.get_data()"),
        ),
        (
            "import os\nfrom fastapi import Request\nasync def f(request: Request):\n"
            "    body = await request.json()\n    os.system('echo ' + body['cmd'])\n",
            ("TG101", 5, "request.json()"),
        ),
        (
            "import os\nasync def handle(request):\n    data = await request.post()\n    os.system('echo ' + data['x'])\n",
            ("TG101", 4, "request.post()"),
        ),
        (
            "import os\nfrom flask import request\ndef f():\n    opts = {}\n    opts.update(host=request.args['h'])\n"
            "    os.system('ping %(host)s' % opts)\n",
            ("TG101", 6, "request.args"),
        ),
        (
            "import os\nfrom flask import request\ndef f():\n    words = ['echo']\n    words.extend(request.form.getlist('w'))\n"
            "    os.system(' '.join(words))\n",
            ("TG101", 6, "request.form"),
        ),
        # Class-based views: an HTTP verb's parameters are the URL's captured values.
        (
            "import os\nfrom flask_restful import Resource\nclass Img(Resource):\n    def get(self, name):\n"
            "        os.system('convert ' + name)\n",
            ("TG101", 5, "URL parameter 'name'"),
        ),
        (
            "import os\nfrom rest_framework.views import APIView\nclass Img(APIView):\n"
            "    def post(self, request, name, format=None):\n        os.system('convert ' + name + format)\n",
            ("TG101", 5, "URL parameter 'name'"),
        ),
        # Flask-RESTful's request parser reads the request, not the command line.
        (
            "import os\nfrom flask_restful import Resource, reqparse\nparser = reqparse.RequestParser()\n"
            "class Ping(Resource):\n    def post(self):\n        args = parser.parse_args()\n"
            "        os.system('ping ' + args['host'])\n",
            ("TG101", 7, "request arguments (reqparse)"),
        ),
        # Forms parsed from the request: Django, DRF, WTForms.
        (
            "import os\ndef v(request):\n    form = SearchForm(request.GET)\n    if form.is_valid():\n"
            "        os.system('grep ' + form.cleaned_data['q'])\n",
            ("TG101", 5, "form.cleaned_data (submitted form)"),
        ),
        (
            "import os\ndef v(request):\n    s = PingSerializer(data=request.data)\n    s.is_valid(raise_exception=True)\n"
            "    os.system('ping ' + s.validated_data['host'])\n",
            ("TG101", 5, "s.validated_data (submitted form)"),
        ),
        (
            "import os\ndef ping():\n    form = HostForm()\n    if form.validate_on_submit():\n"
            "        os.system('ping ' + form.host.data)\n",
            ("TG101", 5, "form.host.data (submitted form)"),
        ),
        # Falcon and Streamlit.
        (
            "import os\nclass Res:\n    def on_get(self, req, resp):\n        os.system('ls ' + req.get_param('d'))\n",
            ("TG101", 4, "req.get_param()"),
        ),
        (
            "import os\nimport streamlit as st\ndef page():\n    name = st.text_input('Name')\n    os.system('echo ' + name)\n",
            ("TG101", 5, "Streamlit input"),
        ),
    ],
)
def test_reported_with_its_source(code: str, expected: tuple[str, int, str]) -> None:
    assert expected in _sources(code)


@pytest.mark.parametrize(
    "code",
    [
        # A digest of the input carries none of its text.
        "import os, hashlib\nfrom flask import request\ndef f():\n    h = hashlib.sha256()\n"
        "    h.update(request.args['name'].encode())\n    os.system('mkdir /tmp/' + h.hexdigest())\n",
        # Filling a list with constants, or appending to a list that came from elsewhere, taints nothing.
        "import os\nfrom flask import request\ndef f(words):\n    words.append('x')\n    os.system(' '.join(words))\n",
        # A view's `format` suffix, and a `get` of a class that is no view.
        "import os\nfrom rest_framework.views import APIView\nclass V(APIView):\n"
        "    def get(self, request, format=None):\n        os.system('echo ' + format)\n",
        "import os\nclass Store:\n    def get(self, key):\n        os.system('echo ' + key)\n",
        # `.data` of something that is no form the function made.
        "import os\ndef f(client):\n    reply = client.fetch()\n    os.system('echo ' + reply.body.data)\n",
    ],
)
def test_not_confirmed(code: str) -> None:
    assert _sources(code) == []
