"""What a rule's rewrite is, for `tabguard rules` and the rule docs: safe, unsafe or both (Ruff's fix
safety), and whether every flagged shape its docs show gets one. Read from the rule's own examples,
so the label cannot drift from what the rule does."""

from __future__ import annotations

import tempfile
from functools import lru_cache
from pathlib import Path

from tabguard.analysis import analyze_text, check_dependency_file
from tabguard.config import Config
from tabguard.supply.depfiles import is_dependency_file


@lru_cache(maxsize=None)
def fix_label(rule) -> str:
    """ "" (no rewrite), "safe", "unsafe" or "safe, unsafe"; with ", some shapes" when an example the
    docs show is flagged without a rewrite. A fix the offline examples cannot show (it needs the
    package index, or depends on what is installed) is declared by the rule as `unshown_fix_safe`."""
    documented = [example for example in rule.INVALID if example.fixed is not None]
    kinds = {fix.safe for fix in _fixes(rule, documented)} | {getattr(rule, "unshown_fix_safe", None)} - {None}
    if not documented and not kinds:
        return ""
    label = ", ".join(name for name, safe in (("safe", True), ("unsafe", False)) if safe in kinds) or "yes"
    return label if len(documented) == len(rule.INVALID) else label + ", some shapes"


def _fixes(rule, examples):
    for example in examples:
        if is_dependency_file(Path(example.path)):
            if getattr(rule, "online", False):
                continue  # its fix needs the package index; the label is read from the other examples
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / example.path
                path.write_text(example.code, encoding="utf-8")
                findings = check_dependency_file(path, example.code, Config(), online=False)
        else:
            findings = analyze_text(example.code, example.path).findings()
        fix = next((f.fix() for f in findings if f.rule_id == rule.id and f.fix() is not None), None)
        if fix is not None:
            yield fix
