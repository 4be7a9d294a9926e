"""TG706: a pinned dependency version with published vulnerabilities (needs `network = true`)."""

from __future__ import annotations

from tabguard.engine.rule import Invalid, Rule, Valid


class VulnerableDependency(Rule):
    id = "TG706"
    name = "vulnerable-dependency"
    severity = "high"
    confidence = "high"
    cwe = (1395,)
    owasp = "A03:2025"
    message = "`{name}=={version}` has known vulnerabilities ({ids}){fixed_note}"
    placeholders = {"name": "django", "version": "3.2.0", "ids": "GHSA-xxxx-xxxx-xxxx", "fixed_note": " (fixed in 3.2.19)"}
    what = "The OSV database lists vulnerabilities affecting `{name}` {version}: {ids}."
    why = (
        "Known vulnerabilities come with public advisories and often public exploits; automated "
        "scanners find services running affected versions within days. A pinned vulnerable version "
        "stays vulnerable on every deploy until someone bumps it."
    )
    how = "Upgrade to a release without these vulnerabilities{fixed_note}, run the tests, and keep the pin."
    example = "django==4.2.16"
    fix_safety = (
        "Unsafe: the rewrite pins the lowest release that fixes every listed vulnerability; a new "
        "release (even a patch release) can change behaviour, so run the tests."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/1395.html",
        "https://osv.dev/",
        "https://google.github.io/osv.dev/post-v1-querybatch/",
    )
    # Checked online only: the test suite runs these against a local fake vulnerability database.
    online = True
    # What its online-only fix is, for `tabguard rules` (tests/supply/test_supply_online.py checks it).
    unshown_fix_safe = False
    VALID = (Valid("django==4.2.16\n", path="requirements.txt"),)
    INVALID = (Invalid("django==3.2.0\n", "django==3.2.19\n", path="requirements.txt"),)
