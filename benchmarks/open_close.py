"""Memory over a long session: open and close the same 50 files many times over, and print the
server's resident memory after the first round and after the last, with nothing open (prints
figures; not a test). A server that keeps closed documents (or their cyclic garbage) grows here.

    python benchmarks/open_close.py [--files 50] [--rounds 40] [--lines 300]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from latency import generate  # noqa: E402
from lspclient import Client, environment  # noqa: E402


def one_round(client: Client, files: list[tuple[str, str]], version: int) -> None:
    mark = client.mark()
    for uri, text in files:
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "python", "version": version, "text": text}},
        )
    pending = {uri for uri, _ in files}
    while pending:  # every file analysed and published before it is closed
        body = client.wait_notification(
            lambda b: (
                b.get("method") == "textDocument/publishDiagnostics"
                and b["params"]["uri"] in pending
                and b["params"].get("version") == version
            ),
            mark,
            timeout=300,
        )[1]
        pending.discard(body["params"]["uri"])
    for uri, _ in files:
        client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    client.request(
        "textDocument/hover", {"textDocument": {"uri": files[0][0]}, "position": {"line": 0, "character": 0}}
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--lines", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / ".git").mkdir()
        files = []
        for n in range(args.files):
            path = root / f"module_{n}.py"
            path.write_text(generate(args.lines + n), encoding="utf-8")
            files.append((path.as_uri(), path.read_text(encoding="utf-8")))
        client = Client([sys.executable, "-m", "tabguard", "lsp"], cwd=tmp, env=environment())
        client.request("initialize", {"processId": None, "rootUri": root.as_uri(), "capabilities": {}})
        client.notify("initialized", {})
        one_round(client, files, 1)
        first = client.rss_mb()
        for version in range(2, args.rounds + 1):
            one_round(client, files, version)
        last = client.rss_mb()
        client.close()
    print(f"{args.files} files of ~{args.lines} lines opened and closed {args.rounds} times")
    print(
        f"RSS with nothing open: after round 1 {first:.0f} MB, after round {args.rounds} {last:.0f} MB ({last - first:+.0f} MB)"
    )


if __name__ == "__main__":
    main()
