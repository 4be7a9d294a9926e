"""The ledger on disk: Agent Trace records written valid, read tolerantly, never fatal."""

import json
from pathlib import Path

from provenance_helpers import (
    SCHEMA,
    append_raw,
    foreign_record,
    ledger_lines,
    schema_errors,
    write,
)
from tabguard.provenance import Provenance

CODE = "import os\n\n\ndef handler(name):\n    path = os.path.join('/srv', name)\n    return open(path).read()\n\n\nprint('done')\n"


def test_validator_accepts_the_spec_examples_and_rejects_broken_records():
    minimal = {
        "version": "0.1.0",
        "id": "550e8400-e29b-41d4-a716-446655440000",
        "timestamp": "2026-01-25T10:00:00Z",
        "files": [
            {
                "path": "src/app.ts",
                "conversations": [{"contributor": {"type": "ai"}, "ranges": [{"start_line": 1, "end_line": 50}]}],
            }
        ],
    }
    assert schema_errors(minimal) == []
    assert schema_errors(foreign_record("a.py", 1, 2, metadata={"dev.cursor": {"x": 1}})) == []
    broken = json.loads(json.dumps(minimal))
    broken["files"][0]["conversations"][0]["ranges"][0]["start_line"] = 0
    broken["id"] = "not-a-uuid"
    del broken["timestamp"]
    errors = schema_errors(broken)
    assert any("start_line" in e for e in errors) and any("uuid" in e for e in errors)
    assert any("missing timestamp" in e for e in errors)


def test_written_records_are_valid_agent_trace_records(tmp_path):
    lines = write(tmp_path / "pkg" / "app.py", CODE)
    prov = Provenance(tmp_path)
    prov.record_accept(tmp_path / "pkg" / "app.py", lines, 3, 6, "copilot", False, "openai/gpt-4o")
    prov.record_accept(tmp_path / "pkg" / "app.py", lines, 0, 1, "bulk-insert", True)
    records = ledger_lines(tmp_path)
    assert len(records) == 2
    for record in records:
        assert schema_errors(record) == [], record
        assert record["tool"]["name"] == "tabguard"
        assert record["files"][0]["path"] == "pkg/app.py"
    first = records[0]
    assert first["files"][0]["conversations"][0]["ranges"] == [
        {
            "start_line": 4,
            "end_line": 6,
            "content_hash": first["files"][0]["conversations"][0]["ranges"][0]["content_hash"],
        }
    ]
    assert first["files"][0]["conversations"][0]["contributor"] == {"type": "ai", "model_id": "openai/gpt-4o"}
    assert first["metadata"]["dev.tabguard"]["origin"] == "copilot"
    assert first["metadata"]["dev.tabguard"]["inferred"] is False
    assert records[1]["metadata"]["dev.tabguard"]["inferred"] is True
    assert "model_id" not in records[1]["files"][0]["conversations"][0]["contributor"]


def test_records_carry_the_git_revision(tmp_path):
    sha = "0123456789abcdef0123456789abcdef01234567"
    write(tmp_path / ".git" / "HEAD", "ref: refs/heads/main\n")
    write(tmp_path / ".git" / "packed-refs", f"# pack-refs with: peeled\n{sha} refs/heads/main\n")
    lines = write(tmp_path / "app.py", CODE)
    Provenance(tmp_path).record_accept(tmp_path / "app.py", lines, 3, 6, "copilot", False)
    record = ledger_lines(tmp_path)[0]
    assert record["vcs"] == {"type": "git", "revision": sha}
    assert schema_errors(record) == []


def test_round_trip_restores_spans_in_a_new_session(tmp_path):
    lines = write(tmp_path / "app.py", CODE)
    prov = Provenance(tmp_path)
    accepted = prov.record_accept(tmp_path / "app.py", lines, 3, 6, "codeium", False, "x/model")
    again = Provenance(tmp_path)
    again.open_file(tmp_path / "app.py", lines)
    (span,) = again.spans(tmp_path / "app.py")
    assert (span.start_line, span.end_line, span.origin, span.tool, span.model_id, span.inferred) == (
        3,
        6,
        "codeium",
        "tabguard",
        "x/model",
        False,
    )
    assert span.record_id == accepted.record_id and span.timestamp == accepted.timestamp
    assert not span.reviewed


def test_first_write_adds_union_merge_lines_once(tmp_path):
    write(tmp_path / ".gitattributes", "*.png binary")
    lines = write(tmp_path / "app.py", CODE)
    Provenance(tmp_path).record_accept(tmp_path / "app.py", lines, 0, 2, "copilot", False)
    Provenance(tmp_path).record_accept(tmp_path / "app.py", lines, 3, 5, "copilot", False)
    assert (tmp_path / ".gitattributes").read_text().splitlines() == [
        "*.png binary",
        ".agent-trace/traces.jsonl merge=union",
        ".tabguard/reviews.jsonl merge=union",
    ]


