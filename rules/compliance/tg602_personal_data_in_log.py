"""TG602: personal data (SSN, card number, date of birth, configured PII names) written to a log."""

from __future__ import annotations

import ast

from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.compliance._logs import LOG_CALL_NAMES, log_call, logged_values, redact_fix
from tabguard.rules.crypto._names import pii_kind


class PersonalDataInLog(Rule):
    id = "TG602"
    name = "personal-data-in-log"
    severity = "medium"
    confidence = "medium"
    cwe = (532, 359)
    owasp = "A09:2025"
    message = "Personal data `{name}` written to the {sink}; log an identifier or a masked value"
    placeholders = {"name": "ssn", "sink": "log"}
    call_names = LOG_CALL_NAMES
    what = (
        "Writes `{name}`, personal or payment data, to the {sink}. The built-in names (SSN, card number, "
        "CVV, date of birth, passport, IBAN, ...) are extended with `pii-names` in the configuration."
    )
    why = (
        "Logs are copied to aggregators, tickets and backups and kept for months, outside the "
        "controls of the database that normally holds this data. A breach of any log store then "
        "exposes identity or card data, and logging it at all breaks PCI DSS (card numbers, CVV) and "
        "GDPR data-minimisation duties, with reporting obligations when the logs leak."
    )
    how = (
        "Log a stable identifier (`customer_id`) or a masked value (`'****' + card_number[-4:]`). "
        "Never log a CVV. Add project-specific names to `pii-names` in `[tool.tabguard]`."
    )
    example = 'logger.info("Charged card ending %s for customer %s", card_number[-4:], customer.id)'
    fix_safety = (
        "Unsafe: the rewrite writes `[REDACTED]` where the personal data was logged (an entry of a logged dict "
        "literal is left out); the log line changes, and anything that read the value from the logs loses it."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/359.html",
        "https://cheatsheetseries.owasp.org/cheatsheets/Logging_Cheat_Sheet.html#data-to-exclude",
    )
    VALID = (
        "import logging\nlogging.info('Charged card ending %s', card_number[-4:])\n",
        "import logging\nlogging.info('Customer %s verified', customer.id)\n",
        "import logging\nlogging.info('ssn field missing')\n",
        "import logging\nlogging.info('ssn length ok: %s', len(ssn) == 9)\n",
    )
    INVALID = (
        Invalid(
            "import logging\nlogging.info('Verifying SSN %s', customer.ssn)\n",
            "import logging\nlogging.info('Verifying SSN %s', \"[REDACTED]\")\n",
        ),
        Invalid(
            "import logging\nlogger = logging.getLogger(__name__)\n"
            "logger.debug(f'card={payment[\"card_number\"]} cvv={cvv}')\n",
            "import logging\nlogger = logging.getLogger(__name__)\nlogger.debug('card=[REDACTED] cvv=[REDACTED]')\n",
        ),
        Invalid(
            "import logging\nlogging.warning('bad dob: %s', date_of_birth)\n",
            "import logging\nlogging.warning('bad dob: %s', \"[REDACTED]\")\n",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        sink = log_call(ctx, node)
        if sink is None:
            return
        extra = ctx.options.get("pii-names", ())
        flagged = [(name, part) for name, part in logged_values(node) if pii_kind(name, extra) is not None]
        if flagged:
            name, part = flagged[0]
            fix = redact_fix(ctx, node, [p for _, p in flagged], [n for n, _ in flagged])
            ctx.report(
                self, part, details={"name": name, "sink": "log" if sink == "log" else "output (print)"}, fix=fix
            )
