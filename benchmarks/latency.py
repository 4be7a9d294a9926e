"""Accept-to-diagnostics latency over stdio, as an editor sees it (prints figures; not a test).

For generated modules of 500 / 2,000 / 10,000 / 50,000 lines (realistic code with some existing flaws
and non-ASCII text) it measures, per server:
  insert: didChange inserting a 25-35 line snippet with several flaws -> publishDiagnostics for that version
  delete: the matching delete -> publishDiagnostics
  typing: catch-up after 200 single-keystroke didChanges sent back to back (last send -> final version)
  rss:    server resident memory after the run
Runs `tabguard lsp` and, when installed, `ruff server` with the S rules, side by side.
Then a notebook of 200 code cells (the same code, one function or class a cell, a few IPython magics)
over LSP notebook sync: the snippet accepted into a cell in the middle (didChange of that cell's text)
-> publishDiagnostics for that cell, then deleted; tabguard only.

    python benchmarks/latency.py [--sizes 500,2000,10000,50000] [--rounds 30] [--no-ruff] [--cross-file]
                                 [--notebook-cells 200 (0: none)]

--cross-file puts the module in a workspace with a helper module it imports, and the snippet calls
the helpers with request data: each accept's analysis asks the workspace index for their summaries.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lspclient import Client, environment  # noqa: E402

SNIPPET = '''
@app.route("/reports/<report_id>")
def download_report(report_id):
    """Return a report; écrit par l'assistant."""
    fmt = request.args.get("format", "csv")
    conn = sqlite3.connect(DB_PATH)
    cur = conn.cursor()
    cur.execute(f"SELECT path, owner FROM reports WHERE id = {report_id}")
    row = cur.fetchone()
    if row is None:
        return {"error": "not found"}, 404
    path, owner = row
    subprocess.run(f"convert {path} /tmp/out.{fmt}", shell=True)
    settings = yaml.load(open("settings.yml"))
    upstream = requests.get(settings["mirror"] + path, verify=False)
    total = eval(request.args.get("expr", "0"))
    data = {
        "owner": owner,
        "size": len(upstream.content),
        "total": total,
        "format": fmt,
    }
    for key in sorted(data):
        if data[key] is None:
            data[key] = ""
    log.info("report %s served", report_id)
    return data
'''.lstrip("\n")

HEADER = '''"""Billing service — generated benchmark module (données réalistes, 中文 comments)."""
import json
import logging
import os
import sqlite3
import subprocess

import requests
import yaml
from flask import Flask, request

app = Flask(__name__)
log = logging.getLogger(__name__)
DB_PATH = os.environ.get("DB_PATH", "app.db")
RATE = 0.2
'''

FUNCTION = '''

def compute_{n}(items, discount=0):
    """Sum the line items of invoice {n}; montant en €."""
    total = 0
    for item in items:
        price = item.get("price", 0)
        qty = item.get("qty", 1)
        if qty <= 0:
            continue
        total += price * qty
    if discount:
        total -= total * discount / 100
    record = {{"invoice": {n}, "total": round(total, 2), "tax": round(total * RATE, 2)}}
    log.debug("computed %s", json.dumps(record))
    return record
'''

CLASS = '''

class Account{n}:
    """A customer account (ünïcode-safe names)."""

    def __init__(self, name, balance=0):
        self.name = name
        self.balance = balance

    def deposit(self, amount):
        if amount <= 0:
            raise ValueError("amount must be positive")
        self.balance += amount
        return self.balance

    def describe(self):
        return f"{{self.name}}: {{self.balance:.2f}}"
