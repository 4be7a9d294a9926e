"""Is a string literal a real credential? Known key formats, placeholders, and how random it looks."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from tabguard.guards import words
from tabguard.rules.crypto._names import SECRET_WORDS, shannon_entropy

# Formats issued by providers: a match is a credential whatever the variable is called.
KNOWN_FORMATS = (
    ("AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{50,})\b")),
    ("Slack token", re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}")),
    ("Stripe live key", re.compile(r"\b[rs]k_live_[A-Za-z0-9]{20,}")),
    ("Google API key", re.compile(r"\bAIza[0-9A-Za-z_\-]{35}")),
    ("OpenAI/Anthropic API key", re.compile(r"\bsk-(?:proj-|ant-)?[A-Za-z0-9_\-]{32,}")),
    ("SendGrid API key", re.compile(r"\bSG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}\b")),
    ("private key", re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY( BLOCK)?-----")),
    ("JSON Web Token", re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}")),
)
# Words that mark a value as an example to be replaced, not a credential.
_PLACEHOLDER_WORDS = frozenset(
    {
        "example",
        "examples",
        "test",
        "testing",
        "dummy",
        "fake",
        "sample",
        "placeholder",
        "changeme",
        "change",
        "your",
        "yours",
        "xxx",
        "todo",
        "fixme",
        "redacted",
        "replace",
        "insert",
        "enter",
        "none",
        "null",
        "nil",
        "undefined",
        "env",
        "environ",
        "getenv",
        "secret",
        "password",
        "token",
        "key",
        "here",
        "mock",
        "default",
        "foo",
        "bar",
        "baz",
        "dev",
        "development",
        "local",
        "localhost",
        "demo",
        "notasecret",
        "not",
        "string",
        "str",
        "bytes",
        "optional",
        "required",
        "text",
        "hidden",
        "masked",
    }
)
# Words that name a credential: in a value compared with one, part of the credential (`"Secret123"`).
_CREDENTIAL_WORDS = frozenset({"secret", "password", "token", "key"})
# The words credential fields are named with (`passwd`, `api_key`, `client_secret`): a value made of
# them names a field, as in a table mapping one library's argument names to another's. Not the
# words that are weak passwords as often (`"pass"`, `"pin"`).
_FIELD_WORDS = (SECRET_WORDS - {"pass", "pin", "pw"}) | {"key", "api", "access", "private", "client", "auth"}
# Regular expressions assigned to `TOKEN_RE`-style names in lexers and parsers.
_REGEX = re.compile(r"\(\?|\\[sSwWdDbB]|\[\^|\][*+?]|\)[*+?]|\|\\")
_TEMPLATE = re.compile(r"\$\{|\{\{|\{[A-Za-z_]*\}|%\(|%s|<[^<>]*>|^\$[A-Z_]+$|^\*+$")


@lru_cache(maxsize=4096)  # every string literal is checked, and a file repeats its strings
def known_format(value: str) -> Optional[str]:
    """The provider format `value` contains (ignoring obvious documentation examples), else None."""
    if "EXAMPLE" in value.upper() and "PRIVATE KEY" not in value:
        return None
    for label, pattern in KNOWN_FORMATS:
        match = pattern.search(value)
        if match and not _mostly_one_char(match.group(0)[4:]):
            return label
    return None


# Names of the key that signs this application's own sessions and tokens (`SECRET_KEY`, `JWT_SECRET`,
# `app.secret_key`, `signing_key`); names of outside services' credentials are not among them.
_SIGNING_WORDS = frozenset(
    {"secret", "signing", "jwt", "hmac", "session", "app", "flask", "django", "fernet", "encryption"}
)
_OUTSIDE_WORDS = frozenset(
    {
        "api",
        "client",
        "aws",
        "stripe",
        "access",
        "webhook",
        "consumer",
        "oauth",
        "github",
        "google",
        "slack",
        "twilio",
        "sendgrid",
        "openai",
        "s3",
        "azure",
        "gcp",
        "db",
        "database",
        "smtp",
        "email",
        "mail",
        "redis",
        "bot",
        "x",
    }
)


@lru_cache(maxsize=4096)
def signing_key_name(name: Optional[str]) -> bool:
    ws = words(name or "")
    if not ws or _OUTSIDE_WORDS.intersection(ws) or not ({"key", "secret"} & set(ws)):
        return False
    return ws == ["secret"] or bool(_SIGNING_WORDS.intersection(ws) - {"secret"}) or ws == ["secret", "key"]


def is_template(value: str) -> bool:
    """`${SECRET_KEY}`, `{{ secret }}`, `<your-key>`, `****`: filled in or masked, not a value."""
    return bool(_TEMPLATE.search(value))


def is_placeholder(value: str, name: str = "", compared: bool = False) -> bool:
    """Empty, templated (`${X}`, `<your-key>`), masked (`****`, `xxxx`), or made of example words.
    `compared`: the value is what a credential is checked against (`password == "Secret123"`), where
    it is the credential itself: a credential word among other words or digits no longer marks it."""
    stripped = value.strip()
    if len(stripped) < 3 or _TEMPLATE.search(stripped) or _REGEX.search(stripped) or _mostly_one_char(stripped):
        return True
    value_words = words(stripped)
    ignored = _CREDENTIAL_WORDS if compared and not set(value_words) <= _PLACEHOLDER_WORDS else frozenset()
    if any(w in _PLACEHOLDER_WORDS - ignored or re.fullmatch(r"x{3,}", w) for w in value_words):
        return True
    # `password = "passwd"` (a table of argument names): the value is a credential field's name.
    if stripped.isidentifier() and all(w in _FIELD_WORDS for w in value_words):
        return True
    # `TOKEN_HEADER = "X-Token"`, `password = "Password"`, `upgrade_token = "upgrades"`: the value
    # names the field (a plural of the name's own word is still that word).
    named = {_singular(w) for w in words(name)} | {"x", "api", "auth", "id"}
    return bool(name) and {_singular(w) for w in value_words} <= named


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


# A private name says where a value is kept, not the value (`SESSION_KEY = "_auth_user_id"`, the
# session entry holding the user's id); a sentinel is a word in capitals (`csrf_token == "NOTPROVIDED"`).
# Random keys mix cases and digits.
_PRIVATE_NAME = re.compile(r"_[a-z][a-z0-9_]*")
_SENTINEL = re.compile(r"[A-Z]+(?:_[A-Z]+)*")


def is_private_name(value: str) -> bool:
    return bool(_PRIVATE_NAME.fullmatch(value.strip()))


def looks_like_secret(value: str, kind: str) -> bool:
    """Plausible as a credential of this kind: passwords may be short and simple; other secrets
    (keys, tokens) are long and varied."""
    stripped = value.strip()
    if kind == "password":
        return 3 <= len(stripped) <= 128 and stripped.count(" ") <= 3
    if len(stripped) < 8 or " " in stripped or is_private_name(stripped) or _SENTINEL.fullmatch(stripped):
        return False
    return shannon_entropy(stripped) >= 3.0


def _mostly_one_char(text: str) -> bool:
    return bool(text) and max(text.count(c) for c in set(text)) / len(text) >= 0.6


# A bare `key` is usually a dict key or a lookup name; holding a long random mix of cases and digits it
# is an access key. Public keys (`public_key`, a reCAPTCHA `site_key`) are meant to be shared.
_RANDOM_KEY = re.compile(r"[A-Za-z0-9+/=_\-]{24,}")
_PUBLIC_WORDS = frozenset({"public", "pub", "publishable", "site", "verify", "verifying", "verification"})


def random_key(name: Optional[str], value: str) -> bool:
    """A literal bound to a name ending in `key` that reads like a generated access key."""
    ws = words(name or "")
    if not ws or ws[-1] != "key" or _PUBLIC_WORDS.intersection(ws) or not _RANDOM_KEY.fullmatch(value):
        return False
    mixed = any(c.isupper() for c in value) and any(c.islower() for c in value) and sum(c.isdigit() for c in value) >= 3
    return mixed and shannon_entropy(value) >= 4.0 and not is_placeholder(value, name or "")
