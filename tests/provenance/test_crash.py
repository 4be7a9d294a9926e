"""SIGKILL in the middle of a burst of accepts: every acknowledged record survives, reload never fails."""

import json
import os
import signal
import subprocess
import sys
import time

from provenance_helpers import foreign_record, write
from tabguard.provenance import Provenance

WRITER = """
import sys
from pathlib import Path
from tabguard.provenance import Provenance

root = Path(sys.argv[1])
path = root / "app.py"
lines = path.read_text().split("\\n")
prov = Provenance(root)
prov.open_file(path, lines)
i = 0
while True:
    start = i % 50
    span = prov.record_accept(path, lines, start, start + 2, sys.argv[2], False)
    print(span.record_id, flush=True)  # the acknowledgement: sent only after the append returned
    i += 1
"""


def _acks(text: str) -> set[str]:
    """Record ids the writer finished printing: a line cut short by the kill acknowledges nothing."""
    return {line for line in text.split("\n")[:-1] if len(line) == 36}


def test_sigkill_during_a_burst_of_accepts_loses_no_acknowledged_record(tmp_path):
    path = tmp_path / "app.py"
    lines = write(path, "\n".join(f"value_{i} = {i}" for i in range(60)))
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(tmp_path), f"writer-{n}"], stdout=subprocess.PIPE, text=True
        )
        for n in range(2)
    ]
    acknowledged = set()
    deadline = time.monotonic() + 30
    try:
        while len(acknowledged) < 300 and time.monotonic() < deadline:
            for writer in writers:
                acknowledged.update(_acks(writer.stdout.readline()))
    finally:
        for writer in writers:
            os.kill(writer.pid, signal.SIGKILL)
    for writer in writers:
        rest, _ = writer.communicate(timeout=10)
        acknowledged.update(_acks(rest))
        assert writer.returncode == -signal.SIGKILL
    assert len(acknowledged) >= 300

    raw = (tmp_path / ".agent-trace" / "traces.jsonl").read_bytes()
    stored = set()
    for line in raw.split(b"\n"):
        try:
            stored.add(json.loads(line)["id"])
        except ValueError:
            pass  # a line torn by the kill
    assert acknowledged <= stored

    prov = Provenance(tmp_path)
    prov.open_file(path, lines)
    assert {s.record_id for s in prov.spans(path)} <= stored
    assert len(prov.trace_ranges("app.py")) == len(stored)


def test_a_torn_last_line_is_skipped_and_the_next_append_is_whole(tmp_path):
    path = tmp_path / "app.py"
    lines = write(path, "a = 1\nb = 2\nc = 3")
    prov = Provenance(tmp_path)
    prov.record_accept(path, lines, 0, 1, "copilot", False)
    ledger = tmp_path / ".agent-trace" / "traces.jsonl"
    whole = ledger.read_bytes()
    with open(ledger, "ab") as handle:
        handle.write(whole[: len(whole) // 2])  # a writer died half-way through its line
    again = Provenance(tmp_path)
    again.open_file(path, lines)
    assert len(again.spans(path)) == 1
    again.record_accept(path, lines, 2, 3, "copilot", False)
    final = Provenance(tmp_path)
    final.open_file(path, lines)
    assert [(s.start_line, s.end_line) for s in final.spans(path)] == [(0, 1), (2, 3)]
    assert any("malformed" in w for w in final.warnings)


def test_a_record_another_tool_appended_right_after_a_torn_line_is_recovered(tmp_path):
    path = tmp_path / "app.py"
    lines = write(path, "a = 1\nb = 2\nc = 3")
    whole = json.dumps(foreign_record("app.py", 2, 2))
    # A writer was killed mid-line; another tool appended without checking for the torn line.
    (tmp_path / ".agent-trace").mkdir()
    (tmp_path / ".agent-trace" / "traces.jsonl").write_text(whole[:90] + whole + "\n")
    prov = Provenance(tmp_path)
    prov.open_file(path, lines)
    assert [(s.start_line, s.end_line) for s in prov.spans(path)] == [(1, 2)]
    assert any("torn record" in w for w in prov.warnings)
