"""Findings per 1,000 lines on popular projects' published sources: tabguard beside Bandit and Ruff's
`S` rules when they are installed (prints figures; not a test; needs the network once, for pip).

Each project's sdist is downloaded by exact version with `pip download` into a cache folder and
unpacked there; later runs reuse it. The code of the top-level test folders is left out (the
figures are about shipped code); their other files stay, as in any checkout, since the requirement
lists there (`tests/requirements/*.txt`) declare what the project's test runs install. Every project
is scanned with an empty `.venv` beside it, so what TG703 knows about installed packages comes from
the project's own files and tabguard's bundled data, never from what happens to be installed on
this machine.

    python benchmarks/real_world.py [--cache DIR] [--only flask,httpx] [--rules] [--json FILE]
        [--judgments benchmarks/real_world_judgments.tsv [--samples 24-33]]

With `--judgments`, each finding is looked up in a table of verdicts written by people reading the
code (true, debatable, false; a finding the table lacks is "not judged"): the counts are printed,
and with `--samples` the 10 findings `random.Random(seed).sample` draws for each seed.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

# The 14-project set of issue 16, pinned so that figures can be compared run to run.
PROJECTS = (
    ("django", "5.1.4"),
    ("sqlalchemy", "2.0.36"),
    ("pip", "24.3.1"),
    ("ansible-core", "2.18.1"),
    ("celery", "5.4.0"),
    ("scrapy", "2.12.0"),
    ("fastapi", "0.115.6"),
    ("werkzeug", "3.1.3"),
    ("paramiko", "3.5.0"),
    ("jinja2", "3.1.4"),
    ("flask", "3.1.0"),
    ("httpx", "0.28.1"),
    ("starlette", "0.41.3"),
    ("requests", "2.32.3"),
)
TEST_FOLDERS = frozenset({"tests", "test", "testing"})
CODE_SUFFIXES = (".py", ".pyi", ".pyw", ".ipynb")  # what tabguard checks as code
SITE = Path(".venv", "lib", f"python{sys.version_info.major}.{sys.version_info.minor}", "site-packages")


def download(name: str, version: str, cache: Path) -> Path:
    folder = cache / "sdists"
    folder.mkdir(parents=True, exist_ok=True)
    prefixes = {f"{name}-{version}.", f"{name.replace('-', '_')}-{version}."}
    found = [p for p in folder.iterdir() if any(p.name.lower().startswith(x.lower()) for x in prefixes)]
    if not found:
        subprocess.run(
            # The sdist of this project only: its build requirements (needed to read its metadata) may be wheels.
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--no-binary",
                name,
                f"{name}=={version}",
                "-d",
                str(folder),
            ],
            check=True,
        )
        found = [p for p in folder.iterdir() if any(p.name.lower().startswith(x.lower()) for x in prefixes)]
    return found[0]


def unpack(archive: Path, cache: Path) -> Path:
    """The sdist's source tree, without the code of its top-level test folders, plus an empty environment."""
    stage = cache / "stage" / archive.name.split(".tar")[0].removesuffix(".zip")
    if stage.is_dir():
        return stage
    raw = cache / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    if archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as handle:
            handle.extractall(raw)
    else:
        with tarfile.open(archive) as handle:
            handle.extractall(raw, filter="data")
    top = raw / stage.name
    tree = top if top.is_dir() else next(p for p in raw.iterdir() if p.name.lower() == stage.name.lower())
    tests = {tree / name for name in TEST_FOLDERS}

    def test_code(folder: str, names: list[str]) -> list[str]:
        inside = not tests.isdisjoint((Path(folder), *Path(folder).parents))
        return [n for n in names if inside and n.endswith(CODE_SUFFIXES)]

    shutil.copytree(tree, stage, ignore=test_code)
    (stage / SITE).mkdir(parents=True)
    return stage


def python_lines(root: Path) -> int:
    total = 0
    for path in root.rglob("*.py"):
        if ".venv" not in path.relative_to(root).parts:
            with open(path, "rb") as handle:
                total += sum(1 for _ in handle)
    return total


