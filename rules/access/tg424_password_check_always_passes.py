"""TG424: a password strength check that accepts every password."""

from __future__ import annotations

import ast
from typing import Optional

from tabguard.engine.fixes import edits_fix
from tabguard.engine.rule import Invalid, Rule
from tabguard.engine.types import Edit
from tabguard.guards import words
from tabguard.rules.access._handlers import def_span

# NIST SP 800-63B's minimum for passwords a user chooses.
_MINIMUM_LENGTH = 8
_CHECK_WORDS = frozenset(
    {"validate", "check", "is", "strong", "strength", "complexity", "policy", "valid", "acceptable", "verify"}
)
# A password check that compares these verifies a password, not its strength.
_VERIFY_WORDS = frozenset({"hash", "hashed", "stored", "user", "correct", "matches", "match", "login"})


class PasswordCheckAlwaysPasses(Rule):
    id = "TG424"
    name = "password-check-always-passes"
    severity = "medium"
    confidence = "medium"
    cwe = (521,)
    owasp = "A07:2025"
    message = "`{function}` accepts every password ({reason})"
    placeholders = {"function": "validate_password", "reason": "it always returns True"}
    what = "`{function}` is meant to enforce a password policy, but {reason}."
    why = (
        "Users (and scripts creating accounts) then pick `123456` or `password`, the first entries of every "
        'guessing list; a placeholder check left by an assistant ("TODO: add rules") looks like a policy in '
        "review and enforces nothing."
    )
    how = (
        "Enforce a minimum length of at least 8 (NIST SP 800-63B; 12 or more is better) and reject passwords "
        "found in breach lists (`zxcvbn`, the Pwned Passwords range API, Django's "
        "`CommonPasswordValidator`). Length and a blocklist beat composition rules."
    )
    example = "def validate_password(password: str) -> bool:\n    return len(password) >= 12 and password.lower() not in COMMON_PASSWORDS"
    fix_safety = (
        "Unsafe: the check's answer becomes `len(password) >= 8` (NIST SP 800-63B's minimum), so "
        "shorter passwords are refused from now on; existing accounts keep theirs until they change it. "
        "Add a breached-password check by hand: it has no mechanical form."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/521.html",
        "https://owasp.org/Top10/2025/A07_2025-Authentication_Failures/",
        "https://pages.nist.gov/800-63-4/sp800-63b.html",
    )
    VALID = (
        "def validate_password(password):\n    return len(password) >= 12\n",
        "def is_strong_password(pw):\n    if len(pw) < 8:\n        return False\n    return True\n",
        # verifying a password (not its strength) is another matter
        "def check_user_password(user, password):\n    return True\n",
        "def validate_password(password):\n    raise NotImplementedError\n",
    )
    INVALID = (
        Invalid(
            "def validate_password(password):\n    # TODO: add complexity rules\n    return True\n",
            "def validate_password(password):\n    # TODO: add complexity rules\n    return len(password) >= 8\n",
        ),
        Invalid(
            "def is_strong_password(password: str) -> bool:\n    return len(password) >= 1\n",
            "def is_strong_password(password: str) -> bool:\n    return len(password) >= 8\n",
        ),
        Invalid(
            "def check_password_strength(pw):\n    if len(pw) > 0:\n        return True\n    return True\n",
            "def check_password_strength(pw):\n    if len(pw) > 0:\n        return len(pw) >= 8\n"
            "    return len(pw) >= 8\n",
        ),
    )

    def visit_FunctionDef(self, node: ast.AST, ctx) -> None:
        said = set(words(node.name))
        if not ({"password", "passwd", "pw"} & said and said & _CHECK_WORDS) or said & _VERIFY_WORDS:
            return
        returns = [n.value for n in ast.walk(node) if isinstance(n, ast.Return)]
        if not returns:
            return
        reason = _always(returns)
        if reason is not None:
            ctx.report(
                self,
                def_span(ctx, node),
                details={"function": node.name, "reason": reason},
                fix=_fix(ctx, node, returns),
            )

    visit_AsyncFunctionDef = visit_FunctionDef


def _fix(ctx, function, returns: list):
    """Each return answers whether the password has the minimum length the advice names."""
    params = [a.arg for a in (*function.args.posonlyargs, *function.args.args) if a.arg not in ("self", "cls")]
    if not params or any(v is None for v in returns):
        return None
    check = f"len({params[0]}) >= {_MINIMUM_LENGTH}"
    return edits_fix(
        [Edit(ctx.span(value), check) for value in returns],
        f"Fix: require at least {_MINIMUM_LENGTH} characters",
        safe=False,
    )


def _always(returns: list) -> Optional[str]:
    if all(isinstance(v, ast.Constant) and v.value is True for v in returns):
        return "it always returns True"
    if len(returns) == 1 and isinstance(returns[0], ast.Compare) and _trivial_length(returns[0]):
        return "its only test is a length of at least 1"
    return None


def _trivial_length(test: ast.Compare) -> bool:
    """`len(pw) >= 1`, `len(pw) > 0`: true for any password that was typed at all."""
    if len(test.ops) != 1 or not isinstance(test.left, ast.Call) or getattr(test.left.func, "id", None) != "len":
        return False
    bound = test.comparators[0]
    if not isinstance(bound, ast.Constant) or not isinstance(bound.value, int):
        return False
    return isinstance(test.ops[0], ast.GtE) and bound.value <= 1 or isinstance(test.ops[0], ast.Gt) and bound.value <= 0
