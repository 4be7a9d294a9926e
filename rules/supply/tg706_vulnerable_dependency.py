"""TG706: a pinned dependency version with published vulnerabilities (needs `network = true`)."""

from __future__ import annotations

from tabguard.engine.rule import Invalid, Rule, Valid
from tabguard.supply.depfiles import DependencyContext, replacing
from tabguard.supply.online import lowest_fix


class VulnerableDependency(Rule):
    id = "TG706"
    name = "vulnerable-dependency"
    severity = "high"
    confidence = "high"
    cwe = (1395,)
    owasp = "A03:2025"
    message = "`{name}=={version}` has known vulnerabilities ({ids}){fixed_note}"
    placeholders = {
        "name": "django",
        "version": "3.2.0",
        "ids": "GHSA-xxxx-xxxx-xxxx",
        "fixed_note": " (fixed in 3.2.19)",
    }
    what = "The OSV database lists vulnerabilities affecting `{name}` {version}: {ids}."
    why = (
        "Known vulnerabilities come with public advisories and often public exploits; automated "
        "scanners find services running affected versions within days. A pinned vulnerable version "
        "stays vulnerable on every deploy until someone bumps it."
    )
    how = "Upgrade to a release without these vulnerabilities{fixed_note}, run the tests, and keep the pin."
    example = "django==4.2.16"
    example_path = "requirements.txt"
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

    def check_dependencies(self, deps: DependencyContext) -> None:
        for requirement in deps.indexed():
            version = requirement.pinned_version
            vulnerabilities = deps.vulnerabilities.get((requirement.key, version)) if version else None
            if not version or not vulnerabilities:
                continue
            fixed = lowest_fix(version, vulnerabilities)
            details = {
                "name": requirement.name,
                "version": version,
                "ids": ", ".join(v.id for v in vulnerabilities),
                "fixed_note": f" (fixed in {fixed})" if fixed else " (no fixed release yet)",
            }
            fix = None
            if fixed and requirement.spec_span is not None:
                fix = replacing(requirement.spec_span, f"=={fixed}", f"Fix: upgrade to {fixed}", safe=False)
            deps.report(self, requirement.span, details, fix)
