"""Generate `docs/rules/TG123.md` and the index from rule metadata (`python -m tabguard.docs DIR`)."""

from __future__ import annotations

import sys
from pathlib import Path

from tabguard.fix_kinds import fix_label
from tabguard.render import explain_markdown
from tabguard.rules import FAMILIES, all_rules


def rule_pages() -> dict[str, str]:
    pages = {}
    rules = all_rules()
    for rule in rules:
        examples = []
        for example in rule.INVALID:
            language = "json" if example.path.endswith(".ipynb") else "python"  # a notebook example is its file
            block = f"Flagged:\n\n```{language}\n{example.code.rstrip()}\n```\n"
            if example.fixed is not None:
                block += f"\nRewritten to:\n\n```python\n{example.fixed.rstrip()}\n```\n"
            examples.append(block)
        if rule.TODO:  # honest about the limits: shapes the suite knows the rule misses
            missed = "".join(f"\n```python\n{example.code.rstrip()}\n```\n" for example in rule.TODO)
            examples.append(f"Not flagged yet (known misses):\n{missed}")
        pages[f"{rule.id}.md"] = explain_markdown(rule, heading_level=1) + "\n## Examples\n\n" + "\n".join(examples)
    index = ["# tabguard rules", "", "Generated from the rule metadata by `python -m tabguard.docs docs/rules`.", ""]
    for prefix, title in FAMILIES.values():
        members = [r for r in rules if r.id.startswith(prefix)]
        if not members:
            continue
        index += [f"## {title}", "", "| id | name | severity | CWE | fix |", "| --- | --- | --- | --- | --- |"]
        for r in members:
            cwes = ", ".join(f"CWE-{c}" for c in r.cwe)
            index.append(f"| [{r.id}]({r.id}.md) | {r.name} | {r.severity} | {cwes} | {fix_label(r)} |")
        index.append("")
    pages["README.md"] = "\n".join(index)
    return pages


def main(argv: list[str]) -> int:
    target = Path(argv[0] if argv else "docs/rules")
    target.mkdir(parents=True, exist_ok=True)
    pages = rule_pages()
    for stale in target.glob("TG*.md"):
        if stale.name not in pages:
            stale.unlink()
    for name, text in pages.items():
        (target / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(pages)} pages to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
