"""Hostile or broken ledgers: bad lines are skipped with a warning that names them and every good
record is kept; a ledger folder that cannot be written is a message, not a traceback. The fuzz
harness runs derandomized under the `ci` profile (tests/conftest.py)."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance_helpers import foreign_record, write
from tabguard.cli import main
from tabguard.config import load_config
from tabguard.provenance import Provenance, inventory
from tabguard.provenance.checking import annotate_results, gate_failures
from tabguard.scan import scan_file

APP = "import subprocess\n\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n"


def _deep(depth: int) -> str:
    """A record whose nesting is deeper than the JSON parser's recursion allows."""
    return '{"files":[{"path":"app.py","conversations":' + "[" * depth + "]" * depth + "}]}"


def test_a_deeply_nested_line_is_skipped_by_name_and_the_others_are_kept(tmp_path, capsys):
    (tmp_path / ".git").mkdir()
    path = tmp_path / "app.py"
    write(path, APP)
    first, second = foreign_record("app.py", 4, 5), foreign_record("app.py", 1, 1)
    write(
        tmp_path / ".agent-trace" / "traces.jsonl",
        "\n".join([json.dumps(first), _deep(4000), json.dumps(second)]) + "\n",
    )

    assert main(["check", "--gate", str(path)]) == 1
    err = capsys.readouterr().err
    assert ".agent-trace/traces.jsonl: line 2: skipping a line nested too deeply to read" in err
    assert "app.py:4-5: AI-inserted (cursor), not reviewed, holds 1 finding (TG100)" in err

    assert main(["inventory", str(tmp_path), "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out)["summary"]["spans"] == 2

    assert main(["review", str(path), "--by", "Ada"]) == 0
    assert capsys.readouterr().out.count("reviewed by Ada") == 2


def test_review_into_a_read_only_ledger_folder_is_a_message_not_a_traceback(tmp_path, capsys):
    (tmp_path / ".git").mkdir()
    write(tmp_path / "app.py", APP)
    write(tmp_path / ".agent-trace" / "traces.jsonl", json.dumps(foreign_record("app.py", 4, 5)) + "\n")
    ledger = tmp_path / ".tabguard"
    ledger.mkdir()
    os.chmod(ledger, 0o555)
    # Root ignores permission bits; the immutable attribute stops root too.
    immutable = os.geteuid() == 0
    if immutable and subprocess.run(["chattr", "+i", str(ledger)], capture_output=True).returncode != 0:
        pytest.skip("running as root without chattr: no way to make a folder read-only")
    try:
        code = main(["review", str(tmp_path / "app.py"), "--by", "Ada"])
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(ledger)], check=True)
        os.chmod(ledger, 0o755)
    err = capsys.readouterr().err
    assert code == 2
    assert "app.py: review not recorded:" in err and ("Permission denied" in err or "Operation not permitted" in err), (
        err
    )
    assert not (ledger / "reviews.jsonl").exists()


# -- fuzz: random, garbage, deeply nested and huge lines among the valid records -----------------------
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "path",
                    "files",
                    "ranges",
                    "conversations",
                    "start_line",
                    "end_line",
                    "id",
                    "timestamp",
                    "tool",
                    "contributor",
                    "metadata",
                    "record",
                    "content_hash",
                    "reviewer",
                ]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)
_wrong_types = st.builds(
    lambda field, value: json.dumps({**foreign_record("app.py", 4, 5), field: value}),
    st.sampled_from(["files", "tool", "metadata", "id", "timestamp"]),
    _json_values,
)
_junk = st.one_of(
    st.binary(max_size=300).map(lambda b: b.decode("latin-1")),
    st.text(max_size=300),
    st.integers(1100, 30_000).map(_deep),
    st.integers(20_000, 200_000).map(lambda n: '{"path":"app.py","x":"' + "a" * n + '"}'),
    _json_values.map(json.dumps),
    _wrong_types,
    st.just(json.dumps(foreign_record("app.py", 4, 5))[:-7]),  # torn by a killed writer
)
_ledger = st.lists(
    st.one_of(st.tuples(st.just("valid"), st.integers(1, 5), st.integers(0, 4)), st.tuples(st.just("junk"), _junk)),
    max_size=12,
)


@settings(max_examples=50)
@given(traces=_ledger, reviews=st.lists(_junk, max_size=6))
def test_fuzzed_ledger_lines_never_crash_a_reader_and_lose_no_valid_record(traces, reviews):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        path = root / "app.py"
        lines = write(path, APP)
        valid, out = set(), []
        for item in traces:
            if item[0] == "valid":
                record = foreign_record("app.py", item[1], min(5, item[1] + item[2]))
                valid.add(record["id"])
                out.append(json.dumps(record))
            else:
                out.append(item[1])
        write(root / ".agent-trace" / "traces.jsonl", "\n".join(out) + "\n")
        write(root / ".tabguard" / "reviews.jsonl", "".join(line + "\n" for line in reviews))
        config = load_config(root)

        prov = Provenance(root)
        assert valid <= {t.record_id for t in prov.trace_ranges("app.py")}

        report = inventory.build(prov, root, config)  # inventory
        assert (report["files"][0]["records"] if report["files"] else 0) >= len(valid)

        gate = Provenance(root)  # check --gate
        spans = annotate_results(gate, [scan_file(path, "app.py", config)])
        gate_failures(spans, require_review=True)
        assert spans or not valid

        reviewer = Provenance(root)  # review
        reviewer.open_file(path, lines)
        reviewer.mark_reviewed(path, lines, 0, len(lines), "Ada")
        again = Provenance(root)
        again.open_file(path, lines)
        assert all(span.reviewed for span in again.spans(path))
