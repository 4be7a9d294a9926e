"""Score tabguard, Bandit and Ruff side by side on the labelled corpus in `tests/corpus/`.

Each corpus file marks lines with `# expect: CWE-89` (the statement must be flagged, by a finding
whose CWE list contains 89) or `# secure: CWE-89` (nothing may be flagged on the statement). An
annotation covers the whole simple statement holding its line (for a compound statement, its header).

    python benchmarks/detection.py [CORPUS_DIR] [--details] [--tools tabguard,bandit,ruff]

Prints one table (per mechanism: detection %, CWE-correct %, false alarms on secure lines) and one
`SUMMARY corpus <tool> <mechanism> ...` line per figure. Bandit and Ruff are scored when installed
(Ruff's output has no CWE: its `S` codes are mapped with the table below).
"""

from __future__ import annotations

import argparse
import ast
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
import tokenize
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus"
_ANNOTATION = re.compile(r"#\s*(expect|secure)\s*:\s*(CWE-\d+(?:\s*,\s*CWE-\d+)*)", re.IGNORECASE)

# Mechanism groups, by CWE. Unlisted CWEs fall into "other".
GROUPS: dict[str, tuple[int, ...]] = {
    "command": (77, 78, 88, 426),
    "code": (94, 95, 96, 917),
    "sql": (89, 564),
    "nosql": (943,),
    "xss": (79, 80, 116),
    "template": (1336,),
    "ldap/xpath": (90, 643),
    "xml": (611, 776, 827),
    "deserialization": (502,),
    "injection": (74, 113, 93),
    "path": (22, 23, 36, 59, 73),
    "upload": (434,),
    "ssrf": (918,),
    "redirect": (601,),
    "tls": (295, 297, 319),
    "crypto": (326, 327, 328, 759, 760, 916, 323, 329, 347, 208, 311),
    "random": (330, 331, 338),
    "secrets": (798, 259, 321, 522, 1391, 1392),
    "defaults": (489, 215, 942, 614, 1004, 1275, 352, 400, 1088, 732, 276, 605, 1327, 377, 16, 693, 1021, 200, 644),
    "auth": (287, 306, 862, 863, 639, 284, 285, 345, 384, 613, 620, 640, 307, 521, 915),
    "logging": (532, 359, 117, 312, 598),
    "errors": (209, 497, 215, 703),
    "supply": (1104, 829, 1357, 494),
}
_GROUP_OF = {cwe: group for group, cwes in GROUPS.items() for cwe in cwes}

# Ruff's `S` rules carry no CWE; these are the weaknesses each one reports.
RUFF_CWE: dict[str, tuple[int, ...]] = {
    "S101": (703,),
    "S102": (95,),
    "S103": (732,),
    "S104": (605,),
    "S105": (259, 798),
    "S106": (259, 798),
    "S107": (259, 798),
    "S108": (377,),
    "S110": (703,),
    "S112": (703,),
    "S113": (400, 1088),
    "S201": (489, 94),
    "S202": (22,),
    "S301": (502,),
    "S302": (502,),
    "S303": (327, 328),
    "S304": (327,),
    "S305": (327,),
    "S306": (377,),
    "S307": (95,),
    "S308": (79,),
    "S310": (22, 918),
    "S311": (330, 338),
    "S312": (319,),
    "S313": (611,),
    "S314": (611,),
    "S315": (611,),
    "S316": (611,),
    "S317": (611,),
    "S318": (611,),
    "S319": (611,),
    "S320": (611,),
    "S321": (319,),
    "S323": (295,),
    "S324": (327, 328),
    "S401": (319,),
    "S402": (319,),
    "S403": (502,),
    "S404": (78,),
    "S405": (611,),
    "S406": (611,),
    "S407": (611,),
    "S408": (611,),
    "S409": (611,),
    "S411": (611,),
    "S412": (284,),
    "S413": (327,),
    "S415": (319,),
    "S501": (295,),
    "S502": (326, 327),
    "S503": (326, 327),
    "S504": (326, 327),
    "S505": (326,),
    "S506": (502,),
    "S507": (295,),
    "S508": (319,),
    "S509": (319,),
    "S601": (78,),
    "S602": (78,),
    "S603": (78,),
    "S604": (78,),
    "S605": (78,),
    "S606": (78,),
    "S607": (78, 426),
    "S608": (89,),
    "S609": (78, 155),
    "S610": (89,),
    "S611": (89,),
    "S612": (94,),
    "S701": (79, 1336),
    "S702": (79, 1336),
    "S704": (79,),
}


