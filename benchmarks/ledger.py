"""Provenance ledger benchmark: load time for 100,000 trace records, and the per-keystroke cost of
`apply_edit` / `annotate` plus accept latency with 500 AI spans in a 10,000-line file.

    /work/venv/bin/python benchmarks/ledger.py
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tabguard.engine.types import Finding, Span
from tabguard.provenance import Provenance
from tabguard.provenance.fingerprint import content_hash, line_fingerprint
from tabguard.provenance.records import build_trace

RECORDS = 100_000
FILES = 2_000
FILE_LINES = 10_000
SPANS = 500


def _source(count: int, tag: str) -> list[str]:
    return [f"value_{tag}_{i} = compute({i}, '{tag}')" for i in range(count)]


def write_ledger(root: Path) -> Path:
    """RECORDS tabguard-style records over FILES files, 50 lines each, one 2-line span per record."""
    lines = {f: _source(200, str(f)) for f in range(FILES)}
    out = root / ".agent-trace" / "traces.jsonl"
    out.parent.mkdir(parents=True)
    with open(out, "w", encoding="utf-8") as handle:
        for n in range(RECORDS):
            f = n % FILES
            start = (n // FILES) * 4 % 198
            chunk = lines[f][start : start + 2]
            record = build_trace(
                f"src/mod_{f}.py",
                start,
                start + 2,
                content_hash(chunk),
                [line_fingerprint(x) for x in chunk],
                "copilot",
                False,
                "openai/gpt-4o",
                None,
            )
            handle.write(json.dumps(record, separators=(",", ":")) + "\n")
    for f in (0, 1):
        path = root / "src" / f"mod_{f}.py"
        path.parent.mkdir(exist_ok=True)
        path.write_text("\n".join(lines[f]))
    return out


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def bench_load(root: Path) -> None:
    ledger = write_ledger(root)
    size = ledger.stat().st_size / 1e6
    path = root / "src" / "mod_0.py"
    lines = path.read_text().split("\n")
    start = time.perf_counter()
    prov = Provenance(root)
    prov.open_file(path, lines)
    first = time.perf_counter() - start
    spans = len(prov.spans(path))
    start = time.perf_counter()
    prov.open_file(root / "src" / "mod_1.py", (root / "src" / "mod_1.py").read_text().split("\n"))
    second = time.perf_counter() - start
    start = time.perf_counter()
    every = sum(len(prov.trace_ranges(key)) for key in prov.tracked_files())
    parse_all = time.perf_counter() - start
    print(f"ledger: {RECORDS:,} records, {size:.1f} MB, {FILES:,} files")
    print(f"  index + open first file ({spans} spans re-anchored): {_ms(first)}")
    print(f"  open another file: {_ms(second)}")
    print(f"  parse every record (inventory of the whole ledger): {_ms(parse_all)} ({every:,} ranges)")


def bench_edits(root: Path) -> None:
    path = root / "big.py"
    lines = _source(FILE_LINES, "b")
    path.write_text("\n".join(lines))
    prov = Provenance(root)
    prov.open_file(path, lines)
    accepts = []
    for n in range(SPANS):
        begin = n * (FILE_LINES // SPANS)
        start = time.perf_counter()
        prov.record_accept(path, lines, begin, begin + 8, "copilot", False)
        accepts.append(time.perf_counter() - start)
    findings = [Finding("TG100", Span(i * 160 + 3, 4, i * 160 + 3, 20), "m", "high") for i in range(60)]

    def timed(action, rounds=200):
        samples = []
        for i in range(rounds):
            start = time.perf_counter()
            action(i)
            samples.append(time.perf_counter() - start)
        return statistics.median(samples), max(samples)

    state = {"lines": lines}

    def type_inside(i):  # a keystroke on a line inside a span
        new = list(state["lines"])
        new[5003] = new[5003] + "x"
        prov.apply_edit(path, 5003, 5003, 1, new)
        state["lines"] = new

    def enter_above(i):  # Enter near the top: every span below moves
        new = state["lines"][:10] + [""] + state["lines"][10:]
        prov.apply_edit(path, 10, 10, 2, new)
        state["lines"] = new

    def annotate(i):
        prov.annotate(path, findings)

    print(f"editing: {FILE_LINES:,}-line file, {len(prov.spans(path))} AI spans")
    print(
        f"  accept (record_accept, spans already open): p50 {_ms(statistics.median(accepts))}, max {_ms(max(accepts))}"
    )
    for name, action in (
        ("apply_edit, typing inside a span", type_inside),
        ("apply_edit, new line above all spans", enter_above),
        ("annotate 60 findings", annotate),
    ):
        p50, worst = timed(action)
        print(f"  {name}: p50 {_ms(p50)}, max {_ms(worst)}")
    print("  (the list copies that build each new text are included; the server already has its lines)")
    for name, text in (
        ("unchanged", lines),
        ("edited elsewhere: 3 lines inserted at the top", ["# a", "# b", "# c"] + lines),
    ):
        fresh = Provenance(root)
        start = time.perf_counter()
        fresh.open_file(path, text)
        took = time.perf_counter() - start
        print(f"  open and re-anchor {len(fresh.spans(path))} spans, file {name}: {_ms(took)}")


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        bench_load(Path(folder) / "load")
        bench_edits(Path(folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
