"""A busy editor session: 50 files open, then a burst of 200 keystrokes in one of them, sent back to
back. Prints the time from the last keystroke to the diagnostics for the final version, and the
server's memory (prints figures; not a test).

    python benchmarks/many_files.py [--files 50] [--lines 1500] [--keystrokes 200]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from latency import block_boundary, generate  # noqa: E402
from lspclient import Client, environment  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--lines", type=int, default=1500)
    parser.add_argument("--keystrokes", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / ".git").mkdir()
        client = Client([sys.executable, "-m", "tabguard", "lsp"], cwd=tmp, env=environment())
        client.request("initialize", {"processId": None, "rootUri": root.as_uri(), "capabilities": {}})
        client.notify("initialized", {})
        uris = []
        start = time.perf_counter()
        for n in range(args.files):
            text = generate(args.lines + n)  # files of slightly different sizes and content
            path = root / f"module_{n}.py"
            path.write_text(text, encoding="utf-8")
            uri = path.as_uri()
            uris.append((uri, text))
            client.notify(
                "textDocument/didOpen",
                {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
            )
        client.request("tabguard/fileStatus", {"textDocument": {"uri": uris[-1][0]}}, timeout=600)
        opened = time.perf_counter() - start
        uri, text = uris[len(uris) // 2]
        line = block_boundary(text) + 3
        word = "total_amount = compute_value(items) + 1 "
        mark = client.mark()
        for i in range(args.keystrokes):
            client.notify(
                "textDocument/didChange",
                {
                    "textDocument": {"uri": uri, "version": 2 + i},
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
        last = time.perf_counter()
        final = 1 + args.keystrokes
        stamp, _ = client.wait_notification(
            lambda b: (
                b.get("method") == "textDocument/publishDiagnostics"
                and b["params"]["uri"] == uri
                and b["params"].get("version") == final
            ),
            mark,
            timeout=120,
        )
        rss = client.rss_mb()
        client.close()
    print(f"{args.files} files of ~{args.lines} lines opened in {opened:.1f} s")
    print(f"{args.keystrokes} keystrokes: final diagnostics {1000 * (stamp - last):.0f} ms after the last one")
    print(f"server RSS {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
