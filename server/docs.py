"""Generate `docs/rules/TG123.md` and the index from rule metadata (`python -m tabguard.docs DIR`)."""

from __future__ import annotations

import sys
from pathlib import Path

from tabguard.fix_kinds import fix_label
from tabguard.render import rule_page, rules_index
from tabguard.rules import FAMILIES, all_rules


def rule_pages() -> dict[str, str]:
    rules = all_rules()
    pages = {f"{rule.id}.md": rule_page(rule) for rule in rules}
    families = [(title, [r for r in rules if r.id.startswith(prefix)]) for prefix, title in FAMILIES.values()]
    pages["README.md"] = rules_index([(title, members) for title, members in families if members], fix_label)
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
