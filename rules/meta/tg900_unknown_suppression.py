"""TG900: a suppression comment that names no tabguard rule."""

from __future__ import annotations

from tabguard.engine.rule import Invalid, Rule


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
    example = "subprocess.run(cmd, shell=True)  # tabguard: ignore[TG101] fixed command list, reviewed"
    fix_safety = (
        "Safe: the rewrite drops the unknown ids from the comment (the whole `tabguard: ignore[...]` "
        "when none is left, keeping a reason written after it). They silenced nothing, so every finding "
        "stays as it was; the id that was meant is not guessed, since restoring it would hide a finding."
    )
    references = ("https://cwe.mitre.org/data/definitions/1164.html",)
    VALID = ("x = 1  # tabguard: ignore[TG101]\n", "x = 1  # tabguard: ignore\n")
    INVALID = (
        Invalid("x = 1  # tabguard: ignore[TG1O1]\n", "x = 1\n"),
        Invalid("x = 1  # tabguard: ignore[TG101, TG1O1]\n", "x = 1  # tabguard: ignore[TG101]\n"),
        Invalid("x = 1  # tabguard: ignore[TGX] reviewed by Ana\n", "x = 1  # reviewed by Ana\n"),
    )
