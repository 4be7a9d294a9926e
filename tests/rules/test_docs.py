from pathlib import Path

from tabguard.docs import rule_pages

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules"


def test_generated_rule_docs_are_current():
    pages = rule_pages()
    stale = [name for name, text in pages.items() if not (DOCS / name).is_file() or (DOCS / name).read_text() != text]
    extra = sorted({p.name for p in DOCS.glob("TG*.md")} - set(pages))
    assert not stale and not extra, f"run `python -m tabguard.docs docs/rules`: stale {stale}, extra {extra}"
