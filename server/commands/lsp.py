"""`tabguard lsp`: the language server over stdio (or TCP)."""

from __future__ import annotations

import sys


def add_parser(sub):
    parser = sub.add_parser("lsp", help="run the language server over stdio")
    parser.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead of stdio")
    return parser


def run(args) -> int:
    from tabguard.lsp.handlers import serve

    if args.tcp:
        host, _, port = args.tcp.rpartition(":")
        if not port.isdigit():
            print("tabguard: --tcp expects HOST:PORT", file=sys.stderr)
            return 2
        serve(tcp=(host or "127.0.0.1", int(port)))
    else:
        serve()
    return 0
