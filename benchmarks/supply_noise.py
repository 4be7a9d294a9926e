"""False alarms of the import checks on real, published code (prints figures; not a test).

Runs TG701 (hallucinated) and TG702 (typosquatted) over every Python file installed in one or more
environments, each file resolved against its own environment (as an editor opening it would), and
reports every finding: in code that is on the index and widely installed, each one is a false alarm.
Imports under `try/except ImportError` or `if` are skipped by design; the count of checked imports
shows how much is left.

    python -m venv /tmp/noise-venv && /tmp/noise-venv/bin/pip install <the most downloaded packages>
    python benchmarks/supply_noise.py /tmp/noise-venv /work/venv [--limit N] [--show 30]
"""

from __future__ import annotations

import argparse
import ast
import collections
import time
from pathlib import Path

from tabguard.analysis import analyze_text, ruleset_for
from tabguard.config import Config
from tabguard.sources import SourceError, read_source
from tabguard.supply.environment import read_distributions, site_packages_of


def python_files(site: Path):
    for path in sorted(site.rglob("*.py")):
        if "__pycache__" not in path.parts:
            yield path


def count_imports(text: str) -> int:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return 0
    return sum(len(n.names) if isinstance(n, ast.Import) else 1 for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) and not getattr(n, "level", 0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("environments", type=Path, nargs="+")
    parser.add_argument("--limit", type=int, default=0, help="at most this many files per environment")
    parser.add_argument("--show", type=int, default=40)
    args = parser.parse_args()
    ruleset = ruleset_for(("TG701", "TG702"))
    alarms: collections.Counter = collections.Counter()
    examples: dict[tuple, str] = {}
    files = imports = distributions = 0
    started = time.perf_counter()
    for environment in args.environments:
        options = {**Config().options(), "python": str(environment / "bin" / "python")}
        for site in site_packages_of(environment):
            distributions += len(read_distributions(site))
            for count, path in enumerate(python_files(site)):
                if args.limit and count >= args.limit:
                    break
                try:
                    text = read_source(path, 2_000_000)
                except SourceError:
                    continue
                files += 1
                imports += count_imports(text)
                for finding in analyze_text(text, str(path), ruleset, options).findings():
                    key = (finding.rule_id, finding.details.get("module") or finding.details.get("name"))
                    alarms[key] += 1
                    examples.setdefault(key, f"{path.relative_to(site)}:{finding.span.start_line + 1}")
    elapsed = time.perf_counter() - started
    total = sum(alarms.values())
    by_rule = collections.Counter()
    for (rule_id, _), n in alarms.items():
        by_rule[rule_id] += n
    print(f"{len(args.environments)} environments, {distributions} distributions, {files} files, "
          f"{imports} absolute imports, {elapsed:.0f} s")
    print(f"findings (false alarms on published code): {total} "
          f"({', '.join(f'{r}: {n}' for r, n in sorted(by_rule.items())) or 'none'}); "
          f"{len(alarms)} distinct names; {total / max(imports, 1) * 1000:.2f} per 1000 imports")
    for (rule_id, name), n in alarms.most_common(args.show):
        print(f"  {rule_id} {name}: {n} (e.g. {examples[(rule_id, name)]})")


if __name__ == "__main__":
    main()
