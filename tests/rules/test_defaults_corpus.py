"""The insecure-defaults corpus (`tests/corpus/defaults_*.py`): every `# expect: CWE-N` line is flagged
by a rule of that CWE, and every `# secure: CWE-N` line is flagged by nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tabguard.analysis import analyze_text
from tabguard.rules import rule_by_id

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
FILES = sorted(CORPUS.glob("defaults_*.py"))
_MARK = re.compile(r"#\s*(expect|secure):\s*CWE-(\d+)\s*$")


def _marks(text: str):
    for number, line in enumerate(text.splitlines()):
        match = _MARK.search(line)
        if match:
            yield number, match.group(1), int(match.group(2))


def test_corpus_has_scenarios():
    assert len(FILES) >= 5
    for path in FILES:
        kinds = {kind for _, kind, _ in _marks(path.read_text())}
        assert kinds == {"expect", "secure"}, f"{path.name} needs flaws and secure counterparts"


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_corpus_annotations_hold(path: Path):
    text = path.read_text()
    doc = analyze_text(text, str(path.relative_to(CORPUS.parents[1])))
    by_line: dict[int, list] = {}
    for finding in doc.findings():
        by_line.setdefault(finding.span.start_line, []).append(finding)
    for line, kind, cwe in _marks(text):
        found = by_line.get(line, [])
        if kind == "expect":
            assert any(cwe in rule_by_id(f.rule_id).cwe for f in found), (
                f"{path.name}:{line + 1} expected a CWE-{cwe} finding, got {[f.rule_id for f in found]}"
            )
        else:
            assert not found, f"{path.name}:{line + 1} is secure but flagged: {[(f.rule_id, f.message) for f in found]}"
