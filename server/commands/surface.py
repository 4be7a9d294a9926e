"""`tabguard surface [PATH ...]`: every HTTP route with its guards and the findings inside its handler.

A threat-model starting point: which routes exist, which ones authenticate the caller, which check a
role or tie records to their owner, and what tabguard found in each handler.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tabguard.analysis import ruleset_for
from tabguard.commands import config_or_report
from tabguard.output.printable import printable
from tabguard.routes import MUTATING_METHODS, Route, load_source, project_routes
from tabguard.scan import FileResult, iter_files, scan_file
from tabguard.sources import SourceError, read_source
from tabguard.counting import counted


def add_parser(sub):
    parser = sub.add_parser("surface", help="list every HTTP route with authentication, role and ownership checks")
    parser.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--config", type=Path, help="use this tabguard.toml / pyproject.toml")
    return parser


def run(args) -> int:
    roots = [Path(p) for p in args.paths]
    missing = [root for root in roots if not root.exists()]
    for root in missing:
        print(f"tabguard: {root}: no such file or directory", file=sys.stderr)
    if missing:
        return 2
    config = config_or_report(roots[0].resolve(), args.config)
    if config is None:
        return 2
    sources, results = [], {}
    for path in dict.fromkeys(iter_files(roots, config["exclude"])):  # a file named twice is read once
        display = path.as_posix()
        try:
            text = read_source(path, config["max-file-size"])
        except SourceError as error:
            print(f"tabguard: {display}: {error}", file=sys.stderr)
            continue
        source = load_source(display, text, config.options(), ruleset_for())
        if source is not None:
            sources.append(source)
            results[display] = scan_file(path, display, config)
    routes = project_routes(sources)
    if args.format == "json":
        sys.stdout.write(json.dumps(json_report(routes, results), indent=2) + "\n")
    else:
        sys.stdout.write("\n".join(text_report(routes, results)) + "\n")
    return 0


def route_findings(route: Route, results: dict[str, FileResult]) -> list[dict]:
    result = results.get(route.handler_file)
    if result is None:
        return []
    first, last = route.handler_lines
    return [
        {
            "rule": f.rule_id,
            "line": f.span.start_line + 1,
            "column": f.span.start_col + 1,
            "severity": f.severity,
            "message": f.message,
        }
        for f in result.findings
        if first <= f.span.start_line + 1 <= last
    ]


def json_report(routes: list[Route], results: dict[str, FileResult]) -> dict:
    items = []
    for route in routes:
        items.append(
            {
                "file": route.file,
                "line": route.line,
                "methods": list(route.methods),
                "path": route.path,
                "handler": route.handler,
                "handler_file": route.handler_file,
                "handler_line": route.handler_lines[0],
                "framework": route.framework,
                "authentication": route.guards.authentication,
                "declared_public": route.guards.public,
                "role_check": route.guards.role,
                "ownership_check": route.guards.ownership,
                "findings": route_findings(route, results),
            }
        )
    return {"routes": items, "summary": _summary(items)}


def _summary(items: list[dict]) -> dict:
    return {
        "routes": len(items),
        "unauthenticated": sum(1 for r in items if r["authentication"] is None),
        "unauthenticated_mutating": sum(
            1 for r in items if r["authentication"] is None and set(r["methods"]) & MUTATING_METHODS
        ),
        "without_authorization": sum(1 for r in items if r["role_check"] is None and r["ownership_check"] is None),
        "with_findings": sum(1 for r in items if r["findings"]),
    }


def text_report(routes: list[Route], results: dict[str, FileResult]) -> list[str]:
    report = json_report(routes, results)
    lines = []
    for item in report["routes"]:
        # The repository's own names: one line each, whatever characters they hold.
        file, path, handler = printable(item["file"]), printable(item["path"]), printable(item["handler"])
        lines.append(f"{file}:{item['line']}  {','.join(item['methods'])}  {path}  -> {handler}  [{item['framework']}]")
        public = f" (declared public: {item['declared_public']})" if item["declared_public"] else ""
        lines.append(f"    authentication: {item['authentication'] or 'NONE'}{public}")
        lines.append(f"    role check:     {item['role_check'] or 'none'}")
        lines.append(f"    ownership:      {item['ownership_check'] or 'none'}")
        for finding in item["findings"]:
            lines.append(
                f"    finding:        {printable(item['handler_file'])}:{finding['line']}: {finding['rule']} "
                f"{printable(finding['message'])}"
            )
    summary = report["summary"]
    lines.append(
        f"{counted(summary['routes'], 'route')}: "
        f"{summary['unauthenticated']} without authentication ({summary['unauthenticated_mutating']} of them change data), "
        f"{summary['without_authorization']} without a role or ownership check, {summary['with_findings']} with findings."
    )
    return lines
