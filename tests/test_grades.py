"""The one severity scale and the one confidence scale (engine/grades.py) and what each level becomes."""

from __future__ import annotations

from lsprotocol import types

from tabguard.config_schema import BY_KEY
from tabguard.engine.grades import CONFIDENCE_NAMES, SEVERITIES, SEVERITY_NAMES, Confidence


def test_the_scales_are_in_order() -> None:
    assert SEVERITY_NAMES == ("low", "medium", "high", "critical")
    assert CONFIDENCE_NAMES == ("low", "medium", "high")
    assert [s.rank for s in SEVERITIES] == [0, 1, 2, 3]
    assert [Confidence.named(c).sarif_rank for c in CONFIDENCE_NAMES] == [30.0, 60.0, 90.0]


def test_user_input_raises_a_severity_one_step() -> None:
    assert [s.raised().name for s in SEVERITIES] == ["medium", "high", "critical", "critical"]


def test_each_level_maps_to_lsp_and_sarif() -> None:
    lsp = {s.name: types.DiagnosticSeverity[s.lsp] for s in SEVERITIES}
    assert lsp == {
        "low": types.DiagnosticSeverity.Information,
        "medium": types.DiagnosticSeverity.Warning,
        "high": types.DiagnosticSeverity.Error,
        "critical": types.DiagnosticSeverity.Error,
    }
    assert [s.sarif_level for s in SEVERITIES] == ["note", "warning", "error", "error"]
    scores = [float(s.security_severity) for s in SEVERITIES]  # GitHub: >= 9 critical, >= 7 high, >= 4 medium
    assert scores == sorted(scores) and scores[0] < 4 <= scores[1] < 7 <= scores[2] < 9 <= scores[3]


def test_configuration_accepts_exactly_the_scale() -> None:
    assert BY_KEY["severity"].kind.json["additionalProperties"]["enum"] == list(SEVERITY_NAMES)
    assert BY_KEY["min-confidence"].kind.json["enum"] == list(CONFIDENCE_NAMES)
