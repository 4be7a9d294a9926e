"""TG601: a password, token, API key or other credential written to a log or printed."""

from __future__ import annotations

import ast

from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.compliance._logs import LOG_CALL_NAMES, log_call, logged_values, redact_fix
from tabguard.rules.crypto._names import lexical_token, secret_kind

# Whole header and cookie collections carry `Authorization`, session cookies and API keys.
_CREDENTIAL_CARRIERS = frozenset({"headers", "cookies", "COOKIES", "META"})
_REQUEST_NAMES = frozenset({"request", "req"})


def _request_credentials(node: ast.AST) -> bool:
    """`request.headers`, `self.request.COOKIES`: logged whole, they include the credentials."""
    if not isinstance(node, ast.Attribute) or node.attr not in _CREDENTIAL_CARRIERS:
        return False
    base = node.value
    if isinstance(base, ast.Attribute):
        base = base.attr
    elif isinstance(base, ast.Name):
        base = base.id
    return base in _REQUEST_NAMES


class SecretInLog(Rule):
    id = "TG601"
    name = "secret-in-log"
    severity = "high"
    confidence = "medium"
    cwe = (532,)
    owasp = "A09:2025"
    message = "Credential `{name}` written to the {sink}; log that it happened, not its value"
    placeholders = {"name": "password", "sink": "log"}
    call_names = LOG_CALL_NAMES
    what = "Writes `{name}`, a password, token or key, to the {sink}."
    why = (
        "Logs are read by far more people and systems than the credential store: log aggregators, "
        "support staff, error trackers, backups, and whoever breaches any of them. A logged reset token "
        "or API key is valid until it expires or is rotated, so reading the log is enough to take over "
        "the account. Passwords in logs also end up in plaintext in places covered by no retention "
        "policy (and break PCI DSS and GDPR obligations)."
    )
    how = (
        "Log the event and a non-secret identifier (`user_id`, the key's id or last four characters), "
        "never the value. If a value must be correlated, log a short hash prefix. Consider a "
        "`logging.Filter` that redacts known secret fields as a safety net."
    )
    example = (
        'logger.info("Password reset requested for user %s", user.id)\n'
        'logger.debug("Using API key ending in %s", api_key[-4:])'
    )
    fix_safety = (
        "Unsafe: the rewrite writes `[REDACTED]` where the secret was logged (an entry of a logged dict "
        "literal is left out); the log line changes, and anything that read the value from the logs loses it."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/532.html",
        "https://cheatsheetseries.owasp.org/cheatsheets/Logging_Cheat_Sheet.html#data-to-exclude",
    )
    VALID = (
        "import logging\nlogging.info('Password changed for user %s', user.id)\n",
        "import logging\nlogger = logging.getLogger(__name__)\nlogger.debug('token length %d', len(token))\n",
        "import logging\nlogger = logging.getLogger(__name__)\nlogger.info('key ends with %s', api_key[-4:])\n",
        "import logging\nlogger = logging.getLogger(__name__)\nlogger.info('used %d tokens', max_tokens)\n",
        "def generate_password_cli():\n    password = make()\n    print(f'Your new password: {password}')\n",
        "import logging\nlogger = logging.getLogger(__name__)\nlogger.info('login ok', extra={'user_id': user.id})\n",
        "import logging\nlogger = logging.getLogger(__name__)\nlogger.warning('invalid token for %s', username)\n",
        # a module that tokenizes text: a `token` is a piece of it
        "import logging\nlogger = logging.getLogger(__name__)\ndef _tokenize_spec(spec):\n    return spec.split(',')\n"
        "def _token_kind(token):\n    if token.startswith('{'):\n        logger.warning('missing closing brace: %s', token)\n",
        "import logging\ndef hook(request):\n    logging.debug('user agent %s', request.headers.get('User-Agent'))\n",
    )
    INVALID = (
        Invalid(
            "import logging\nlogger = logging.getLogger(__name__)\n"
            "logger.info('Login attempt %s:%s', username, password)\n",
            "import logging\nlogger = logging.getLogger(__name__)\n"
            "logger.info('Login attempt %s:%s', username, \"[REDACTED]\")\n",
        ),
        # in that module a credential keeps its name
        Invalid(
            "import logging\nlogger = logging.getLogger(__name__)\ndef _tokenize_spec(spec):\n    return spec.split(',')\n"
            "def refresh(api_token):\n    logger.warning('refresh failed: %s', api_token)\n",
            "import logging\nlogger = logging.getLogger(__name__)\ndef _tokenize_spec(spec):\n    return spec.split(',')\n"
            "def refresh(api_token):\n    logger.warning('refresh failed: %s', \"[REDACTED]\")\n",
        ),
        Invalid(
            "import logging\nlogging.debug(f'Reset link token={reset_token}')\n",
            "import logging\nlogging.debug('Reset link token=[REDACTED]')\n",
        ),
        Invalid(
            "app.logger.info('Calling API with key ' + settings.API_KEY)\n",
            "app.logger.info('Calling API with key ' + \"[REDACTED]\")\n",
        ),
        Invalid(
            "def login(request):\n    print('credentials', request.POST['password'])\n",
            "def login(request):\n    print('credentials', \"[REDACTED]\")\n",
        ),
        Invalid(
            "import structlog\nlog = structlog.get_logger()\nlog.info('user_created', email=email, password=pw)\n",
            "import structlog\nlog = structlog.get_logger()\n"
            "log.info('user_created', email=email, password=\"[REDACTED]\")\n",
        ),
        Invalid(
            "import logging\nlogger = logging.getLogger(__name__)\n"
            "logger.info('payload %s', {'user': u, 'secret': s})\n",
            "import logging\nlogger = logging.getLogger(__name__)\nlogger.info('payload %s', {'user': u})\n",
        ),
        Invalid(
            "import logging\ndef hook(request):\n    logging.debug('incoming headers: %s', dict(request.headers))\n",
            "import logging\ndef hook(request):\n    logging.debug('incoming headers: %s', \"[REDACTED]\")\n",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        sink = log_call(ctx, node)
        if sink is None:
            return
        flagged = [
            (ast.unparse(part) if _request_credentials(part) else name, part)
            for name, part in logged_values(node)
            if secret_kind(name) is not None and not lexical_token(ctx, name) or _request_credentials(part)
        ]
        if flagged:
            name, part = flagged[0]
            fix = redact_fix(ctx, node, [p for _, p in flagged], [n for n, _ in flagged])
            ctx.report(
                self, part, details={"name": name, "sink": "log" if sink == "log" else "output (print)"}, fix=fix
            )