@dataclass(frozen=True)
class Annotation:
    file: str  # name relative to the corpus directory
    line: int  # 1-based line of the comment
    kind: str  # "expect" or "secure"
    cwes: tuple[int, ...]
    first: int  # statement range, 1-based inclusive
    last: int

    @property
    def group(self) -> str:
        return _GROUP_OF.get(self.cwes[0], "other")

    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Hit:
    file: str
    line: int  # 1-based first line of the finding
    cwes: tuple[int, ...]
    rule: str


@dataclass
class Tally:
    expected: int = 0
    detected: int = 0
    cwe_right: int = 0
    secure: int = 0
    false_alarms: int = 0
    misses: list = field(default_factory=list)  # (annotation, why)


# -- the corpus ----------------------------------------------------------------------------------
def corpus_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.py") if p.name != "__init__.py")


def annotations(path: Path, name: Optional[str] = None) -> list[Annotation]:
    """The annotations of one corpus file, each with the line range of its statement."""
    text = path.read_text(encoding="utf-8")
    name = name or path.name
    tree = ast.parse(text)
    found = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type != tokenize.COMMENT:
            continue
        match = _ANNOTATION.search(token.string)
        if match is None:
            continue
        line = token.start[0]
        cwes = tuple(int(c) for c in re.findall(r"\d+", match.group(2)))
        first, last = statement_range(tree, line)
        found.append(Annotation(name, line, match.group(1).lower(), cwes, first, last))
    return found


def statement_range(tree: ast.Module, line: int) -> tuple[int, int]:
    """Lines of the innermost simple statement holding `line`; for a compound statement's header
    (`with open(p) as f:`, `if ...:`, a decorator), the header lines."""
    best: tuple[int, int] = (line, line)
    nodes: Iterable[ast.AST] = tree.body
    while True:
        for node in nodes:
            first, last = node.lineno, node.end_lineno or node.lineno
            for decorator in getattr(node, "decorator_list", ()):
                if decorator.lineno <= line <= (decorator.end_lineno or decorator.lineno):
                    return decorator.lineno, decorator.end_lineno or decorator.lineno
            if not first <= line <= last:
                continue
            bodies = [
                getattr(node, f) for f in ("body", "orelse", "finalbody") if isinstance(getattr(node, f, None), list)
            ]
            bodies += [h.body for h in getattr(node, "handlers", ())] + [c.body for c in getattr(node, "cases", ())]
            children = [s for body in bodies for s in body if isinstance(s, ast.stmt)]
            if not children:
                return first, last
            header_end = min(s.lineno for s in children) - 1
            if line <= header_end:
                return first, header_end
            best = (first, last)
            nodes = children
            break
        else:
            return best


# -- the tools -----------------------------------------------------------------------------------
def _tool(name: str) -> Optional[str]:
    sibling = Path(sys.executable).with_name(name)
    return str(sibling) if sibling.exists() else shutil.which(name)


def _run(command: list[str], cwd: Path) -> str:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return done.stdout


def _cwe_ints(values) -> tuple[int, ...]:
    return tuple(int(re.sub(r"\D", "", str(v))) for v in values if re.search(r"\d", str(v)))


def run_tabguard(directory: Path) -> list[Hit]:
    out = _run([sys.executable, "-m", "tabguard", "check", ".", "--format", "json"], directory)
    return [
        Hit(_relative(f["path"], directory), f["start"]["line"], _cwe_ints(f.get("cwe", ())), f["rule"])
        for f in json.loads(out or "[]")
    ]


def run_bandit(directory: Path) -> list[Hit]:
    out = _run([_tool("bandit"), "-f", "json", "-q", "-r", "."], directory)
    hits = []
    for issue in json.loads(out)["results"]:
        cwe = (issue.get("issue_cwe") or {}).get("id")
        for line in issue.get("line_range") or [issue["line_number"]]:
            hits.append(Hit(_relative(issue["filename"], directory), line, (cwe,) if cwe else (), issue["test_id"]))
    return hits


def run_ruff(directory: Path) -> list[Hit]:
    out = _run(
        [_tool("ruff"), "check", "--isolated", "--no-cache", "--select", "S", "--output-format", "json", "."], directory
    )
    return [
        Hit(_relative(d["filename"], directory), d["location"]["row"], RUFF_CWE.get(d["code"], ()), d["code"])
        for d in json.loads(out or "[]")
    ]


TOOLS = {"tabguard": (run_tabguard, None), "bandit": (run_bandit, "bandit"), "ruff": (run_ruff, "ruff")}


