"""TG314: a credential printed into a notebook's saved output (the `.ipynb` file keeps it)."""

from __future__ import annotations

import json
import re
from typing import Iterator, NamedTuple

from tabguard.engine.rule import Invalid, Rule, Valid
from tabguard.rules.crypto._names import secret_kind
from tabguard.rules.crypto._secrets import KNOWN_FORMATS, is_placeholder, known_format, looks_like_secret

# `API_KEY=...`, `'api_key': '...'`, `token: ...` as env dumps, dict reprs and log lines print them.
# The name starts where a word does and is at most 64 characters: outputs hold long runs of word
# characters (base64 images in HTML), which must cost one pass, not one per character.
_NAMED = re.compile(
    r"""(?<![\w.-])(?P<name>[A-Za-z_][\w.-]{0,63})['"]?[ \t]*[:=][ \t]*[bu]?['"]?(?P<value>[^\s'",;)}\]]+)"""
)


class Leak(NamedTuple):
    start: int  # indexes in the text
    end: int
    kind: str  # what it is, for the message: "GitHub token", "`api_key` value"
    confidence: str


def leaks(text: str) -> Iterator[Leak]:
    """The credentials in an output's text: provider key formats wherever they are (high confidence),
    and values printed under a credential's name that look random enough (medium). Placeholders,
    masked values (`****`) and documentation examples are not credentials."""
    taken: list[tuple[int, int]] = []
    for label, pattern in KNOWN_FORMATS:
        for match in pattern.finditer(text):
            # no credential is this long; the check's memo must not keep megabytes of output
            if match.end() - match.start() <= 8192 and known_format(match.group(0)) is not None:
                taken.append(match.span())
                yield Leak(match.start(), match.end(), label, "high")
    for match in _NAMED.finditer(text):
        name, value = match.group("name"), match.group("value")
        kind = secret_kind(name.rpartition(".")[2])
        start, end = match.span("value")
        if kind is None or any(a < end and start < b for a, b in taken):
            continue
        if not is_placeholder(value, name) and looks_like_secret(value, kind) and len(value) >= 8:
            yield Leak(start, end, f"`{name}` value", "medium")


def _notebook(source: list[str], output: list[str]) -> str:
    """A small notebook for the examples: one code cell and one saved stream output."""
    cell = {
        "cell_type": "code",
        "execution_count": 1,
        "metadata": {},
        "source": source,
        "outputs": [{"name": "stdout", "output_type": "stream", "text": output}],
    }
    return json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1) + "\n"


class SecretInNotebookOutput(Rule):
    id = "TG314"
    name = "secret-in-notebook-output"
    severity = "high"
    confidence = "high"
    cwe = (312, 200)
    owasp = "A04:2025"
    message = "{kind} saved in the output of cell {cell}: the notebook file now holds the credential"
    placeholders = {"kind": "API key", "cell": "3"}
    what = (
        "A saved output of a code cell (printed text, a displayed value, a traceback) contains a "
        "credential ({kind}). Jupyter writes outputs into the `.ipynb` file, so the credential is in the file."
    )
    why = (
        "Notebooks are committed, shared and rendered on GitHub with their outputs. A cell that "
        "printed `os.environ`, a config dict or a client object leaves the live token in the file: "
        "anyone who can read the repository, a rendered copy or a pasted gist can call the service as "
        "you, and the token stays in the history after the output is cleared. Assistants often print "
        "a value to check it was loaded."
    )
    how = (
        "Rotate the credential first: it has been written to disk and maybe pushed. Then clear the "
        "output (Jupyter: Edit > Clear Outputs; `jupyter nbconvert --clear-output --inplace`), print "
        "only whether the value is set or its last four characters, and strip outputs before "
        "committing (`nbstripout`)."
    )
    example = 'import os\nkey = os.environ["OPENAI_API_KEY"]\nprint("key loaded:", bool(key))'
    fix_safety = (
        "No automatic rewrite: clearing the output does not revoke the credential, and the code cell "
        "that printed it needs changing too."
    )

    references = (
        "https://cwe.mitre.org/data/definitions/312.html",
        "https://nbformat.readthedocs.io/en/latest/format_description.html#code-cells",
        "https://github.com/kynan/nbstripout",
    )
    VALID = (
        Valid(
            _notebook(
                ["import os\n", "print('key loaded:', bool(os.environ['OPENAI_API_KEY']))"], ["key loaded: True\n"]
            ),
            path="example.ipynb",
        ),
        Valid(
            _notebook(["print(settings)"], ["{'api_key': '********', 'model': 'gpt-4o', 'max_tokens': 4096}\n"]),
            path="example.ipynb",
        ),
    )
    INVALID = (
        Invalid(
            _notebook(["print(os.environ['GITHUB_TOKEN'])"], ["ghp_Wq3rT8zLm2Xv9Kp4Nd7Ys1Bc6Hj0Fa5Ge8Ru\n"]),
            path="example.ipynb",
        ),
        Invalid(
            _notebook(["client.config"], ["{'api_key': 'f3a9c2e71b8d4c06a5e2d9b7c1f04e68', 'region': 'eu'}\n"]),
            path="example.ipynb",
        ),
    )

    def check_output(self, out) -> None:
        """Each saved output's text (see `tabguard.notebook.outputs.OutputContext`)."""
        for leak in leaks(out.text):
            out.report(self, leak.start, leak.end, {"kind": leak.kind}, leak.confidence)
