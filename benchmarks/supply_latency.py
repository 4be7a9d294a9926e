"""Accept-cost of the supply-chain import checks (prints figures; not a test).

A workspace (pyproject with dependencies, a `.venv` with installed distributions, local modules) is
built in a temporary folder; a snippet with 5 new imports (stdlib, installed, local, a typo and a
hallucinated name) is analysed with and without the TG7 rules, with a warm resolver, and the
difference is the added cost. Also reports the cold costs: loading the bundled snapshot and the
first resolution in a new workspace.

    python benchmarks/supply_latency.py [--rounds 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tabguard.analysis import analyze_text, ruleset_for

SNIPPET = (
    "import hashlib\n"
    "import yaml\n"
    "from shop.models import Order\n"
    "import {typo}\n"
    "from {invented} import require_user\n"
    "\n"
    "def handler(order_id):\n"
    "    return Order.get(order_id)\n"
)


def snippets(rounds: int) -> list[str]:
    """Each round imports names never seen before: a swapped-letter typo of a popular package and
    an invented name, so no per-name memo helps (the resolver itself is warm)."""
    from tabguard.supply.data import known_packages

    popular = [n for n in list(known_packages().rank)[:300] if n.isidentifier() and len(n) >= 6]
    texts = []
    for i in range(rounds):
        name = popular[i % len(popular)]
        at = 1 + (i // len(popular)) % (len(name) - 2)
        typo = name[:at] + name[at + 1] + name[at] + name[at + 2 :]
        texts.append(SNIPPET.format(typo=typo, invented=f"fastapi_auth_helpers_{i}"))
    return texts


def build_workspace(root: Path) -> Path:
    (root / "pyproject.toml").write_text('[project]\nname = "shop"\ndependencies = ["pyyaml>=6", "flask>=3"]\n')
    (root / "src" / "shop").mkdir(parents=True)
    (root / "src" / "shop" / "__init__.py").write_text("")
    (root / "src" / "shop" / "models.py").write_text("class Order: ...\n")
    site = root / ".venv" / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    for index in range(60):  # a realistic environment size
        info = site / f"dist{index}-1.0.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Name: dist{index}\nVersion: 1.0\n\n")
        (info / "top_level.txt").write_text(f"dist{index}\n")
    info = site / "PyYAML-6.0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Name: PyYAML\nVersion: 6.0.1\n\n")
    (info / "top_level.txt").write_text("_yaml\nyaml\n")
    return root / "app.py"


def timed(function, texts: list[str]) -> list[float]:
    samples = []
    for text in texts:
        start = time.perf_counter()
        function(text)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = build_workspace(Path(folder))
        start = time.perf_counter()
        from tabguard.supply.data import known_packages

        known_packages()
        load_ms = (time.perf_counter() - start) * 1000
        with_supply, without = ruleset_for(), ruleset_for((), ("TG7",))
        start = time.perf_counter()
        first = analyze_text(SNIPPET.format(typo="reqeusts", invented="fastapi_auth_helpers"), str(path), with_supply)
        cold_ms = (time.perf_counter() - start) * 1000
        flagged = sorted(f.rule_id for f in first.findings() if f.rule_id.startswith("TG7"))
        texts = snippets(args.rounds)
        on = timed(lambda text: analyze_text(text, str(path), with_supply), texts)
        off = timed(lambda text: analyze_text(text, str(path), without), texts)
    median_on, median_off = statistics.median(on), statistics.median(off)
    p95_added = sorted(on)[int(len(on) * 0.95)] - sorted(off)[int(len(off) * 0.95)]
    print(f"bundled snapshot load: {load_ms:.1f} ms (once per process)")
    print(f"first analysis in a new workspace (environment index built): {cold_ms:.1f} ms")
    print(f"snippet with 5 new imports, warm: {median_on:.2f} ms with TG7, {median_off:.2f} ms without")
    print(f"added by the supply-chain checks: median {median_on - median_off:.3f} ms, p95 {p95_added:.3f} ms")
    print(f"TG7 findings on the snippet: {', '.join(flagged)}")


if __name__ == "__main__":
    main()