def test_records_of_other_tools_are_honoured(tmp_path):
    lines = write(tmp_path / "src" / "app.py", CODE)
    no_tool_version = foreign_record("src/app.py", 4, 6, version="1.0", tool={"name": "claude-code"})
    no_contributor = foreign_record("./src/app.py", 9, 9)
    del no_contributor["files"][0]["conversations"][0]["contributor"]
    absolute = foreign_record(str(tmp_path / "src" / "app.py"), 1, 1)
    human = foreign_record("src/app.py", 2, 3)
    human["files"][0]["conversations"][0]["contributor"] = {"type": "human"}
    append_raw(tmp_path, "".join(json.dumps(r) + "\n" for r in (no_tool_version, no_contributor, absolute, human)))
    prov = Provenance(tmp_path)
    prov.open_file(tmp_path / "src" / "app.py", lines)
    spans = {(s.start_line, s.end_line): s for s in prov.spans(tmp_path / "src" / "app.py")}
    assert set(spans) == {(3, 6), (8, 9), (0, 1)}
    assert spans[(3, 6)].tool == "claude-code" and spans[(3, 6)].origin == "claude-code"
    assert spans[(3, 6)].model_id == "anthropic/claude-opus-4-5-20251101"
    assert prov.warnings == []


def test_torn_and_malformed_lines_are_skipped_with_a_warning(tmp_path):
    lines = write(tmp_path / "app.py", CODE)
    good = foreign_record("app.py", 4, 6)
    no_range = foreign_record("app.py", 1, 1)
    no_range["files"][0]["conversations"][0]["ranges"] = [{"start_line": 3}]
    append_raw(
        tmp_path,
        json.dumps(good)
        + "\n"
        + '{"version": "0.1.0", "files": [{"path": "app.py", "conv\n'
        + "[1, 2]\n"
        + json.dumps(no_range)
        + "\n"
        + json.dumps(good)[:70],
    )
    prov = Provenance(tmp_path)
    prov.open_file(tmp_path / "app.py", lines)
    assert [(s.start_line, s.end_line) for s in prov.spans(tmp_path / "app.py")] == [(3, 6)]
    assert any("malformed" in w for w in prov.warnings)
    assert any("valid 1-based lines" in w for w in prov.warnings)
    # The next append ends the torn line first, so the new record stays whole.
    prov.record_accept(tmp_path / "app.py", lines, 8, 9, "copilot", False)
    raw = (tmp_path / ".agent-trace" / "traces.jsonl").read_text().splitlines()
    assert json.loads(raw[-1])["metadata"]["dev.tabguard"]["origin"] == "copilot"
    fresh = Provenance(tmp_path)
    fresh.open_file(tmp_path / "app.py", lines)
    assert [(s.start_line, s.end_line) for s in fresh.spans(tmp_path / "app.py")] == [(3, 6), (8, 9)]


def test_records_appended_by_another_tool_mid_session_are_picked_up_on_open(tmp_path):
    lines = write(tmp_path / "app.py", CODE)
    prov = Provenance(tmp_path)
    prov.open_file(tmp_path / "app.py", lines)
    assert prov.spans(tmp_path / "app.py") == []
    append_raw(tmp_path, json.dumps(foreign_record("app.py", 4, 6)) + "\n")
    prov.open_file(tmp_path / "app.py", lines)
    assert [(s.start_line, s.end_line) for s in prov.spans(tmp_path / "app.py")] == [(3, 6)]


def test_reviews_are_recorded_with_content_hash_and_reviewer(tmp_path):
    lines = write(tmp_path / "app.py", CODE)
    prov = Provenance(tmp_path)
    span = prov.record_accept(tmp_path / "app.py", lines, 3, 6, "copilot", False)
    (reviewed,) = prov.mark_reviewed(tmp_path / "app.py", lines, 4, 5, reviewer="Ada")
    assert reviewed.reviewed and reviewed.reviewer == "Ada"
    (review,) = [json.loads(x) for x in (tmp_path / ".tabguard" / "reviews.jsonl").read_text().splitlines()]
    assert review["path"] == "app.py" and review["reviewer"] == "Ada" and review["record"] == span.record_id
    assert (review["start_line"], review["end_line"]) == (4, 6)
    assert (
        review["content_hash"] == ledger_lines(tmp_path)[0]["files"][0]["conversations"][0]["ranges"][0]["content_hash"]
    )
    again = Provenance(tmp_path)
    again.open_file(tmp_path / "app.py", lines)
    assert [(s.reviewed, s.reviewer) for s in again.spans(tmp_path / "app.py")] == [(True, "Ada")]


def test_reviewer_defaults_to_configured_name(tmp_path):
    lines = write(tmp_path / "app.py", CODE)
    prov = Provenance(tmp_path, reviewer="Configured Person")
    prov.record_accept(tmp_path / "app.py", lines, 3, 6, "copilot", False)
    (span,) = prov.mark_reviewed(tmp_path / "app.py", lines, 3, 6)
    assert span.reviewer == "Configured Person"


def test_schema_file_is_the_spec_shape():
    assert SCHEMA["required"] == ["version", "id", "timestamp", "files"]
    assert Path(__file__).with_name("trace-record.schema.json").is_file()


def test_paths_through_a_symlinked_workspace_name_the_same_file(tmp_path):
    real = tmp_path / "real"
    lines = write(real / "app.py", CODE)
    (tmp_path / "link").symlink_to(real)
    prov = Provenance(tmp_path / "link")
    prov.record_accept(tmp_path / "link" / "app.py", lines, 3, 6, "copilot", False)
    again = Provenance(real)
    again.open_file(real / "app.py", lines)
    assert [(s.start_line, s.end_line) for s in again.spans(real / "app.py")] == [(3, 6)]
    assert ledger_lines(real)[0]["files"][0]["path"] == "app.py"
