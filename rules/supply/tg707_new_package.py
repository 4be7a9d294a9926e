"""TG707: a dependency first published on the index only days ago (needs `network = true`)."""

from __future__ import annotations

from tabguard.engine.rule import Invalid, Rule, Valid
from tabguard.supply.depfiles import DependencyContext
from tabguard.supply.online import age_in_days

NEW_PACKAGE_DAYS = 30


class NewPackage(Rule):
    id = "TG707"
    name = "new-package"
    severity = "medium"
    confidence = "low"
    cwe = (1357, 829)
    owasp = "A03:2025"
    message = "`{name}` was first published {age}: check who publishes it before installing"
    placeholders = {"name": "fastapi-auth-helpers", "age": "3 days ago"}
    what = "The package index shows the first release of `{name}` {age}."
    why = (
        "Names that code assistants hallucinate are registered by attackers soon after they appear "
        "in generated code, and typosquats are usually days old when they are found and removed. A "
        "brand-new project with the exact name an assistant suggested is far more likely to be a "
        "trap than a useful library."
    )
    how = (
        "Look at the project page and its repository: who publishes it, what the code does, whether "
        "anyone else depends on it. Prefer an established library; if this one is genuinely yours or "
        "vetted, list it in `trusted-packages`."
    )
    example = "fastapi==0.115.0"
    example_path = "requirements.txt"
    fix_safety = "No automatic rewrite."
    references = (
        "https://cwe.mitre.org/data/definitions/1357.html",
        "https://owasp.org/Top10/2025/A03_2025-Software_Supply_Chain_Failures/",
    )
    online = True
    VALID = (Valid("fastapi==0.115.0\n", path="requirements.txt"),)
    INVALID = (Invalid("fastapi-auth-helpers==0.1.0\n", path="requirements.txt"),)

    def check_dependencies(self, deps: DependencyContext) -> None:
        for requirement in deps.indexed():
            project = deps.projects.get(requirement.key)
            if project is None or not project.exists:
                continue
            first = project.first_release
            if first is None or age_in_days(first) < NEW_PACKAGE_DAYS:
                age = "with no release files" if first is None else f"{age_in_days(first)} days ago"
                deps.report(self, requirement.span, {"name": requirement.name, "age": age})
