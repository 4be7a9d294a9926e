"""TG122: a shell glob handed to a program that reads file names starting with `-` as options."""

from __future__ import annotations

import ast
import re

from tabguard.engine.fixes import text_fix
from tabguard.engine.rule import Invalid, Rule
from tabguard.rules.injection import last_names
from tabguard.rules.injection._shell import (
    ASYNC_SHELL,
    LAUNCHERS,
    SHELL_STRING_CALLS,
    shell_text,
)
from tabguard.rules.injection._strings import constant_text

# Programs with options that run commands or follow other files, so an injected option is dangerous:
# `tar --checkpoint-action=exec=...`, `rsync -e cmd`, `chown/chmod --reference=file`, `zip -TT cmd`.
_OPTION_SENSITIVE = frozenset({"tar", "rsync", "chown", "chmod", "chgrp", "zip", "scp"})
# A word whose expansion starts with a file name (`*`, `*.log`, `?x`, `[ab]*`); `dir/*` and `./*`
# expand to names starting with the directory, which are never options.
_LEADING_GLOB = re.compile(r"^[*?\[]")
_COMMAND_SEPARATOR = re.compile(r"&&|\|\||[;|&\n]")


def _wildcard_word(text: str) -> tuple[str, str] | None:
    """(program, glob word) for the first simple command of `text` that passes a leading glob to an
    option-sensitive program before any `--`."""
    for command in _COMMAND_SEPARATOR.split(text):
        words = command.split()
        if not words:
            continue
        program = words[0].rsplit("/", 1)[-1]
        if program == "sudo" and len(words) > 1:
            words = words[1:]
            program = words[0].rsplit("/", 1)[-1]
        if program not in _OPTION_SENSITIVE:
            continue
        for word in words[1:]:
            if word == "--":
                break
            if _LEADING_GLOB.match(word):
                return program, word
    return None


class ShellWildcardArgument(Rule):
    id = "TG122"
    name = "shell-wildcard-argument"
    severity = "medium"
    confidence = "medium"
    cwe = (155, 88)
    owasp = "A05:2025"
    message = "`{program}` receives the shell glob `{glob}`: a file named like an option becomes one"
    placeholders = {"program": "tar", "glob": "*"}
    aliases = ("B609", "S609")
    call_names = last_names(SHELL_STRING_CALLS | ASYNC_SHELL) | LAUNCHERS
    what = (
        "A shell command runs `{program}` with the glob `{glob}`. The shell expands it to the file names "
        "in the directory before `{program}` starts, and `{program}` reads a name beginning with `-` as "
        "one of its options."
    )
    why = (
        "Anyone who can create a file where the command runs (an upload folder, a shared /tmp "
        "directory, a checked-out repository) chooses options: files named `--checkpoint=1` and "
        "`--checkpoint-action=exec=sh x.sh` make `tar cf backup.tar *` run `x.sh`; `-e sh x.sh` does the "
        "same for `rsync`; `--reference=owned_by_me` makes `chown user *` copy the attacker's ownership."
    )
    how = (
        "Write `./*` instead of `*` (every expansion then starts with `./`, never `-`), or end the options "
        "with `--` before the glob. Better still, list the files in Python and pass an argument list "
        "without a shell."
    )
    example = 'os.system("tar czf /backup/site.tgz ./*")\nsubprocess.run(["chown", "-R", "www-data", "--", *paths], check=True)'
    fix_safety = (
        "Unsafe: `*` becomes `./*`, so names reach the program with a `./` prefix (in a tar archive the "
        "members are stored as `./name`). Offered only for a plain one-line string literal."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/155.html",
        "https://www.exploit-db.com/papers/33930",
        "https://www.gnu.org/software/tar/manual/html_node/checkpoints.html",
    )
    VALID = (
        'import os\nos.system("tar czf /backup/site.tgz ./*")\n',
        'import os\nos.system("chown -R www-data -- *")\n',
        'import subprocess\nsubprocess.Popen("/bin/chmod *")\n',
        'import subprocess\nsubprocess.run(["tar", "czf", "out.tgz", "*"])\n',
        'import os\nos.system("tar czf /backup/logs.tgz /var/log/app/*.log")\n',
        'import os\nos.system("ls -l *")\n',
    )
    INVALID = (
        Invalid(
            'import os\nos.system("tar czf /backup/site.tgz *")\n',
            'import os\nos.system("tar czf /backup/site.tgz ./*")\n',
        ),
        Invalid(
            'import subprocess\nsubprocess.run("cd /srv/uploads && chown www-data *.jpg", shell=True)\n',
            'import subprocess\nsubprocess.run("cd /srv/uploads && chown www-data ./*.jpg", shell=True)\n',
        ),
        Invalid('import subprocess\ndef sync(dest):\n    subprocess.run(["sh", "-c", f"rsync -a * {dest}"])\n'),
    )

    def visit_Call(self, node: ast.Call, ctx) -> None:
        callee = ctx.call_name(node) or ""
        command = shell_text(node, callee, ctx)
        if command is None:
            return
        found = _wildcard_word(constant_text(command, ctx))
        if found is None:
            return
        program, glob = found
        ctx.report(self, command, details={"program": program, "glob": glob}, fix=_fix(command, glob, ctx))


def _fix(command: ast.expr, glob: str, ctx):
    """`*` -> `./*` inside a one-line literal whose source text is exactly its value in quotes."""
    if not isinstance(command, ast.Constant) or not isinstance(command.value, str):
        return None
    span = ctx.span(command)
    source = ctx.segment(span)
    if span.start_line != span.end_line or source[1:-1] != command.value or source[:1] not in ("'", '"'):
        return None
    at = re.search(r"(?<=\s)" + re.escape(glob) + r"(?=\s|$)", command.value)
    if at is None:
        return None
    fixed = source[0] + command.value[: at.start()] + "./" + command.value[at.start() :] + source[-1]
    return text_fix(span, fixed, f"Fix: pass ./{glob} so no name can start with -", safe=False)
