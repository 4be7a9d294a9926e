"""Hover round trips on a small document while a pathological one is analysed (prints figures; not
a test). The issue's target: another document's hover is answered within 50 ms whatever is being
analysed. For each input: open it, then hover on the small document every 20 ms until the
pathological document's diagnostics arrive.

    python benchmarks/responsiveness.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from lspclient import Client, environment  # noqa: E402

SMALL = "import os\n\n\ndef run():\n    os.system(input())\n"
PATHOLOGICAL = {
    "deep expression (1,000 + terms)": (
        "deep.py",
        "import os\nx = " + " + ".join(["input()"] * 1000) + "\nos.system(x)\n",
    ),
    "huge single line (100 KB)": ("line.py", "x = [" + ",".join(str(i) for i in range(18_000)) + "]\n"),
    "huge single line (1 MB)": ("line.py", "x = [" + ",".join(str(i) for i in range(150_000)) + "]\n"),
    "large module (30,000 lines)": (
        "large.py",
        "".join(f"def f{i}(x):\n    return x + {i}\n\n" for i in range(10_000)),
    ),
    "13 MB requirements-dev.txt beside it": ("uses_deps.py", "import requests\nimport package_17\n"),
    # The backtracking-regex inputs (route paths, suppression comments).
    "FastAPI route of 15,000 `{a:`": (
        "api.py",
        'from fastapi import FastAPI\napp = FastAPI()\n\n\n@app.get("/'
        + "{a:" * 15_000
        + '")\ndef h():\n    return 1\n',
    ),
    "Flask route of 20,000 `<a`": (
        "web.py",
        'from flask import Flask\napp = Flask(__name__)\n\n\n@app.route("/'
        + "<a" * 20_000
        + '")\ndef h():\n    return 1\n',
    ),
    "10,000 `# tabguard: ignore[` on a line": (
        "ignored.py",
        "import os\nos.system(input())  " + "# tabguard: ignore[" * 10_000 + "\n",
    ),
}
# Known limits, measured but not asserted by the test: parsing one huge statement is a single call
# into CPython's parser, which holds the GIL for its whole duration (about 0.3 s per MB here), and so
# does publishing tens of thousands of findings on the event loop.
GIL_BOUND = {"huge single line (1 MB)"}


def requirements() -> str:
    """13 MB of pins, built when an input needs them (not when the tests import this module)."""
    return "".join(f"package-{i}=={i % 10}.{i % 7}.0\n" for i in range(600_000))


def hovers_during_analysis(client: Client, name: str) -> tuple[list[float], int]:
    """Round trips (s) of hovers on a small open document, sent every 20 ms while `name` is being
    analysed, and how many were answered before its diagnostics were published."""
    root = client.root
    small = (root / "small.py").as_uri()
    mark = client.mark()
    client.notify(
        "textDocument/didOpen", {"textDocument": {"uri": small, "languageId": "python", "version": 1, "text": SMALL}}
    )
    client.wait_notification(
        lambda b: b.get("method") == "textDocument/publishDiagnostics" and b["params"]["uri"] == small, mark
    )
    filename, text = PATHOLOGICAL[name]
    if filename == "uses_deps.py":
        (root / "requirements-dev.txt").write_text(requirements())
    uri = (root / filename).as_uri()
    mark = client.mark()
    client.notify(
        "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}
    )
    times, before = [], 0
    hover = {"textDocument": {"uri": small}, "position": {"line": 4, "character": 16}}
    while True:
        published = [
            b
            for _, b in client.notifications[mark:]
            if b.get("method") == "textDocument/publishDiagnostics" and b["params"]["uri"] == uri
        ]
        if published:
            break
        started = time.perf_counter()
        reply = client.call("textDocument/hover", hover, timeout=120)
        times.append(time.perf_counter() - started)
        assert reply.get("result") and "TG101" in reply["result"]["contents"]["value"], reply
        before += 1
        time.sleep(0.02)
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    return times, before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"{'input':40} {'hovers':>7} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}")
    for name in PATHOLOGICAL:
        times = []
        for _ in range(args.rounds):
            with tempfile.TemporaryDirectory() as tmp:
                client = Client([sys.executable, "-m", "tabguard", "lsp"], cwd=tmp, env=environment())
                client.request("initialize", {"processId": None, "rootUri": Path(tmp).as_uri(), "capabilities": {}})
                client.notify("initialized", {})
                client.root = Path(tmp)
                times += hovers_during_analysis(client, name)[0]
                client.close()
        times.sort()
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(
            f"{name:40} {len(times):7} {statistics.median(times) * 1000:7.1f} {p95 * 1000:7.1f} {times[-1] * 1000:7.1f}"
        )


if __name__ == "__main__":
    main()
