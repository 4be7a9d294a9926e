"""What each rule costs: time spent in each rule's visitors over a set of files (prints figures).

    python benchmarks/rule_cost.py [PATH ...]     # default: a generated 10,000-line module

Finds the rules that dominate the shared traversal, to keep accept latency within budget.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from latency import SNIPPET, generate  # noqa: E402

from tabguard.analysis import ruleset_for  # noqa: E402
from tabguard.engine.checker import RuleSet  # noqa: E402
from tabguard.engine.document import Document  # noqa: E402
from tabguard.scan import iter_files  # noqa: E402
from tabguard.sources import SourceError, read_source  # noqa: E402


def timed_ruleset(base: RuleSet, spent: dict[str, float]) -> RuleSet:
    ruleset = RuleSet(base.rules, base.known_ids)

    def timed(handlers):
        wrapped = []
        for rule, handler in handlers:

            def run(node, ctx, _handler=handler, _id=rule.id):
                start = time.perf_counter()
                try:
                    _handler(node, ctx)
                finally:
                    spent[_id] += time.perf_counter() - start

            wrapped.append((rule, run))
        return tuple(wrapped)

    ruleset.table = {node_type: timed(handlers) for node_type, handlers in ruleset.table.items()}
    calls = ruleset.calls
    calls.every = timed(calls.every)
    calls.by_name = {name: timed(handlers) for name, handlers in calls.by_name.items()}
    calls.by_keyword = {name: timed(handlers) for name, handlers in calls.by_keyword.items()}
    return ruleset


def main(argv: list[str]) -> int:
    texts = []
    if argv:
        for path in iter_files([Path(a) for a in argv]):
            try:
                texts.append(read_source(path, 5_000_000))
            except SourceError:
                continue
    else:
        texts = [generate(10_000), SNIPPET * 20]
    spent: dict[str, float] = defaultdict(float)
    ruleset = timed_ruleset(ruleset_for(), spent)
    start, cpu = time.perf_counter(), time.process_time()
    lines = 0
    for text in texts:
        doc = Document(text, ruleset)
        lines += len(doc.lines)
    total, cpu = time.perf_counter() - start, time.process_time() - cpu
    in_rules = sum(spent.values())
    print(
        f"{lines} lines in {total * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU; {in_rules * 1000:.0f} ms inside rule visitors"
    )
    for rule_id, seconds in sorted(spent.items(), key=lambda kv: -kv[1])[:20]:
        print(f"{rule_id}  {seconds * 1000:8.1f} ms  {seconds / in_rules * 100:5.1f}%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
