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
    ],
)
def test_not_confirmed(code: str) -> None:
    assert _sources(code) == []
