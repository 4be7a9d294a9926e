"""`tabguard lsp`: the language server over stdio (or TCP)."""

from __future__ import annotations

import sys


def add_parser(sub):
    parser = sub.add_parser("lsp", help="run the language server over stdio")
    parser.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead of stdio")
    parser.add_argument(
        "--max-message-bytes",
        type=int,
        default=None,
        metavar="N",
        help="refuse JSON-RPC messages larger than N bytes (default 32 MiB)",
    )
    return parser


def run(args) -> int:
    from tabguard.lsp.handlers import serve

    if args.tcp:
        host, _, port = args.tcp.rpartition(":")
        if not port.isdigit():
            print("tabguard: --tcp expects HOST:PORT", file=sys.stderr)
            return 2
        return serve(tcp=(host or "127.0.0.1", int(port)), max_message_bytes=args.max_message_bytes)
    return serve(max_message_bytes=args.max_message_bytes)
