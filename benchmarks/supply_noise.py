"""False alarms of the import checks on real, published code (prints figures; not a test).

Two measurements, each finding a false alarm (the code is published and widely installed):
1. bare imports: every public top-level module of every distribution installed in the given
   environments, imported (`import X`) from a fresh project whose own environment is empty, so only
   the bundled snapshot can vouch for it (an assistant suggesting a popular package not yet installed);
2. sources: TG701 (hallucinated) and TG702 (typosquatted) over every Python file installed in the
   environments, each file resolved against its own environment, as an editor opening it would.
   Imports under `try/except ImportError` or `if` are skipped by design; the count of checked
   imports shows how much is left.

    python -m venv /tmp/noise-venv && /tmp/noise-venv/bin/pip install <the most downloaded packages>
    python benchmarks/supply_noise.py /tmp/noise-venv /work/venv [--limit N] [--show 30]
"""

from __future__ import annotations

import argparse
import ast
import collections
import tempfile
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
    return sum(
        len(n.names) if isinstance(n, ast.Import) else 1
        for n in ast.walk(tree)
        if isinstance(n, (ast.Import, ast.ImportFrom)) and not getattr(n, "level", 0)
    )


def bare_imports(environments: list[Path], ruleset) -> tuple[int, list[str]]:
    modules = sorted(
        {
            module
            for environment in environments
            for site in site_packages_of(environment)
            for dist in read_distributions(site)
            for module in dist.modules
            if module.isidentifier()
            and not module.startswith("_")
            and module not in ("test", "tests", "docs", "examples")
        }
    )
    alarms = []
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "pyproject.toml").write_text('[project]\nname = "fresh"\n')
        (root / ".venv" / "lib" / "python3.11" / "site-packages").mkdir(parents=True)
        path = str(root / "app.py")
        for module in modules:
            for finding in analyze_text(f"import {module}\n", path, ruleset).findings():
                alarms.append(f"{finding.rule_id} {module}: {finding.message}")
    return len(modules), alarms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("environments", type=Path, nargs="+")
    parser.add_argument("--limit", type=int, default=0, help="at most this many files per environment")
    parser.add_argument("--show", type=int, default=40)
    args = parser.parse_args()
    ruleset = ruleset_for(("TG701", "TG702"))
    checked, bare_alarms = bare_imports(args.environments, ruleset)
    print(f"bare imports: {checked} top-level modules, {len(bare_alarms)} hallucination/typosquat alarms")
    for alarm in bare_alarms[: args.show]:
        print(f"  {alarm}")
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
    print(
        f"{len(args.environments)} environments, {distributions} distributions, {files} files, "
        f"{imports} absolute imports, {elapsed:.0f} s"
    )
    print(
        f"findings (false alarms on published code): {total} "
        f"({', '.join(f'{r}: {n}' for r, n in sorted(by_rule.items())) or 'none'}); "
        f"{len(alarms)} distinct names; {total / max(imports, 1) * 1000:.2f} per 1000 imports"
    )
    for (rule_id, name), n in alarms.most_common(args.show):
        print(f"  {rule_id} {name}: {n} (e.g. {examples[(rule_id, name)]})")


if __name__ == "__main__":
    main()
