"""Every offered fix, applied: over the labelled corpus, the assistant shapes of tests/fix_shapes,
every rule example and the shared eval corpora
(Semgrep's rule tests, Bandit's examples; copied to a temporary folder, never changed in place).

For each fix on its own: the result parses, its finding is gone and no rule reports anything the file
did not have. For each file, `tabguard check --fix --unsafe-fixes` then applies every fix, skips none,
and a second run changes nothing.
"""

from __future__ import annotations

import ast
import functools
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest

from tabguard.analysis import analyze_text, visible
from tabguard.engine.fixes import apply_edits, materialize
from tabguard.fixing import fix_text
from tabguard.rules import all_rules
from tabguard.sources import SourceError, decode_source
from tabguard.supply.depfiles import is_dependency_file

REPO = Path(__file__).resolve().parents[1]
# The eval corpora sit beside the repository (`../shared/eval`); a worktree one level deeper finds
# them too. TABGUARD_EVAL_CORPORA overrides.
_EVAL = (
    [Path(os.environ["TABGUARD_EVAL_CORPORA"])]
    if os.environ.get("TABGUARD_EVAL_CORPORA")
    else [
        REPO.parent / "shared" / "eval" / "corpora",
        REPO.parent.parent / "shared" / "eval" / "corpora",
    ]
)
EVAL = next((folder for folder in _EVAL if folder.is_dir()), None)


def _files():
    for path in sorted((REPO / "tests" / "corpus").glob("*.py")):
        yield pytest.param(path, id=f"corpus/{path.name}")
    for path in sorted((REPO / "tests" / "fix_shapes").rglob("*.py")):
        yield pytest.param(path, id=f"fix_shapes/{path.relative_to(REPO / 'tests' / 'fix_shapes').as_posix()}")
    for corpus in ("semgrep-rules", "bandit"):
        if EVAL is None:
            yield pytest.param(None, id=f"{corpus}-missing", marks=pytest.mark.skip(reason="../shared/eval not found"))
            continue
        for path in sorted((EVAL / corpus).rglob("*.py")):
            yield pytest.param(path, id=f"{corpus}/{path.relative_to(EVAL / corpus).as_posix()}")


def _examples():
    for rule in all_rules():
        for index, example in enumerate(rule.INVALID):
            if not is_dependency_file(Path(example.path)):
                yield pytest.param(example.code, example.path, id=f"{rule.id}-invalid-{index}")


def _analyse(path: str):
    # Analysis is a function of the text: each text is analysed once (the check and both --fix
    # runs ask about the same texts; about 40% of the asks over the corpora were repeats).
    @functools.cache
    def analyse(text: str):
        doc = analyze_text(text, path)
        return doc.lines, visible(doc.findings(), doc.lines)

    return analyse


# (fixed rule, rule it then reports): a rewrite that is right but uncovers a finding its flaw hid.
# Adding `@login_required` (TG414) makes the route authenticated, where the IDOR check TG401 applies.
# `--fix` still skips such a fix (nothing new may be reported); these pairs are only tolerated here.
REVEALS = {("TG414", "TG401")}


def _key(finding) -> tuple[str, str]:
    return finding.rule_id, finding.message


def _check_every_fix(text: str, path: str) -> None:
    analyse = _analyse(path)
    lines, findings = analyse(text)
    for finding in findings:
        fix = finding.fix()
        if fix is None:
            continue
        where = f"{path}:{finding.span.start_line + 1}: {finding.rule_id} {fix.title}"
        fixed = "\n".join(apply_edits(lines, materialize(fix, lines)))
        try:
            ast.parse(fixed)
        except SyntaxError as error:
            pytest.fail(f"{where}: the rewrite does not parse ({error})")
        expected = Counter(_key(f) for f in findings)
        expected[_key(finding)] -= 1
        new = Counter(_key(f) for f in analyse(fixed)[1]) - expected
        assert _key(finding) not in new, f"{where}: the finding is still reported"
        assert not [k for k in new if (finding.rule_id, k[0]) not in REVEALS], (
            f"{where}: the rewrite adds {sorted(new)}"
        )
    outcome = fix_text(Path(path), text, analyse, unsafe=True)
    unexpected = [
        (f.rule_id, why)
        for f, why in outcome.skipped
        if not any(why.startswith(f"the rewrite would add {found} ") for fixed, found in REVEALS if fixed == f.rule_id)
    ]
    assert not unexpected, unexpected
    again = fix_text(Path(path), outcome.text, analyse, unsafe=True)
    assert again.text == outcome.text and not again.applied, f"{path}: a second --fix changed the file"


@pytest.mark.parametrize("source", list(_files()))
def test_every_fix_in_a_corpus_file(source: Path, tmp_path):
    copy = tmp_path / source.name
    shutil.copyfile(source, copy)
    try:
        text = decode_source(copy.read_bytes())
    except SourceError:
        pytest.skip("not a readable source file")
    try:
        ast.parse(text)
    except SyntaxError:
        pytest.skip("the corpus file itself does not parse (Python 2)")
    _check_every_fix(text, str(copy))


@pytest.mark.parametrize("code,path", list(_examples()))
def test_every_fix_in_a_rule_example(code: str, path: str):
    _check_every_fix(code, path)
