"""Source decoding is Python's own: differential against `importlib.util.decode_source`, and the
hostile coding lines of issue 18 through the CLI."""

from __future__ import annotations

import importlib.util

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tabguard.cli import main
from tabguard.sources import SourceError, decode_source

_ENCODINGS = ["utf-8", "latin-1", "cp500", "undefined", "punycode", "utf-16", "rot13", "no-such", "ascii", "utf-8-sig"]
_LINE = st.sampled_from(
    [b"import os\n", b"# comment\n", b"\n", b"x = '\xc3\xa9'\n", b"x = '\xe9'\n", b"  \t\n", b"\r\n"]
)


@st.composite
def _sources(draw) -> bytes:
    coding = b"# -*- coding: %s -*-\n" % draw(st.sampled_from(_ENCODINGS)).encode()
    lines = draw(st.lists(_LINE, max_size=3))
    lines.insert(draw(st.integers(0, len(lines))), coding)
    return (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + b"".join(lines)


@given(_sources())
def test_decoding_matches_python(data):
    try:
        expected = importlib.util.decode_source(data)
    except (SyntaxError, UnicodeError, LookupError):
        expected = None
    try:
        ours = decode_source(data)
    except SourceError:
        ours = None
    # importlib also translates newlines, which tabguard keeps to report true columns.
    assert (ours if ours is None else ours.replace("\r\n", "\n").replace("\r", "\n")) == expected


@pytest.mark.parametrize("coding, reason", [("undefined", "undefined"), ("punycode", "punycode")])
def test_unusable_codecs_are_reported_and_the_scan_goes_on(tmp_path, capsys, coding, reason):
    (tmp_path / "bad.py").write_bytes(f"# coding: {coding}\nx = 1\n".encode())
    (tmp_path / "flaw.py").write_text("import os\nos.system(input())\n")
    assert main(["check", "--no-cache", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert f"bad.py: cannot decode as {reason}" in captured.err and "Traceback" not in captured.err
    assert "flaw.py:2:11: TG101" in captured.out


def test_a_coding_line_after_code_is_ignored_as_python_ignores_it(tmp_path, capsys):
    # Python runs this as UTF-8; decoding it as cp500 hid the injection.
    (tmp_path / "a.py").write_bytes(b"import os; os.system(input())\n# coding: cp500\n")
    assert main(["check", "--no-cache", str(tmp_path / "a.py")]) == 1
    assert "a.py:1:22: TG101" in capsys.readouterr().out


def test_a_bom_with_a_latin1_cookie_is_refused_as_python_refuses_it(tmp_path, capsys):
    (tmp_path / "a.py").write_bytes(b"\xef\xbb\xbf# coding: latin-1\nx = 1\n")
    assert main(["check", "--no-cache", str(tmp_path / "a.py")]) == 2
    assert "a.py: coding line not usable (encoding problem: utf-8), skipped" in capsys.readouterr().err
