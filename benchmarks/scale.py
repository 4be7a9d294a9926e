"""Repository-scan speed: `tabguard check` over the running Python's standard library, cold (no
cache) and warm (unchanged re-run), beside Bandit in the same run when it is installed (prints
figures; not a test).

    python benchmarks/scale.py [PATH] [--jobs N]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path


def count_lines(root: Path) -> tuple[int, int]:
    files = lines = 0
    for path in root.rglob("*.py"):
        if "site-packages" in path.parts:
            continue
        try:
            with open(path, "rb") as handle:
                lines += sum(1 for _ in handle)
            files += 1
        except OSError:
            continue
    return files, lines


def timed(command: list[str], cwd: str) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MB of the command and its children, exit code)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) / 1024, done.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", nargs="?", default=sysconfig.get_paths()["stdlib"])
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        # A private copy, so the cache lands in a scratch folder and the real tree is untouched.
        tree = Path(tmp) / "tree"
        shutil.copytree(
            args.path,
            tree,
            ignore=shutil.ignore_patterns("site-packages", "__pycache__", ".tabguard-cache"),
            symlinks=True,
        )
        files, lines = count_lines(tree)
        print(f"target: {args.path} ({files} files, {lines} lines), {os.cpu_count()} cores")
        tabguard = [sys.executable, "-m", "tabguard", "check", str(tree), "--format", "json", "-o", os.devnull]
        if args.jobs:
            tabguard += ["--jobs", str(args.jobs)]
        wall, rss, _ = timed(tabguard, tmp)
        print(f"tabguard cold  {wall:7.2f} s   peak RSS {rss:6.0f} MB")
        wall, rss, _ = timed(tabguard, tmp)
        print(f"tabguard warm  {wall:7.2f} s   (unchanged re-run, content-hash cache)")
        bandit = shutil.which("bandit")
        if bandit:
            wall, rss, _ = timed([bandit, "-r", str(tree), "-f", "json", "-o", os.devnull, "-q"], tmp)
            print(f"bandit         {wall:7.2f} s   peak RSS {rss:6.0f} MB")
        else:
            print("bandit not installed: pip install bandit to compare")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
