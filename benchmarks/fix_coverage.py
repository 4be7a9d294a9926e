"""How many findings come with a secure rewrite: `tabguard check PATH --format json`, counted.

    python benchmarks/fix_coverage.py [PATH] [--tabguard EXECUTABLE] [--ignore TG703]

Runs the given tabguard (default: the one beside this Python) so an older install can be measured the
same way. Prints the share of findings with a fix (safe ones counted apart) and the rules whose
findings have none.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", nargs="?", default="tests/corpus")
    parser.add_argument("--tabguard", default=str(Path(sys.executable).with_name("tabguard")))
    parser.add_argument("--ignore", default="", help="rule ids or prefixes left out, as `tabguard check --ignore`")
    args = parser.parse_args(argv)
    command = [args.tabguard, "check", args.path, "--format", "json", "--no-cache"]
    run = subprocess.run(
        command + (["--ignore", args.ignore] if args.ignore else []), capture_output=True, text=True, check=False
    )
    # Files that could not be read or parsed are listed too, as entries without a rule.
    findings = [f for f in json.loads(run.stdout) if f.get("rule")]
    fixed = [f for f in findings if f["fix"]]
    safe = [f for f in fixed if f["fix"].get("safe")]
    without = Counter(f["rule"] for f in findings if not f["fix"])
    share = 100 * len(fixed) / len(findings) if findings else 0.0
    print(f"{len(fixed)}/{len(findings)} findings come with a fix ({share:.1f}%), {len(safe)} of them safe")
    print("without a fix: " + ", ".join(f"{rule} x{n}" for rule, n in sorted(without.items())))
    print(f"SUMMARY fix_coverage {args.path} {len(fixed)} {len(findings)} {share:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
