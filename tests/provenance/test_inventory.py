"""`tabguard inventory`: text, JSON and the self-contained HTML page (rendered in headless Chromium)."""

import json
import re
import shutil
import struct
import subprocess
import zlib

import pytest
from provenance_helpers import append_raw, foreign_record, write
from tabguard.cli import main
from tabguard.provenance import Provenance
from tabguard.rules import all_rules

VIEWS = """\
import pickle
import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.route("/run")
def run():
    cmd = request.args.get("cmd")
    return subprocess.check_output(cmd, shell=True)


@app.route("/load")
def load():
    return pickle.loads(request.data)


def helper():
    return 42
"""


@pytest.fixture
def workspace(tmp_path):
    views = tmp_path / "app" / "views.py"
    lines = write(views, VIEWS)
    prov = Provenance(tmp_path)
    prov.record_accept(views, lines, 9, 12, "copilot", False, "openai/gpt-4o")
    prov.record_accept(views, lines, 14, 17, "chat-paste", False)
    prov.mark_reviewed(views, lines, 14, 17, "Ada")
    util = tmp_path / "app" / "util.py"
    write(util, "def add(a, b):\n    return a + b\n")
    append_raw(tmp_path, json.dumps(foreign_record("app/util.py", 1, 2, timestamp="2026-01-02T08:00:00Z")) + "\n")
    append_raw(tmp_path, json.dumps(foreign_record("app/gone.py", 1, 3)) + "\n")
    return tmp_path


