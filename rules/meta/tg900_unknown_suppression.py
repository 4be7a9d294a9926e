"""TG900: a suppression comment that names no tabguard rule."""

from __future__ import annotations

import re

from tabguard.engine.fixes import edits_fix
from tabguard.engine.rule import Invalid, Rule
from tabguard.engine.suppress import listed_ids
from tabguard.engine.types import Edit, Span


class UnknownSuppression(Rule):
    id = "TG900"
    name = "unknown-suppression"
    severity = "low"
    confidence = "high"
    cwe = (1164,)
    message = "`# tabguard: ignore[{code}]` names no tabguard rule"
    placeholders = {"code": "TG000"}
    what = "A `# tabguard: ignore[...]` comment names `{code}`, which is not a tabguard rule id."
    why = (
        "A misspelt id silences nothing: the finding it was meant for is still reported, or worse, "
        "the reader believes a reviewed exception exists where none does."
    )
    how = "Use an id from `tabguard rules`, or remove the comment."
    example = "subprocess.run(cmd, shell=True)  # tabguard: ignore[TG100] fixed command list, reviewed"
    fix_safety = (
        "Safe: the rewrite drops the unknown ids from the comment (the whole `tabguard: ignore[...]` "
        "when none is left, keeping a reason written after it). They silenced nothing, so every finding "
        "stays as it was; the id that was meant is not guessed, since restoring it would hide a finding."
    )
    references = ("https://cwe.mitre.org/data/definitions/1164.html",)
    VALID = ("x = 1  # tabguard: ignore[TG101]\n", "x = 1  # tabguard: ignore\n")
    INVALID = (
        Invalid("x = 1  # tabguard: ignore[TG1O1]\n", "x = 1\n"),
        Invalid(
            "x = 1  # tabguard: ignore[TG101, TG1O1]\n",
            "x = 1  # tabguard: ignore[TG101]\n",
            message="`# tabguard: ignore[TG1O1]` names no tabguard rule",
            at=(1, 34, 1, 39),
        ),
        Invalid("x = 1  # tabguard: ignore[TGX] reviewed by Ana\n", "x = 1  # reviewed by Ana\n"),
        Invalid("x = 1  # TabGuard: Ignore[TG101, TG1O1]\n", "x = 1  # TabGuard: Ignore[TG101]\n"),
    )

    def check_comments(self, lines: list[str], ctx) -> None:
        for number, line in enumerate(lines):
            for match, ids in listed_ids(line):
                unknown = [(code, column) for code, column in ids if code.upper() not in ctx.known_ids]
                if not unknown:
                    continue
                kept = [code for code, _ in ids if code.upper() in ctx.known_ids]
                fix = edits_fix(
                    (_drop_unknown(line, number, match, kept),),
                    "Fix: drop the unknown rule id from the suppression comment",
                    safe=True,
                )
                for code, column in unknown:
                    ctx.report(self, Span(number, column, number, column + len(code)), details={"code": code}, fix=fix)


def _drop_unknown(line: str, number: int, match: re.Match[str], kept: list[str]) -> Edit:
    """The comment without its unknown ids; with none left, without `tabguard: ignore[...]` (a bare
    `# tabguard: ignore` would silence every rule), keeping any reason written after it."""
    if kept:
        return Edit(Span(number, match.start(1), number, match.end(1)), ", ".join(kept))
    if line[match.end() :].strip():
        return Edit(Span(number, match.start(), number, match.end()), "#")
    start = len(line[: match.start()].rstrip())
    return Edit(Span(number, start, number, len(line)), "")
