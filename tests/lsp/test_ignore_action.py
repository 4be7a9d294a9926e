"""The "Ignore on this line" action reads the line's comment as the suppression parser does."""

from __future__ import annotations

import pytest

from tabguard.engine.suppress import suppressing_comment
from tabguard.engine.types import Finding, Span
from tabguard.lsp.convert import ignore_action
from tabguard.lsp.positions import Encoding

CALL = "requests.get(url, verify=False)"


@pytest.mark.parametrize(
    "comment, expected",
    [
        ("", CALL + "  # tabguard: ignore[TG201]"),
        ("  # tabguard: ignore[TG100]", CALL + "  # tabguard: ignore[TG100, TG201]"),
        ("  # tabguard: Ignore[ TG100 ]  # reason", CALL + "  # tabguard: Ignore[TG100, TG201]  # reason"),
        ("  # tabguard: ignore[]", CALL + "  # tabguard: ignore[TG201]"),
    ],
)
def test_the_comment_is_added_or_extended(comment: str, expected: str) -> None:
    line = CALL + comment
    finding = Finding("TG201", Span(0, 0, 0, len(CALL)), "verify=False", "high")
    action = ignore_action(finding, "file:///app.py", [line], Encoding(), None)
    (edit,) = action.edit.changes["file:///app.py"]
    start, end = edit.range.start.character, edit.range.end.character
    fixed = line[:start] + edit.new_text + line[end:]
    assert fixed == expected
    assert suppressing_comment(fixed, "TG201", ())