def _relative(path: str, directory: Path) -> str:
    full = (directory / path).resolve()
    try:
        return full.relative_to(directory.resolve()).as_posix()
    except ValueError:
        return Path(path).name


# -- scoring -------------------------------------------------------------------------------------
def score(notes: list[Annotation], hits: list[Hit]) -> dict[str, Tally]:
    """Tallies per mechanism group (and "total")."""
    by_file: dict[str, list[Hit]] = defaultdict(list)
    for hit in hits:
        by_file[hit.file].append(hit)
    tallies: dict[str, Tally] = defaultdict(Tally)
    for note in notes:
        on_statement = [h for h in by_file.get(note.file, ()) if note.first <= h.line <= note.last]
        for tally in (tallies[note.group], tallies["total"]):
            if note.kind == "expect":
                tally.expected += 1
                right = [h for h in on_statement if set(h.cwes) & set(note.cwes)]
                tally.detected += bool(on_statement)
                tally.cwe_right += bool(right)
                if not right:
                    seen = ", ".join(f"{h.rule} {h.cwes}" for h in on_statement) or "nothing"
                    tally.misses.append((note, f"expected CWE-{'/'.join(map(str, note.cwes))}, flagged: {seen}"))
            else:
                tally.secure += 1
                tally.false_alarms += bool(on_statement)
                if on_statement:
                    tally.misses.append((note, "false alarm: " + ", ".join(f"{h.rule} {h.cwes}" for h in on_statement)))
    return tallies


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def report(notes: list[Annotation], results: dict[str, dict[str, Tally]], details: bool) -> str:
    groups = sorted({n.group for n in notes}) + ["total"]
    tools = list(results)
    head = f"{'mechanism':<16}{'expect':>7}{'secure':>7}" + "".join(f" | {t:^23}" for t in tools)
    sub = " " * 30 + "".join(f" | {'detect':>7}{'cwe':>7}{'FA':>9}" for _ in tools)
    lines = [head, sub, "-" * len(sub)]
    for group in groups:
        first = next(iter(results.values()), {}).get(group, Tally())
        row = f"{group:<16}{first.expected:>7}{first.secure:>7}"
        for tool in tools:
            t = results[tool].get(group, Tally())
            row += f" | {_pct(t.detected, t.expected):>7}{_pct(t.cwe_right, t.expected):>7}{f'{t.false_alarms}/{t.secure}':>9}"
        lines.append(row)
    lines.append("")
    for tool in tools:
        for group in groups:
            t = results[tool].get(group, Tally())
            lines.append(
                f"SUMMARY corpus {tool} {group} detected {t.detected}/{t.expected} {_pct(t.detected, t.expected)}"
                f" cwe_right {t.cwe_right}/{t.expected} {_pct(t.cwe_right, t.expected)}"
                f" false_alarms {t.false_alarms}/{t.secure}"
            )
    if details:
        for tool in tools:
            lines.append(f"\n{tool}: misses and false alarms")
            for note, why in sorted(results[tool]["total"].misses, key=lambda m: (m[0].file, m[0].line)):
                lines.append(f"  {note.where()} [{note.kind}] {why}")
    return "\n".join(lines)


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=CORPUS)
    parser.add_argument("--tools", default="tabguard,bandit,ruff", help="comma-separated, of tabguard,bandit,ruff")
    parser.add_argument("--details", action="store_true", help="list every miss and false alarm")
    args = parser.parse_args(argv)
    files = corpus_files(args.corpus)
    if not files:
        print(f"no corpus files in {args.corpus}", file=sys.stderr)
        return 2
    notes = [n for path in files for n in annotations(path)]
    results: dict[str, dict[str, Tally]] = {}
    with tempfile.TemporaryDirectory(prefix="tabguard-corpus-") as tmp:
        # A bare copy, so no project configuration (excludes, per-file ignores) changes what runs.
        staged = Path(tmp)
        for path in files:
            shutil.copyfile(path, staged / path.name)
        for name in args.tools.split(","):
            runner, executable = TOOLS[name.strip()]
            if executable is not None and _tool(executable) is None:
                print(f"note: {executable} is not installed; skipped", file=sys.stderr)
                continue
            results[name.strip()] = score(notes, runner(staged))
    print(
        f"corpus: {len(files)} files, {sum(n.kind == 'expect' for n in notes)} expect, "
        f"{sum(n.kind == 'secure' for n in notes)} secure annotations"
    )
    print(report(notes, results, args.details))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