def tabguard_findings(root: Path) -> list[dict]:
    done = subprocess.run(
        [sys.executable, "-m", "tabguard", "check", ".", "--format", "json", "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    if done.returncode not in (0, 1):
        raise SystemExit(f"tabguard failed on {root}: {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def bandit_count(root: Path) -> int | None:
    if shutil.which("bandit") is None:
        return None
    done = subprocess.run(
        ["bandit", "-r", ".", "-f", "json", "-q", "-x", "./.venv"], cwd=root, capture_output=True, text=True
    )
    return len(json.loads(done.stdout)["results"])


def ruff_count(root: Path) -> int | None:
    if shutil.which("ruff") is None:
        return None
    done = subprocess.run(
        [
            "ruff",
            "check",
            ".",
            "--isolated",
            "--select",
            "S",
            "--output-format",
            "json",
            "--no-cache",
            "--exit-zero",
            "--exclude",
            ".venv",
        ],
        cwd=root,
        capture_output=True,
        text=True,
    )
    return len(json.loads(done.stdout))


def per_kloc(count: int | None, lines: int) -> str:
    return "-" if count is None else f"{1000 * count / lines:.2f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "tabguard-real-world")
    parser.add_argument("--only", default="", help="comma-separated project names")
    parser.add_argument("--rules", action="store_true", help="also print tabguard's findings per rule")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--judgments", type=Path, help="verdicts per finding (benchmarks/real_world_judgments.tsv)")
    parser.add_argument("--samples", default="", help="seeds such as 24-33 or 24,30: 10 findings drawn per seed")
    args = parser.parse_args()
    wanted = {n.strip() for n in args.only.split(",") if n.strip()}
    rows, by_rule, every = [], collections.Counter(), []
    for name, version in PROJECTS:
        if wanted and name not in wanted:
            continue
        root = unpack(download(name, version, args.cache), args.cache)
        lines = python_lines(root)
        found = tabguard_findings(root)
        every += [(root.name, f["path"], f["start"]["line"], f["start"]["column"], f["rule"]) for f in found]
        rules = collections.Counter(f["rule"] for f in found)
        by_rule.update(rules)
        rows.append(
            {
                "project": f"{name} {version}",
                "lines": lines,
                "tabguard": sum(rules.values()),
                "TG703": rules.get("TG703", 0),
                "bandit": bandit_count(root),
                "ruff": ruff_count(root),
            }
        )
        print(_row(rows[-1]), flush=True)
    total = {"project": "TOTAL", "lines": sum(r["lines"] for r in rows)}
    for tool in ("tabguard", "TG703", "bandit", "ruff"):
        counts = [r[tool] for r in rows]
        total[tool] = None if None in counts else sum(counts)
    print(_row(total))
    if args.rules:
        for rule, count in by_rule.most_common():
            print(f"  {rule} {count}")
    if args.json:
        args.json.write_text(json.dumps({"projects": rows, "total": total, "by_rule": dict(by_rule)}, indent=2))
    if args.judgments:
        report_judgments(sorted(every), read_judgments(args.judgments), seeds(args.samples))
    return 0


# A verdict per finding, judged by reading the code: true (a real risk), debatable, false (a false alarm).
VERDICTS = {"T": "true", "D": "debatable", "F": "false"}


def read_judgments(path: Path) -> dict[tuple, tuple[str, str]]:
    """(project folder, path, line, rule) -> (verdict, reason), from a tab-separated table whose rows
    are `verdict project path line rule reason` (`#` starts a comment)."""
    table = {}
    for row in path.read_text(encoding="utf-8").splitlines():
        if row.strip() and not row.startswith("#"):
            verdict, project, file, line, rule, reason = row.split("\t")
            table[(project, file, int(line), rule)] = (verdict, reason)
    return table


def seeds(text: str) -> list[int]:
    out: list[int] = []
    for part in filter(None, text.split(",")):
        first, _, last = part.partition("-")
        out += range(int(first), int(last or first) + 1)
    return out


def report_judgments(findings: list[tuple], table: dict, sample_seeds: list[int]) -> None:
    """How many of `findings` (sorted (project, path, line, column, rule)) each verdict has, and for
    each seed the 10 that `random.Random(seed).sample` draws, with their verdicts."""
    verdict = {f: table.get((f[0], f[1], f[2], f[4]), ("?", "not judged")) for f in findings}
    counts = collections.Counter(v[0] for v in verdict.values())
    print("judged: " + ", ".join(f"{VERDICTS.get(k, 'not judged')} {counts[k]}" for k in "TDF?" if counts[k]))
    for seed in sample_seeds:
        drawn = random.Random(seed).sample(findings, min(10, len(findings)))
        good = sum(verdict[f][0] in "TD" for f in drawn)
        print(f"seed {seed}: {good} of {len(drawn)} true or debatable")
        for f in drawn:
            mark, reason = verdict[f]
            print(f"  {VERDICTS.get(mark, 'not judged'):<10} {f[4]} {f[0]}/{f[1]}:{f[2]}  {reason}")


def _row(row: dict) -> str:
    lines = row["lines"]
    cells = [f"{row['project']:<22}", f"{lines:>8} lines"]
    for tool in ("tabguard", "TG703", "bandit", "ruff"):
        count = row[tool]
        cells.append(f"{tool} {'-' if count is None else count:>5} ({per_kloc(count, lines)}/kloc)")
    return "  ".join(cells)


if __name__ == "__main__":
    sys.exit(main())
