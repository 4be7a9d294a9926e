"""The provenance ledger as a report: which files hold AI-inserted code, where, from which tool,
when, reviewed by whom, and which findings sit inside it. One data model for text, JSON and HTML."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Optional

from tabguard.config import Config
from tabguard.notebook.checking import is_notebook
from tabguard.provenance.checking import findings_in, honoured_filter, in_code, ledger_lines
from tabguard.provenance.records import utc_now
from tabguard.provenance.tracker import Provenance
from tabguard.rules import FAMILIES, all_rules
from tabguard.scan import is_python, scan_file
from tabguard.sources import SourceError
from tabguard.counting import counted

_FAMILY_BY_PREFIX = {prefix: family for family, (prefix, _title) in FAMILIES.items()}
OLDEST_SHOWN = 10


def family_of(rule_id: str) -> str:
    return _FAMILY_BY_PREFIX.get(rule_id[:3], "other")


def _under(key: str, scope: str) -> bool:
    return not scope or key == scope or key.startswith(scope + "/")


def build(ledger: Provenance, target: Path, config: Config) -> dict:
    """The inventory of every file under `target` that the ledger mentions, as saved on disk.
    It reads through its own view of the ledger, so files open in an editor keep their live spans."""
    prov = Provenance(ledger.root, config["reviewer"])
    scope = prov.key(target) or ""
    scope = "" if scope == "." else scope
    rules = all_rules()
    severity, docs = {r.id: r.severity for r in rules}, {r.id: r.doc_url() for r in rules}
    files = [_file_entry(prov, key, config, severity, docs) for key in prov.tracked_files() if _under(key, scope)]
    files = [f for f in files if f is not None]
    spans = [s for f in files for s in f["spans"]]
    ai_findings = [(s, x) for s in spans for x in s["findings"]]
    by_family: dict[str, Counter] = defaultdict(Counter)
    for _span, finding in ai_findings:
        by_family[finding["family"]][finding["severity"]] += 1
    ai_lines = sum(f["ai_lines"] for f in files)
    total_lines = sum(f["lines"] for f in files if f["exists"])
    unreviewed = sorted(
        ({"path": f["path"], **s} for f in files for s in f["spans"] if not s["reviewed"]),
        key=lambda s: s["timestamp"] or "9999",
    )
    return {
        "root": str(prov.root),
        "workspace": prov.root.name,
        "scope": scope or ".",
        "generated": utc_now(),
        "summary": {
            "files": len(files),
            "files_with_ai_code": sum(1 for f in files if f["spans"]),
            "total_lines": total_lines,
            "ai_lines": ai_lines,
            "ai_share": round(ai_lines / total_lines, 4) if total_lines else 0.0,
            "spans": len(spans),
            "reviewed_spans": sum(1 for s in spans if s["reviewed"]),
            "unreviewed_spans": sum(1 for s in spans if not s["reviewed"]),
            "reviewed_lines": sum(s["lines"] for s in spans if s["reviewed"]),
            "findings_in_ai_code": len(ai_findings),
            "findings_in_unreviewed_ai_code": sum(1 for s, _ in ai_findings if not s["reviewed"]),
        },
        "files": files,
        "timeline": _timeline(spans, total_lines),
        "findings_by_family": {family: dict(counts) for family, counts in sorted(by_family.items())},
        "oldest_unreviewed": unreviewed[:OLDEST_SHOWN],
        "warnings": list(prov.warnings),
        "errors": list(prov.errors),
    }


def _file_entry(
    prov: Provenance, key: str, config: Config, severity: dict[str, str], docs: dict[str, str]
) -> Optional[dict]:
    path = prov.on_disk(key)
    if path is None:
        return None
    entry = {
        "path": key,
        "exists": path.is_file(),
        "lines": 0,
        "ai_lines": 0,
        "ai_share": 0.0,
        "records": len(prov.trace_ranges(key)),
        "spans": [],
    }
    if not entry["exists"]:
        return entry
    try:
        lines = ledger_lines(path, config["max-file-size"])
    except SourceError as error:
        entry["error"] = str(error)
        return entry
    prov.open_file(path, lines)
    findings = []
    if is_python(path) or is_notebook(path):
        result = scan_file(path, key, config, honoured=honoured_filter(prov, path, config["max-file-size"]))
        findings = in_code(result.findings)
        prov.annotate(path, findings)
    covered: set[int] = set()
    for span in prov.spans(path):
        covered.update(range(span.start_line, span.end_line))
        inside = findings_in(span, findings)
        entry["spans"].append(
            {
                "start_line": span.start_line + 1,
                "end_line": span.end_line,
                "lines": span.end_line - span.start_line,
                "origin": span.origin,
                "tool": span.tool,
                "model_id": span.model_id,
                "timestamp": span.timestamp,
                "inferred": span.inferred,
                "reviewed": span.reviewed,
                "reviewer": span.reviewer,
                "reviewed_at": span.reviewed_at,
                "record_id": span.record_id,
                "findings": [
                    {
                        "rule": f.rule_id,
                        "severity": f.severity or severity.get(f.rule_id, ""),
                        "line": f.span.start_line + 1,
                        "message": f.message,
                        "family": family_of(f.rule_id),
                        "url": docs.get(f.rule_id, ""),
                    }
                    for f in inside
                ],
            }
        )
    prov.close_file(path)
    entry["lines"] = len(lines) - (1 if lines and lines[-1] == "" else 0)
    entry["ai_lines"] = len(covered)
    entry["ai_share"] = round(len(covered) / entry["lines"], 4) if entry["lines"] else 0.0
    return entry


def _timeline(spans: list[dict], total_lines: int) -> list[dict]:
    """AI lines still present, by the day they were inserted, and their running share of today's code."""
    per_day: Counter = Counter()
    for span in spans:
        per_day[(span["timestamp"] or "unknown")[:10]] += span["lines"]
    running, out = 0, []
    for day in sorted(per_day):
        running += per_day[day]
        out.append(
            {
                "day": day,
                "ai_lines": per_day[day],
                "cumulative_ai_lines": running,
                "cumulative_share": round(running / total_lines, 4) if total_lines else 0.0,
            }
        )
    return out


