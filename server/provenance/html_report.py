"""`tabguard inventory --format html`: one self-contained page for a security lead.

No scripts and no external assets: inline CSS and inline SVG charts, so the page opens offline and
can be attached to a ticket. Headline numbers carry `data-figure` attributes (tests read them).
Paths are workspace-relative: the page is shared, and the reader's disk is not the author's.
"""

from __future__ import annotations

from html import escape

from tabguard.engine.grades import SEVERITIES
from tabguard.rules import FAMILIES

AI, HUMAN, REVIEWED, UNREVIEWED = "#7c3aed", "#e5e7eb", "#16a34a", "#dc2626"
MAX_FILES = 30

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:1100px;color:#111827;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #e5e7eb;padding-bottom:.3rem}
.muted{color:#6b7280}.cards{display:flex;flex-wrap:wrap;gap:.8rem;margin:1rem 0}
.card{border:1px solid #e5e7eb;border-radius:8px;padding:.7rem 1rem;min-width:150px}
.card b{display:block;font-size:1.5rem}.bad b{color:#dc2626}.good b{color:#16a34a}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #f3f4f6;vertical-align:top}
th{background:#f9fafb}code{font-size:.9em}svg text{font:12px system-ui,sans-serif;fill:#111827}
.legend span{display:inline-block;margin-right:1rem}.swatch{display:inline-block;width:.8em;height:.8em;margin-right:.3em;vertical-align:-.05em}
"""


def render(inventory: dict) -> str:
    s = inventory["summary"]
    spans = [{"path": f["path"], **span} for f in inventory["files"] for span in f["spans"]]
    parts = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        (f"<title>tabguard AI code inventory: {escape(inventory['scope'])}</title><style>{_CSS}</style></head><body>"),
        "<h1>AI-written code inventory</h1>",
        (
            f'<p class="muted">workspace <code>{escape(inventory["workspace"])}</code> &middot; scope <code>{escape(inventory["scope"])}</code> '
            f"&middot; generated {escape(inventory['generated'])} by tabguard</p>"
        ),
        '<div class="cards">',
        _card("AI-written lines", f"{s['ai_lines']} / {s['total_lines']}", "ai_lines", s["ai_lines"]),
        _card("AI share of code", f"{s['ai_share']:.1%}", "ai_share", s["ai_share"]),
        _card("AI spans", str(s["spans"]), "spans", s["spans"]),
        _card("Reviewed spans", str(s["reviewed_spans"]), "reviewed_spans", s["reviewed_spans"], "good"),
        _count_card("Unreviewed spans", s, "unreviewed_spans"),
        _count_card("Findings in AI code", s, "findings_in_ai_code"),
        _count_card("of them in unreviewed spans", s, "findings_in_unreviewed_ai_code"),
        "</div>",
        "<h2>Review coverage</h2>",
        _coverage(s),
        "<h2>Share of AI-written lines per file</h2>",
        _files_chart(inventory["files"]),
        "<h2>AI-written lines over time</h2>",
        _timeline_chart(inventory["timeline"]),
        "<h2>Findings in AI-written code, by mechanism and severity</h2>",
        _findings_chart(inventory["findings_by_family"]),
        '<h2 id="findings">Findings in AI-written code</h2>',
        _findings_table(spans),
        "<h2>Oldest unreviewed spans</h2>",
        _oldest(inventory["oldest_unreviewed"]),
        '<h2 id="audit">Audit trail: reviews</h2>',
        _audit_trail(spans),
    ]
    for heading, messages in (
        ("Ledger files refused", inventory["errors"]),
        ("Ledger warnings", inventory["warnings"]),
    ):
        if messages:
            parts.append(f"<h2>{heading}</h2><ul>")
            parts.extend(f"<li>{escape(_relative(m, inventory['root']))}</li>" for m in messages)
            parts.append("</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _count_card(label: str, summary: dict, key: str) -> str:
    """A count that is bad when it is not zero."""
    return _card(label, str(summary[key]), key, summary[key], "bad" if summary[key] else "good")


def _card(label: str, shown: str, key: str, value, tone: str = "") -> str:
    return (
        f'<div class="card {tone}"><b data-figure="{key}" data-value="{value}">{escape(shown)}</b>'
        f'<span class="muted">{escape(label)}</span></div>'
    )


def _svg(width: int, height: int, body: list[str], label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">' + "".join(body) + "</svg>"
    )


def _empty(text: str) -> str:
    return f'<p class="muted">{escape(text)}</p>'


def _coverage(s: dict) -> str:
    total = s["spans"]
    if not total:
        return _empty("No AI-inserted spans in scope.")
    width, bar = 760, 700
    reviewed = round(bar * s["reviewed_spans"] / total)
    body = [
        f'<rect x="0" y="10" width="{reviewed}" height="28" fill="{REVIEWED}"/>',
        f'<rect x="{reviewed}" y="10" width="{bar - reviewed}" height="28" fill="{UNREVIEWED}"/>',
        (
            f'<text x="0" y="58">{s["reviewed_spans"]} of {total} spans reviewed '
            f"({s['reviewed_spans'] / total:.0%}); {s['reviewed_lines']} of {s['ai_lines']} AI lines</text>"
        ),
    ]
    return _svg(width, 66, body, "review coverage") + _legend([(REVIEWED, "reviewed"), (UNREVIEWED, "not reviewed")])


def _files_chart(files: list[dict]) -> str:
    shown = sorted((f for f in files if f["exists"] and f["lines"]), key=lambda f: (-f["ai_share"], f["path"]))[
        :MAX_FILES
    ]
    if not shown:
        return _empty("No files with AI-inserted code in scope.")
    label_w, bar, row = 330, 380, 24
    body = []
    for i, f in enumerate(shown):
        y = i * row
        ai = round(bar * f["ai_share"])
        name = f["path"] if len(f["path"]) <= 48 else "…" + f["path"][-47:]
        body += [
            f'<text x="0" y="{y + 16}">{escape(name)}</text>',
            f'<rect x="{label_w}" y="{y + 4}" width="{bar}" height="16" fill="{HUMAN}"/>',
            f'<rect x="{label_w}" y="{y + 4}" width="{ai}" height="16" fill="{AI}"/>',
            f'<text x="{label_w + bar + 8}" y="{y + 16}">{f["ai_lines"]}/{f["lines"]} ({f["ai_share"]:.0%})</text>',
        ]
    more = len([f for f in files if f["exists"] and f["lines"]]) - len(shown)
    note = _empty(f"and {more} more files") if more > 0 else ""
    return _svg(label_w + bar + 120, row * len(shown) + 4, body, "AI share per file") + note


def _timeline_chart(timeline: list[dict]) -> str:
    if not timeline:
        return _empty("No dated AI spans.")
    if len(timeline) < 2:
        # One bar and a one-point "trend" read as a chart of growth; there is no history yet.
        day = timeline[0]
        return _empty(
            f"Not enough history for a chart: all {day['ai_lines']} AI lines still present were inserted on "
            f"{day['day']} ({day['cumulative_share']:.1%} of the code). The chart appears from the second day."
        )
    width, height, left, bottom = 760, 220, 40, 40
    plot_w, plot_h = width - left - 50, height - bottom - 10
    peak = max(d["ai_lines"] for d in timeline) or 1
    step = plot_w / len(timeline)
    body = [
        f'<line x1="{left}" y1="{10 + plot_h}" x2="{left + plot_w}" y2="{10 + plot_h}" stroke="#9ca3af"/>',
        f'<text x="0" y="18">{peak}</text>',
        f'<text x="{left + plot_w + 6}" y="18">100%</text>',
    ]
    points = []
    for i, day in enumerate(timeline):
        h = plot_h * day["ai_lines"] / peak
        x = left + i * step
        body.append(
            f'<rect x="{x + step * 0.15:.1f}" y="{10 + plot_h - h:.1f}" width="{step * 0.7:.1f}" '
            f'height="{h:.1f}" fill="{AI}"><title>{escape(day["day"])}: {day["ai_lines"]} lines</title></rect>'
        )
        points.append(f"{x + step / 2:.1f},{10 + plot_h * (1 - day['cumulative_share']):.1f}")
        if len(timeline) <= 12 or i % max(1, len(timeline) // 8) == 0:
            body.append(
                f'<text x="{x + step / 2:.1f}" y="{height - 18}" text-anchor="middle">{escape(day["day"])}</text>'
            )
    body.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="#111827" stroke-width="2"/>')
    return _svg(width, height, body, "AI lines over time") + _legend(
        [(AI, "AI lines inserted that day (still present)"), ("#111827", "running share of today's code (right axis)")]
    )


def _findings_chart(by_family: dict[str, dict[str, int]]) -> str:
    if not by_family:
        return _empty("No findings inside AI-written code.")
    total = sum(sum(counts.values()) for counts in by_family.values())
    label_w, bar, row = 260, 420, 26
    peak = max(sum(c.values()) for c in by_family.values())
    body = []
    for i, (family, counts) in enumerate(sorted(by_family.items(), key=lambda kv: -sum(kv[1].values()))):
        y, x = i * row, label_w
        title = FAMILIES[family][1].split(":")[0].split(",")[0] if family in FAMILIES else family
        body.append(f'<text x="0" y="{y + 17}">{escape(title)}</text>')
        for severity in reversed(SEVERITIES):
            n = counts.get(severity.name, 0)
            if n:
                w = bar * n / peak
                body.append(
                    f'<rect x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="18" fill="{severity.chart}">'
                    f"<title>{n} {severity.name}</title></rect>"
                )
                x += w
        body.append(f'<text x="{x + 6:.1f}" y="{y + 17}">{sum(counts.values())}</text>')
    return (
        _empty(
            f"All {total} findings in AI-written code, reviewed spans included (the cards above say how many "
            "sit in unreviewed spans)."
        )
        + _svg(label_w + bar + 60, row * len(by_family) + 4, body, "findings by mechanism and severity")
        + _legend([(s.chart, s.name) for s in reversed(SEVERITIES)])
    )


def _findings_table(spans: list[dict]) -> str:
    found = sorted(((s, f) for s in spans for f in s["findings"]), key=lambda sf: (sf[0]["path"], sf[1]["line"]))
    if not found:
        return _empty("No findings inside AI-written code.")
    rows = ["<table><tr><th>Where</th><th>Rule</th><th>Severity</th><th>Message</th><th>Span</th></tr>"]
    for span, f in found:
        rule = f'<a href="{escape(f["url"])}">{escape(f["rule"])}</a>' if f.get("url") else escape(f["rule"])
        state = f"reviewed by {span['reviewer']}" if span["reviewed"] else "not reviewed"
        rows.append(
            f"<tr><td><code>{escape(span['path'])}:{f['line']}</code></td><td>{rule}</td>"
            f"<td>{escape(f['severity'])}</td><td>{escape(f['message'])}</td><td>{escape(state)}</td></tr>"
        )
    rows.append("</table>")
    return "".join(rows)


def _audit_trail(spans: list[dict]) -> str:
    reviewed = sorted((s for s in spans if s["reviewed"]), key=lambda s: s.get("reviewed_at") or "", reverse=True)
    if not reviewed:
        return _empty("No span has been reviewed yet.")
    rows = ["<table><tr><th>Reviewed</th><th>Reviewer</th><th>Span</th><th>Inserted</th><th>Origin</th></tr>"]
    for s in reviewed:
        rows.append(
            f"<tr><td>{escape(_when(s.get('reviewed_at')))}</td><td>{escape(s['reviewer'] or 'unknown')}</td>"
            f"<td><code>{escape(s['path'])}:{s['start_line']}-{s['end_line']}</code></td>"
            f"<td>{escape(_when(s['timestamp']))}</td><td>{escape(s['origin'])}</td></tr>"
        )
    rows.append("</table>")
    return "".join(rows)


def _when(timestamp) -> str:
    return (timestamp or "")[:16].replace("T", " ") or "unknown"


def _relative(message: str, root: str) -> str:
    """A ledger message with the workspace's absolute path taken out."""
    return message.replace(root.rstrip("/") + "/", "").replace(root, ".")


def _oldest(spans: list[dict]) -> str:
    if not spans:
        return _empty("Every AI-inserted span has been reviewed.")
    rows = ["<table><tr><th>Where</th><th>Inserted</th><th>Origin</th><th>Model</th><th>Findings inside</th></tr>"]
    for s in spans:
        findings = ", ".join(f"{f['rule']} ({f['severity']}) line {f['line']}" for f in s["findings"]) or "none"
        rows.append(
            f"<tr><td><code>{escape(s['path'])}:{s['start_line']}-{s['end_line']}</code></td>"
            f"<td>{escape(_when(s['timestamp']))}</td><td>{escape(s['origin'])}</td>"
            f"<td>{escape(s['model_id'] or '')}</td><td>{escape(findings)}</td></tr>"
        )
    rows.append("</table>")
    return "".join(rows)


def _legend(items: list[tuple[str, str]]) -> str:
    return (
        '<p class="legend">'
        + "".join(
            f'<span><i class="swatch" style="background:{colour}"></i>{escape(text)}</span>' for colour, text in items
        )
        + "</p>"
    )
