"""Files-and-requests family: who controls a URL's origin, and which checks count as validation."""

from __future__ import annotations

import pytest

from tabguard.analysis import analyze_text

_SSRF_HEAD = "import requests\nfrom urllib.parse import urljoin\nfrom flask import request\nAPI = 'https://api.example.com'\n@app.route('/x')\ndef x():\n    v = request.args['v']\n"


def _ids(code: str) -> set[str]:
    return {f.rule_id for f in analyze_text(code, "example.py").findings()}


@pytest.mark.parametrize(
    "url,controlled",
    [
        ("v", True),
        ("f'https://{v}/status'", True),
        ("f'https://api.example.com/users/{v}'", False),
        ("f'{API}/users/{v}'", False),
        ("API + v", True),  # "@evil.example" after the host changes it
        ("API + '/' + v", False),
        ("'https://%s/x' % v", True),
        ("'https://api.example.com/%s' % v", False),
        ("'https://%s/%s' % ('api.example.com', v)", False),
        ("'https://{}/{}'.format(v, 'x')", True),
        ("'https://{host}/x'.format(host=API)", False),
        ("'https://api.example.com/?q={q}'.format(q=v)", False),
        ("urljoin(API, v)", True),
    ],
)
def test_ssrf_needs_a_user_chosen_origin(url, controlled):
    code = _SSRF_HEAD + f"    return requests.get({url}, timeout=5).text\n"
    assert ("TG507" in _ids(code)) is controlled


def test_ssrf_follows_local_url_building():
    code = _SSRF_HEAD + "    url = 'https://'\n    url += v\n    return requests.get(url, timeout=5).text\n"
    assert "TG507" in _ids(code)
    code = (
        _SSRF_HEAD
        + "    url = 'https://api.example.com/'\n    url += v\n    return requests.get(url, timeout=5).text\n"
    )
    assert "TG507" not in _ids(code)


@pytest.mark.parametrize(
    "guard,safe",
    [
        ("if urlparse(v).hostname not in HOSTS:\n        abort(400)\n", True),
        ("parsed = urlparse(v)\n    if parsed.netloc != 'api.example.com':\n        abort(400)\n", True),
        ("if urlparse(v).scheme != 'https':\n        abort(400)\n", False),  # any host still allowed
        ("if not v:\n        abort(400)\n", False),
    ],
)
def test_ssrf_host_checks(guard, safe):
    code = _SSRF_HEAD.replace("import requests\n", "import requests\nfrom urllib.parse import urlparse\n") + (
        f"    {guard}    return requests.get(v, timeout=5).text\n"
    )
    assert ("TG507" not in _ids(code)) is safe


_PATH_HEAD = "import os\nfrom pathlib import Path\nfrom flask import request, abort\nBASE = '/srv/files'\n@app.route('/f')\ndef f():\n    name = request.args['name']\n"


@pytest.mark.parametrize(
    "body,flagged",
    [
        ("return open(os.path.join(BASE, name)).read()", True),
        ("return open(os.path.join(BASE, os.path.basename(name))).read()", False),
        ("return (Path(BASE) / Path(name).name).read_text()", False),
        (
            "p = os.path.join(BASE, name)\n    if not os.path.isfile(p):\n        abort(404)\n    return open(p).read()",
            True,
        ),
        (
            "p = os.path.realpath(os.path.join(BASE, name))\n    if not p.startswith(BASE + os.sep):\n        abort(403)\n    return open(p).read()",
            False,
        ),
        (
            "p = (Path(BASE) / name).resolve()\n    try:\n        p.relative_to(BASE)\n    except ValueError:\n        abort(404)\n    return p.read_text()",
            False,
        ),
        ("return open(checked(name)).read()", False),
    ],
)
def test_path_traversal_checks(body, flagged):
    helper = (
        "def checked(name):\n    full = os.path.realpath(os.path.join(BASE, name))\n"
        "    if not full.startswith(BASE + os.sep):\n        raise ValueError(name)\n    return full\n"
    )
    code = _PATH_HEAD.replace("@app.route", helper + "@app.route") + f"    {body}\n"
    assert ("TG501" in _ids(code)) is flagged


def test_cli_arguments_are_not_remote_input():
    assert "TG501" not in _ids("import sys\nopen(sys.argv[1]).read()\n")
    assert "TG507" not in _ids("import sys, requests\nrequests.get(sys.argv[1], timeout=5)\n")