def text_lines(inventory: dict) -> list[str]:
    out = []
    for entry in inventory["files"]:
        if not entry["exists"]:
            out.append(f"{entry['path']}: missing ({counted(entry['records'], 'record')} in the ledger)")
            continue
        spans = entry["spans"]
        reviewed = sum(1 for s in spans if s["reviewed"])
        out.append(
            f"{entry['path']}: {entry['ai_lines']} of {entry['lines']} lines AI-written ({entry['ai_share']:.0%}), "
            f"{counted(len(spans), 'span')}, {reviewed} reviewed"
        )
        for span in spans:
            source = "; ".join(
                x
                for x in (
                    f"via {span['tool']}" if span["tool"] != span["origin"] else "",
                    span["model_id"],
                    "inferred from a bulk insertion" if span["inferred"] else "",
                )
                if x
            )
            state = f"reviewed by {span['reviewer']}" if span["reviewed"] else "NOT REVIEWED"
            when = span["timestamp"][:16].replace("T", " ") if span["timestamp"] else "unknown time"
            out.append(
                f"  lines {span['start_line']}-{span['end_line']}: {span['origin']}"
                f"{f' ({source})' if source else ''}, {when}, {state}"
            )
            for finding in span["findings"]:
                out.append(
                    f"    line {finding['line']}: {finding['rule']} [{finding['severity']}] {finding['message']}"
                )
    s = inventory["summary"]
    out.append(
        f"{counted(s['files_with_ai_code'], 'file')} with AI code: "
        f"{s['ai_lines']} of {s['total_lines']} lines ({s['ai_share']:.1%}) in {counted(s['spans'], 'span')}, "
        f"{s['reviewed_spans']} reviewed; {counted(s['findings_in_ai_code'], 'finding')} "
        f"in AI code, {s['findings_in_unreviewed_ai_code']} unreviewed."
    )
    return out
