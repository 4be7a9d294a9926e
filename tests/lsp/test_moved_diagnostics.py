"""A publish reuses the serialized diagnostics of blocks that only moved, moving their line numbers
(`convert.moved`); the result must equal serializing the moved findings afresh."""

from __future__ import annotations

import json

from tabguard.analysis import ruleset_for
from tabguard.engine.document import Document
from tabguard.lsp import convert
from tabguard.lsp.positions import Encoding

CODE = (
    'import requests, subprocess\n\n\ndef fetch(url):\n    """Fetch — "line": 3 in a docstring."""\n'
    '    return requests.get(url, verify=False)\n\n\ndef run(request):\n    cmd = request.args["c"]\n'
    "    subprocess.run(cmd, shell=True)\n"
)


def _texts(doc: Document) -> dict[int, tuple[int, str]]:
    encoding = Encoding("utf-16")
    return {
        id(f.base or f): (
            f.span.start_line,
            json.dumps(convert.diagnostic_json(f, doc.lines, encoding, "file:///m.py")),
        )
        for f in doc.findings()
    }


def test_moved_serialization_equals_fresh_serialization():
    doc = Document(CODE, ruleset_for(), "m.py")
    before = _texts(doc)
    assert len(before) >= 3
    doc.replace(0, 0, 0, 0, "# a header comment\n\n\nX = 'é'\n")
    after = _texts(doc)
    assert set(after) == set(before)  # the blocks only moved: the same findings, moved
    for key, (line, fresh) in after.items():
        old_line, old_text = before[key]
        assert line == old_line + 4
        assert convert.moved(old_text, line - old_line) == fresh
