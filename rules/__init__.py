"""The rule catalog: one module per rule, grouped in family folders (`tabguard.rules.<family>`).

Every module defines one `Rule` subclass; `all_rules()` finds them, so adding a rule is adding a file.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from tabguard.engine.rule import Rule

# family folder -> (id range, title)
FAMILIES = {
    "injection": ("TG1", "Injection: commands, code, SQL, NoSQL, templates, markup, XML, deserialization"),
    "defaults": ("TG2", "Insecure defaults: TLS, debug, bind-all, CORS, cookies, CSRF, timeouts, permissions"),
    "crypto": ("TG3", "Cryptography, randomness and hardcoded secrets"),
    "access": ("TG4", "Authorization and logic flaws: IDOR, unguarded admin actions, tokens, sessions"),
    "files": ("TG5", "Files and outbound requests: path traversal, archives, uploads, SSRF, redirects"),
    "compliance": ("TG6", "Compliance: secrets and personal data in logs, error details returned to clients"),
    "supply": ("TG7", "Supply chain: hallucinated, typosquatted, undeclared and deprecated packages"),
    "meta": ("TG9", "tabguard itself: suppression comments"),
}


@lru_cache(maxsize=1)
def all_rules() -> tuple[Rule, ...]:
    """One instance of every rule, ordered by id."""
    found: dict[str, Rule] = {}
    for family in FAMILIES:
        package = importlib.import_module(f"{__name__}.{family}")
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for value in vars(module).values():
                if isinstance(value, type) and issubclass(value, Rule) and value.__module__ == module.__name__:
                    if getattr(value, "id", None) is None:
                        continue
                    if not value.id.startswith(FAMILIES[family][0]):
                        raise RuntimeError(f"{value.id} does not belong in family {family}")
                    if value.id in found:
                        raise RuntimeError(f"duplicate rule id {value.id} in {module.__name__}")
                    found[value.id] = value()
    return tuple(found[k] for k in sorted(found))


def rule_by_id(rule_id: str) -> Rule | None:
    return _by_id().get(rule_id.upper())


@lru_cache(maxsize=1)
def _by_id() -> dict[str, Rule]:
    return {rule.id: rule for rule in all_rules()}
