"""TG705: an application requirements file that does not pin a dependency's version."""

from __future__ import annotations

from tabguard.engine.rule import Invalid, Rule, Valid
from tabguard.supply.depfiles import DependencyContext, replacing


class UnpinnedRequirement(Rule):
    id = "TG705"
    name = "unpinned-requirement"
    severity = "low"
    confidence = "medium"
    cwe = (1357, 494)
    owasp = "A03:2025"
    message = "`{name}` is not pinned (`{spec}`): every install may get a different release"
    placeholders = {"name": "flask", "spec": "any version"}
    what = "The requirements file accepts {spec} of `{name}` instead of one exact version."
    why = (
        "An application's requirements file decides what runs in production. Without a pin, each "
        "install takes whatever release is newest that day: a compromised release published by a "
        "hijacked maintainer account (as happened to `ctx`, `ultralytics` and others) reaches "
        "production with no change on your side, and vulnerability scanners cannot tell which "
        "version you run."
    )
    how = (
        "Pin exact versions (`name==1.2.3`), ideally with hashes (`pip-compile --generate-hashes`, "
        "`uv pip compile`), and upgrade deliberately. Libraries declare ranges in pyproject.toml "
        "instead; this check applies to requirements files only."
    )
    example = "flask==3.0.3\nrequests==2.32.3"
    example_path = "requirements.txt"
    fix_safety = (
        "Unsafe: the rewrite pins the version installed in the workspace's environment, which is what "
        "the code runs with here; installs elsewhere that resolved a newer release get the pinned one. "
        "Not offered when the package is not installed."
    )
    # Its fix depends on what is installed, so no example can show it (tests/supply/test_supply_depfiles.py).
    unshown_fix_safe = False
    references = (
        "https://cwe.mitre.org/data/definitions/1357.html",
        "https://pip.pypa.io/en/stable/topics/secure-installs/",
    )
    VALID = (
        Valid(
            "flask==3.0.3\nrequests==2.32.3 --hash=sha256:70761cfe03c773ceb22aa2f671b4757976145175cdfca038c02654d061d6dcc6\n",
            path="requirements.txt",
        ),
    )
    INVALID = (
        Invalid(
            "celery>=5.3\nredis\n",
            path="requirements.txt",
            message="`redis` is not pinned (`any version`)",
            at=(2, 1, 2, 6),
        ),
    )

    def check_dependencies(self, deps: DependencyContext) -> None:
        if not deps.is_application:
            return
        for requirement in deps.checked():
            if requirement.direct or requirement.pinned_version is not None:
                continue
            installed = deps.installed.get(requirement.key)
            fix = None
            if installed and requirement.spec_span is not None:
                fix = replacing(
                    requirement.spec_span, f"=={installed}", f"Fix: pin the installed version {installed}", safe=False
                )
            deps.report(
                self, requirement.span, {"name": requirement.name, "spec": requirement.spec or "any version"}, fix
            )
