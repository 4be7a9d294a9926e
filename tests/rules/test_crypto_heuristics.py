"""Name, placeholder and context heuristics behind the crypto rules (TG3xx): what counts as a secret,
and the look-alikes that must stay quiet."""

from __future__ import annotations

import pytest

from tabguard.analysis import analyze_text, ruleset_for
from tabguard.guards import words
from tabguard.rules.crypto._names import pii_kind, secret_kind
from tabguard.rules.crypto._secrets import is_placeholder, known_format, looks_like_secret

CRYPTO = ruleset_for(("TG3",))


def _ids(code: str, path: str = "app.py") -> list[str]:
    return [f.rule_id for f in analyze_text(code, path, CRYPTO).findings()]


@pytest.mark.parametrize(
    "name,expected",
    [
        ("apiKey", ["api", "key"]),
        ("API_KEY", ["api", "key"]),
        ("resetToken", ["reset", "token"]),
        ("HTTPSProxy", ["https", "proxy"]),
        ("user2fa_code", ["user", "2", "fa", "code"]),
    ],
)
def test_words_split_snake_and_camel_case(name, expected):
    assert words(name) == expected


@pytest.mark.parametrize(
    "name,kind",
    [
        ("password", "password"),
        ("db_pass", "password"),
        ("userPin", "password"),
        ("SECRET_KEY", "secret"),
        ("stripeApiKey", "secret"),
        ("reset_token", "secret"),
        ("verification_code", "secret"),
        ("session_id", "secret"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
    ],
)
def test_secret_names(name, kind):
    assert secret_kind(name) == kind


@pytest.mark.parametrize(
    "name",
    [
        "max_tokens",
        "token_count",
        "password_policy",
        "TOKEN_URL",
        "key",
        "code",
        "bypass",
        "spinner",
        "tokenizer",
        "password_reset_url",
        "cache_token",
        "token_type",
        "passthrough",
    ],
)
def test_metadata_about_secrets_is_not_a_secret(name):
    assert secret_kind(name) is None


def test_digest_names_count_only_when_asked():
    assert secret_kind("webhook_signature") is None
    assert secret_kind("webhook_signature", digests=True) == "digest"
    assert secret_kind("file_hash", digests=True) is None  # a checksum, not a secret
    assert secret_kind("password_hash", digests=True) == "password"


def test_pii_names_builtin_and_configured():
    assert pii_kind("customer_ssn") == "ssn"
    assert pii_kind("cardNumber") == "card_number"
    assert pii_kind("loyalty_id") is None
    assert pii_kind("member_loyalty_number", extra=("loyalty_number",)) == "loyalty_number"
    assert pii_kind("ssn_field_name") is None


@pytest.mark.parametrize(
    "value",
    [
        "",
        "changeme",
        "<your-api-key>",
        "${SECRET_KEY}",
        "{{ secret }}",
        "xxxxxxxxxxxxxxxx",
        "********",
        "your-secret-key-here",
        "test-password",
        r"(?=\s|#|[)\]]|$)",
        "string?",
        "%(password)s",
    ],
)
def test_placeholders(value):
    assert is_placeholder(value)


@pytest.mark.parametrize("value", ["k9#Lq2!vX7@pR4$wZ8", "Pg_admin!2024", "hunter22", "s3cr3tP@ss"])
def test_real_looking_values_are_not_placeholders(value):
    assert not is_placeholder(value)


def test_secret_shape_depends_on_kind():
    assert looks_like_secret("root", "password")
    assert not looks_like_secret("root", "secret")
    assert not looks_like_secret("Authorization header", "secret")
    assert looks_like_secret("f3a9c2e1b7d84f6a9c0e2b4d6f8a1c3e", "secret")


def test_known_formats_ignore_documentation_examples():
    assert known_format("AKIAQX3T7RZN4KDM2WPL") == "AWS access key id"
    assert known_format("AKIAIOSFODNN7EXAMPLE") is None
    assert known_format("ghp_" + "a1B2" * 9) == "GitHub token"
    assert known_format("-----BEGIN OPENSSH PRIVATE KEY-----") == "private key"
    assert known_format("sk_test_4eC39HqLyjWDarjtT1zdp7dc") is None


def test_known_format_is_flagged_whatever_the_name():
    assert _ids("region = 'us-east-1'\nsession_config = {'id': 'AKIAQX3T7RZN4KDM2WPL'}\n") == ["TG310"]


def test_hardcoded_secret_quiet_in_tests_and_fixtures():
    code = "DB_PASSWORD = 'Pg_admin!2024'\n"
    assert _ids(code) == ["TG310"]
    assert _ids(code, "tests/test_db.py") == []
    assert _ids(code, "app/conftest.py") == []


def test_random_in_non_security_functions_is_quiet():
    assert _ids("import random\ndef backoff_delay(attempt):\n    token = random.random()\n    return token\n") == []
    assert _ids("import random\ndef new_session_id():\n    return str(random.getrandbits(64))\n") == ["TG309"]


def test_md5_for_cache_keys_and_etags_is_quiet_but_signatures_are_not():
    assert _ids("import hashlib\ndef etag(body):\n    return hashlib.md5(body).hexdigest()\n") == []
    assert _ids("import hashlib\nfingerprint_cache = hashlib.md5(b).hexdigest()\n") == []
    assert _ids("import hashlib\ndef sign(body, key):\n    return hashlib.md5(key + body).hexdigest()\n") == ["TG302"]


def test_password_hashed_once_is_reported_once():
    assert _ids("import hashlib\nh = hashlib.md5(password.encode()).hexdigest()\n") == ["TG301"]


def test_timing_compare_ignores_lexer_tokens_and_checksums():
    assert _ids("def f(token, value):\n    return token == Keyword and value == 'x'\n") == []
    assert _ids("def f(a, b):\n    return a.checksum == b.checksum\n") == []
    assert _ids("def f(req, stored):\n    return req.headers['X-Token'] == stored.api_token\n") == ["TG311"]


def test_random_rewrite_keeps_operator_precedence():
    doc = analyze_text("import random\npin = random.randint(1, 9) * 10\n", "app.py", CRYPTO)
    fix = next(f for f in doc.findings() if f.rule_id == "TG309").fix()
    assert fix is not None and fix.edits[0].new_text == "(secrets.randbelow(9) + 1)"