'''

# --cross-file: the helpers module beside the benchmark module, its import, and calls in the snippet.
HELPERS = """import os
import sqlite3


def lookup(name):
    conn = sqlite3.connect("app.db")
    return conn.execute("SELECT * FROM reports WHERE name = '%s'" % name).fetchall()


def archive(path):
    os.system("tar czf /tmp/archive.tgz " + path)


def normalise(value):
    return value.strip().lower()
"""
HELPERS_IMPORT = "from helpers import archive, lookup, normalise\n"
SNIPPET_CALLS = """    name = normalise(request.args.get("name", ""))
    rows = lookup(name)
    archive(request.args.get("dir", "/tmp"))
"""

FLAW = """

def sync_{n}(url):
    return requests.get(url, verify=False, timeout=5)
"""


def generate(lines: int, cross_file: bool = False) -> str:
    parts = [HEADER + (HELPERS_IMPORT if cross_file else "")]
    count = HEADER.count("\n")
    n = 0
    rng = random.Random(lines)
    while count < lines:
        n += 1
        piece = FUNCTION if n % 4 else CLASS
        if n % 25 == 0:
            piece = FLAW
        text = piece.format(n=n)
        parts.append(text)
        count += text.count("\n")
    del rng
    return "".join(parts)


def block_boundary(text: str) -> int:
    """A line in the middle of the file where a top-level def starts (where a snippet is pasted)."""
    lines = text.split("\n")
    middle = len(lines) // 2
    for i in range(middle, len(lines)):
        if lines[i].startswith("def "):
            return i
    return middle


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(p / 100 * (len(values) - 1)))))
    return values[k]


def _figures(open_ms: float, inserts: list, deletes: list, rss, found, **more) -> dict:
    """One run's row: open time, insert/delete p50 and p95, memory, findings in the snippet."""
    return {
        "open": open_ms,
        "insert_p50": statistics.median(inserts),
        "insert_p95": percentile(inserts, 95),
        "delete_p50": statistics.median(deletes),
        "delete_p95": percentile(deletes, 95),
        **more,
        "rss": rss,
        "in_snippet": found,
    }


def run_server(
    name: str, command: list[str], text: str, rounds: int, workdir: Path, init_options=None, snippet: str = SNIPPET
) -> dict:
    path = workdir / f"module_{name}.py"
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    client = Client(command, cwd=str(workdir), env=environment())
    client.request(
        "initialize",
        {
            "processId": None,
            "rootUri": workdir.as_uri(),
            "capabilities": {
                "general": {"positionEncodings": ["utf-16"]},
                "textDocument": {"publishDiagnostics": {"versionSupport": True}},
            },
            "initializationOptions": init_options or {},
        },
    )
    client.notify("initialized", {})
    version = 1

    def published(v):
        return lambda b: (
            b.get("method") == "textDocument/publishDiagnostics"
            and b["params"]["uri"] == uri
            and b["params"].get("version", v) == v
        )

    mark = client.mark()
    sent = client.notify(
        "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": version, "text": text}}
    )
    stamp, _ = client.wait_notification(published(version), mark, timeout=300)
    open_ms = (stamp - sent) * 1000
    at = block_boundary(text)
    snippet_lines = snippet.count("\n")
    inserts, deletes = [], []
    found = 0
    for _ in range(rounds):
        version += 1
        mark = client.mark()
        sent = client.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [
                    {
                        "range": {"start": {"line": at, "character": 0}, "end": {"line": at, "character": 0}},
                        "text": snippet,
                    }
                ],
            },
        )
        stamp, body = client.wait_notification(published(version), mark)
        inserts.append((stamp - sent) * 1000)
        found = sum(1 for d in body["params"]["diagnostics"] if at <= d["range"]["start"]["line"] < at + snippet_lines)
        version += 1
        mark = client.mark()
        sent = client.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [
                    {
                        "range": {
                            "start": {"line": at, "character": 0},
                            "end": {"line": at + snippet_lines, "character": 0},
                        },
                        "text": "",
                    }
                ],
            },
        )
        stamp, _ = client.wait_notification(published(version), mark)
        deletes.append((stamp - sent) * 1000)
    # 200 keystrokes typed into a function body, sent back to back.
    line = at + 3
    mark = client.mark()
    word = "total_amount = compute_value(items) + 1 "
    for i in range(200):
        version += 1
        client.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [
                    {
                        "range": {
                            "start": {"line": line, "character": 4 + i},
                            "end": {"line": line, "character": 4 + i},
                        },
                        "text": word[i % len(word)],
                    }
                ],
            },
        )
    last_sent = time.perf_counter()
    stamp, _ = client.wait_notification(published(version), mark, timeout=300)
    typing_ms = (stamp - last_sent) * 1000
    rss = client.rss_mb()
    client.close()
    return _figures(open_ms, inserts, deletes, rss, found, typing=typing_ms)


def notebook_cells(count: int) -> list[str]:
    """`count` code cells: the header's imports first, then one function or class a cell, as
    `generate` writes them, every tenth cell starting with a magic."""
    cells = [HEADER]
    n = 0
    while len(cells) < count:
        n += 1
        piece = (FUNCTION if n % 4 else CLASS) if n % 25 else FLAW
        text = piece.format(n=n).strip("\n") + "\n"
        cells.append(("%time\n" if n % 10 == 0 else "") + text)
    return cells


def run_notebook(command: list[str], cells: list[str], rounds: int, workdir: Path, snippet: str = SNIPPET) -> dict:
    """Open a notebook over LSP notebook sync, then accept `snippet` into its middle cell and delete
    it again, `rounds` times: milliseconds from each didChange to that cell's publishDiagnostics."""
    uri = (workdir / "notebook.ipynb").as_uri()
    cell_uris = [
        f"vscode-notebook-cell:{workdir.as_posix()}/notebook.ipynb#W{k}sZmlsZQ%3D%3D" for k in range(len(cells))
    ]
    client = Client(command, cwd=str(workdir), env=environment())
    client.request(
        "initialize",
        {
            "processId": None,
            "rootUri": workdir.as_uri(),
            "capabilities": {"general": {"positionEncodings": ["utf-16"]}, "notebookDocument": {"synchronization": {}}},
        },
    )
    client.notify("initialized", {})

    def published(cell: str, v: int):
        return lambda b: (
            b.get("method") == "textDocument/publishDiagnostics"
            and b["params"]["uri"] == cell
            and b["params"].get("version") == v
        )

    mark = client.mark()
    sent = client.notify(
        "notebookDocument/didOpen",
        {
            "notebookDocument": {
                "uri": uri,
                "notebookType": "jupyter-notebook",
                "version": 0,
                "cells": [{"kind": 2, "document": c} for c in cell_uris],
            },
            "cellTextDocuments": [
                {"uri": c, "languageId": "python", "version": 1, "text": t} for c, t in zip(cell_uris, cells)
            ],
        },
    )
    stamp, _ = client.wait_notification(published(cell_uris[-1], 1), mark, timeout=300)
    open_ms = (stamp - sent) * 1000
    target = cell_uris[len(cells) // 2]
    version, notebook_version = 1, 0
    snippet_lines = snippet.count("\n")
    inserts, deletes = [], []
    found = 0
    for _ in range(rounds):
        for text, end_line, times in ((snippet, 0, inserts), ("", snippet_lines, deletes)):
            version += 1
            notebook_version += 1
            mark = client.mark()
            sent = client.notify(
                "notebookDocument/didChange",
                {
                    "notebookDocument": {"uri": uri, "version": notebook_version},
                    "change": {
                        "cells": {
                            "textContent": [
                                {
                                    "document": {"uri": target, "version": version},
                                    "changes": [
                                        {
                                            "range": {
                                                "start": {"line": 0, "character": 0},
                                                "end": {"line": end_line, "character": 0},
                                            },
                                            "text": text,
                                        }
                                    ],
                                }
                            ]
                        }
                    },
                },
            )
            stamp, body = client.wait_notification(published(target, version), mark)
            times.append((stamp - sent) * 1000)
            if text:
                found = sum(1 for d in body["params"]["diagnostics"] if d["range"]["start"]["line"] < snippet_lines)
    rss = client.rss_mb()
    client.close()
    return _figures(open_ms, inserts, deletes, rss, found)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="500,2000,10000,50000")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--no-ruff", action="store_true")
    parser.add_argument(
        "--cross-file", action="store_true", help="a helper module the benchmark module imports and calls"
    )
    parser.add_argument(
        "--notebook-cells", type=int, default=200, help="code cells of the notebook case (0: no notebook)"
    )
    args = parser.parse_args()
    snippet = SNIPPET.replace("    total = eval(", SNIPPET_CALLS + "    total = eval(") if args.cross_file else SNIPPET
    servers = [("tabguard", [sys.executable, "-m", "tabguard", "lsp"], None)]
    ruff = shutil.which("ruff")
    if ruff and not args.no_ruff:
        servers.append(("ruff-S", [ruff, "server"], {"settings": {"lint": {"select": ["S"]}}}))
    print(
        f"{'server':10} {'lines':>6} {'open ms':>8} {'ins p50':>8} {'ins p95':>8} {'del p50':>8} {'del p95':>8} {'typing ms':>9} {'RSS MB':>7} {'flags':>5}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            text = generate(size, args.cross_file)
            if args.cross_file:
                (Path(tmp) / "helpers.py").write_text(HELPERS, encoding="utf-8")
            for name, command, options in servers:
                try:
                    r = run_server(name, command, text, args.rounds, Path(tmp), options, snippet)
                except TimeoutError:
                    print(f"{name:10} {size:>6} timed out (fell behind)")
                    continue
                print(
                    f"{name:10} {size:>6} {r['open']:8.1f} {r['insert_p50']:8.2f} {r['insert_p95']:8.2f} {r['delete_p50']:8.2f} {r['delete_p95']:8.2f} {r['typing']:9.1f} {r['rss']:7.0f} {r['in_snippet']:5d}",
                    flush=True,
                )
        if args.notebook_cells:
            cells = notebook_cells(args.notebook_cells)
            r = run_notebook(servers[0][1], cells, args.rounds, Path(tmp))
            lines = sum(c.count("\n") for c in cells)
            print(f"\nnotebook: {len(cells)} code cells, {lines} lines; accept into cell {len(cells) // 2 + 1}")
            print(
                f"{'server':10} {'cells':>6} {'open ms':>8} {'ins p50':>8} {'ins p95':>8} {'del p50':>8} {'del p95':>8} {'RSS MB':>7} {'flags':>5}"
            )
            print(
                f"{'tabguard':10} {len(cells):>6} {r['open']:8.1f} {r['insert_p50']:8.2f} {r['insert_p95']:8.2f} {r['delete_p50']:8.2f} "
                f"{r['delete_p95']:8.2f} {r['rss']:7.0f} {r['in_snippet']:5d}",
                flush=True,
            )
    print("flags = diagnostics reported inside the inserted snippet")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