def _json(capsys, *args):
    assert main(["inventory", "--format", "json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_inventory_lists_spans_reviews_and_findings_inside(workspace, capsys):
    data = _json(capsys, str(workspace))
    files = {f["path"]: f for f in data["files"]}
    assert set(files) == {"app/views.py", "app/util.py", "app/gone.py"}
    assert files["app/gone.py"]["exists"] is False and files["app/gone.py"]["spans"] == []
    views = files["app/views.py"]
    assert [(s["start_line"], s["end_line"], s["origin"], s["reviewed"], s["reviewer"]) for s in views["spans"]] == [
        (10, 12, "copilot", False, None),
        (15, 17, "chat-paste", True, "Ada"),
    ]
    assert views["spans"][0]["model_id"] == "openai/gpt-4o"
    assert [f["rule"] for f in views["spans"][0]["findings"]] == ["TG100"]
    assert views["spans"][0]["findings"][0]["family"] == "injection"
    assert [f["line"] for f in views["spans"][1]["findings"]] == [17]
    util = files["app/util.py"]
    assert util["spans"][0]["tool"] == "cursor" and util["ai_lines"] == 2 and util["lines"] == 2
    summary = data["summary"]
    assert summary["spans"] == 3 and summary["reviewed_spans"] == 1 and summary["unreviewed_spans"] == 2
    assert summary["ai_lines"] == 3 + 3 + 2 and summary["total_lines"] == views["lines"] + 2
    assert summary["findings_in_ai_code"] == 2 and summary["findings_in_unreviewed_ai_code"] == 1
    assert data["oldest_unreviewed"][0]["path"] == "app/util.py"
    assert data["timeline"][0]["day"] == "2026-01-02"


def test_inventory_of_one_file(workspace, capsys):
    data = _json(capsys, str(workspace / "app" / "util.py"))
    assert [f["path"] for f in data["files"]] == ["app/util.py"]


def test_text_inventory(workspace, capsys):
    assert main(["inventory", str(workspace)]) == 0
    out = capsys.readouterr().out
    assert "app/views.py: 6 of 21 lines AI-written (29%), 2 spans, 1 reviewed" in out
    assert "lines 10-12: copilot (via tabguard; openai/gpt-4o)" in out and "NOT REVIEWED" in out
    assert "reviewed by Ada" in out
    assert "line 12: TG100" in out
    assert "app/gone.py: missing (1 record in the ledger)" in out


def test_html_is_self_contained(workspace, capsys, tmp_path):
    report = tmp_path / "report.html"
    assert main(["inventory", str(workspace), "--format", "html", "-o", str(report)]) == 0
    page = report.read_text()
    assert page.count("<svg") >= 4
    # no scripts and no external assets; links to the rules' documentation are plain hyperlinks
    assert "<script" not in page and "<link" not in page and not re.search(r"""(src|url)\(?=?["']?(https?:)?//""", page)
    assert set(re.findall(r"""<a href="([^"]*)""", page)) <= {r.doc_url() for r in all_rules()}


def _png_pixels(data: bytes):
    """RGB(A) pixels of an 8-bit PNG (what Chromium writes), decoded with the standard library."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert depth == 8 and colour in (2, 6)
    channels = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(idat), width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append(bytes(line))
        previous = line
    return [tuple(row[x : x + 3]) for row in rows for x in range(0, stride, channels)]


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.tooling
@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed")
def test_html_renders_in_chromium_with_the_json_figures(workspace, capsys, tmp_path):
    data = _json(capsys, str(workspace))
    report = tmp_path / "report.html"
    assert main(["inventory", str(workspace), "--format", "html", "-o", str(report)]) == 0
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    shot = tmp_path / "shot.png"
    subprocess.run(
        [CHROMIUM, *flags, "--window-size=1000,1400", f"--screenshot={shot}", report.as_uri()],
        capture_output=True,
        timeout=120,
        check=False,
    )
    pixels = _png_pixels(shot.read_bytes())
    assert len(set(pixels)) > 20, "the screenshot is blank"
    assert sum(1 for p in pixels if p != (255, 255, 255)) > len(pixels) // 50
    assert any(abs(p[0] - 0x7C) < 8 and abs(p[1] - 0x3A) < 8 and abs(p[2] - 0xED) < 8 for p in pixels), (
        "no AI bar drawn"
    )
    dom = subprocess.run(
        [CHROMIUM, *flags, "--dump-dom", report.as_uri()], capture_output=True, text=True, timeout=120, check=False
    ).stdout
    figures = dict(re.findall(r'data-figure="(\w+)" data-value="([^"]*)"', dom))
    summary = data["summary"]
    assert figures["ai_lines"] == str(summary["ai_lines"])
    assert figures["spans"] == str(summary["spans"])
    assert figures["reviewed_spans"] == str(summary["reviewed_spans"])
    assert figures["unreviewed_spans"] == str(summary["unreviewed_spans"])
    assert figures["findings_in_unreviewed_ai_code"] == str(summary["findings_in_unreviewed_ai_code"])
    assert float(figures["ai_share"]) == summary["ai_share"]
    assert f"{summary['reviewed_spans']} of {summary['spans']} spans reviewed" in dom
    for entry in data["files"]:
        if entry["spans"]:
            assert f"{entry['ai_lines']}/{entry['lines']}" in dom


def _playwright_missing() -> str:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright not installed (pip install playwright)"
    return ""


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (apt-get install chromium)")
@pytest.mark.skipif(bool(_playwright_missing()), reason=_playwright_missing() or "-")
def test_html_shows_messages_links_audit_trail_and_no_one_day_chart(tmp_path, capsys):
    # Before: rule ids without messages or links, no reviews, a one-bar "over time" chart, a findings card (1)
    # that disagreed with the chart (2), and the workspace's absolute path in the header.
    from playwright.sync_api import sync_playwright

    views = tmp_path / "shop" / "views.py"
    lines = write(views, VIEWS)
    prov = Provenance(tmp_path)
    prov.record_accept(views, lines, 9, 12, "copilot", False, "openai/gpt-4o")
    prov.record_accept(views, lines, 14, 17, "chat-paste", False)
    prov.mark_reviewed(views, lines, 14, 17, "Ada")
    data = _json(capsys, str(tmp_path))
    report = tmp_path / "report.html"
    assert main(["inventory", str(tmp_path), "--format", "html", "-o", str(report)]) == 0
    findings = [(s, f) for s in data["files"][0]["spans"] for f in s["findings"]]
    assert len(findings) == 2
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(report.as_uri())
            text = page.inner_text("body")
            table = page.locator("h2#findings + table")
            rows = table.locator("tr").all_inner_texts()[1:]
            links = {a.inner_text(): a.get_attribute("href") for a in table.locator("a").all()}
            audit = page.locator("h2#audit + table").locator("tr").all_inner_texts()[1:]
            card = page.locator("[data-figure=findings_in_ai_code]").inner_text()
            unreviewed = page.locator("[data-figure=findings_in_unreviewed_ai_code]").inner_text()
            timeline_svg = page.locator("svg[aria-label='AI lines over time']").count()
        finally:
            browser.close()
    for _span, finding in findings:
        assert finding["message"] in text
        assert any(f"shop/views.py:{finding['line']}" in row and finding["rule"] in row for row in rows)
        assert links[finding["rule"]].endswith(f"docs/rules/{finding['rule']}.md")
    assert (card, unreviewed) == ("2", "1") and len(rows) == 2
    assert "All 2 findings in AI-written code, reviewed spans included" in text
    reviewed = next(s for s in data["files"][0]["spans"] if s["reviewed"])
    assert len(audit) == 1 and "Ada" in audit[0] and "shop/views.py:15-17" in audit[0]
    assert reviewed["reviewed_at"][:16].replace("T", " ") in audit[0]
    assert timeline_svg == 0 and "Not enough history for a chart" in text
    assert str(tmp_path) not in report.read_text() and f"workspace {tmp_path.name}" in text


def test_building_an_inventory_leaves_live_spans_of_open_files_alone(workspace):
    from tabguard.config import load_config
    from tabguard.provenance import inventory

    views = workspace / "app" / "views.py"
    prov = Provenance(workspace)
    lines = views.read_text().split("\n")
    prov.open_file(views, lines)
    edited = ["# unsaved", *lines]
    prov.apply_edit(views, 0, 0, 2, edited)
    before = [(s.start_line, s.end_line) for s in prov.spans(views)]
    data = inventory.build(prov, workspace, load_config(workspace))
    assert [(s["start_line"], s["end_line"]) for s in data["files"][-1]["spans"]] == [(10, 12), (15, 17)]
    assert [(s.start_line, s.end_line) for s in prov.spans(views)] == before == [(10, 13), (15, 18)]
