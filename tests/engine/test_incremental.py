"""Differential test: random edit sequences applied incrementally must give the same blocks and
findings as a from-scratch analysis of the final text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tabguard.analysis import analyze_text

FRAGMENTS = [
    "import requests\n",
    "import requests as rq\n",
    "from subprocess import run as r\n",
    "def fetch(url):\n    return requests.get(url, verify=False)\n",
    "def g(u):\n    rq.get(u, verify=False)\n",
    "@app.route('/x')\ndef view():\n    pass\n",
    "class C:\n    def m(self):\n        requests.post(u, verify=False)\n",
    "if True:\n    x = 1\nelse:\n    x = 2\n",
    "s = '''\ndef inner():\n    requests.get(u, verify=False)\n'''\n",
    "call(\n    a,\n",
    "'''unterminated\n",
    "x = (1,\n     2)\n",
    "# comment at col 0\n",
    "    indented = requests.get(u, verify=False)\n",
    "y = 'é 😀 中文'; requests.get(u, verify=False)\n",
    "try:\n    pass\nexcept Exception:\n    pass\n",
    "\n",
    "v = 1 \\\n    + 2\n",
    "x = 1  # tabguard: ignore[TG999]\n",
    "import os, sys\n",
    "cmd = sys.argv[1]\n",
    "os.system(cmd)\n",
    "def run():\n    os.system(cmd)\n",
]

edits = st.lists(
    st.tuples(
        st.sampled_from(["insert", "delete", "replace_char"]),
        st.floats(0, 1),
        st.floats(0, 1),
        st.sampled_from(FRAGMENTS + ["(", ")", "'", '"""', "\n", "x", ":", "    "]),
    ),
    min_size=1,
    max_size=12,
)


def _state(doc):
    doc.flush()
    return (
        [(b.start, b.length) for b in doc.blocks],
        sorted((f.rule_id, f.span, f.message) for f in doc.findings()),
    )


def _offset_to_pos(lines, offset):
    for number, line in enumerate(lines):
        if offset <= len(line):
            return number, offset
        offset -= len(line) + 1
    return len(lines) - 1, len(lines[-1])


@given(initial=st.lists(st.sampled_from(FRAGMENTS), min_size=0, max_size=10), steps=edits)
def test_incremental_equals_from_scratch(initial, steps):
    doc = analyze_text("".join(initial))
    for index, (kind, a, b, fragment) in enumerate(steps):
        text = doc.text
        start = int(a * len(text))
        end = start if kind == "insert" else min(len(text), start + int(b * 40) + (kind == "replace_char"))
        sl, sc = _offset_to_pos(doc.lines, start)
        el, ec = _offset_to_pos(doc.lines, end)
        new = fragment if kind != "delete" else ""
        doc.replace(sl, sc, el, ec, new, analyze=index % 3 == 0)
        assert doc.text == text[:start] + new + text[end:]
    fresh = analyze_text(doc.text)
    assert _state(doc) == _state(fresh)
