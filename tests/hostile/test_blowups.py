"""Inputs whose cost grew with the square of their size (issue 18, "Blow-ups"). Each fixed
pattern runs on a pathological input in a subprocess whose timeout is only a hang guard: the
fixed versions take milliseconds, the old ones minutes."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

# (setup, call): 0.2 to 2 million characters shaped to make the old patterns backtrack; the Flask
# parameter pattern was already linear and stays here as the audit's record.
CASES = {
    "suppression comment": (
        "from tabguard.engine.suppress import _TABGUARD as p",
        "list(p.finditer('# tabguard: ignore[' * 100_000))",
    ),
    "quick-fix ignore comment": (
        "from tabguard.lsp.convert import ignore_action; from tabguard.lsp.positions import Encoding; "
        "from tabguard.engine.types import Finding, Span",
        "ignore_action(Finding('TG201', Span(0, 0, 0, 1), 'm', 'high'), 'file:///a.py', "
        "['# tabguard: ignore[' * 100_000], Encoding(), None)",
    ),
    "FastAPI path parameter": (
        "from tabguard.engine.context import _FASTAPI_PATH_PARAM as p",
        "p.findall('/' + '{a:' * 70_000)",
    ),
    "Flask path parameter": (
        "from tabguard.engine.context import _FLASK_PATH_PARAM as p",
        "p.findall('/' + '<a' * 100_000)",
    ),
    "route words": ("from tabguard.rules.access._handlers import _PATH_PARAM as p", "p.sub(' ', '/' + '<a' * 100_000)"),
    "requirement options": (
        "from tabguard.supply.declared import parse_requirements_file; from pathlib import Path",
        "parse_requirements_file(Path('requirements.txt'), 'requests' + ' ' * 200_000 + 'x')",
    ),
    "mixin names": (
        "from tabguard.guards import _mixin_of, _AUTH_MIXIN_WORDS as w",
        "_mixin_of('Auth' * 50_000 + 'X', w)",
    ),
    "gitignore fixed runs": ("from tabguard.ignore import _FIXED as p", "p.search('[' * 200_000)"),
    "markdown links": ("from tabguard.render import _LINK as p", "p.sub('', '[' * 200_000)"),
    "secret placeholders": ("from tabguard.rules.crypto._secrets import _TEMPLATE as p", "p.search('<[' * 100_000)"),
    "password writes": (
        "from tabguard.rules.access.tg419_plaintext_password import _writes_password as f",
        "f(' UPDATE' * 30_000)",
    ),
    "containment calls": (
        "from tabguard.rules.files._members import is_containment_name as f",
        "f('is_safe' * 30_000 + 'x')",
    ),
    "setting names": (
        "from tabguard.rules.access.tg407_long_session_lifetime import _kind as f",
        "f('BEARER' * 30_000)",
    ),
    "host names in regexes": (
        "from tabguard.analysis import analyze_text",
        "analyze_text('import re\\nre.match(' + repr('-' * 200_000) + ', h)\\n').findings()",
    ),
    "gitignore star runs": (
        "from tabguard.ignore import parse",
        "[q.regex.fullmatch('a' * 200_000) for q in parse('*a*a*a*a*a*a*a*a*a*b\\n', '')]",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_pathological_input_completes(name):
    setup, call = CASES[name]
    code = f"{setup}\n{call}\n"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_a_huge_package_name_uses_bounded_memory():
    # The look-alike search built every string one edit away: 2.7 GB for 6,000 letters.
    code = textwrap.dedent("""
        import resource
        from tabguard.supply.data import known_packages
        known = known_packages()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        for length in (6_000, 20_000):
            assert known.lookalike("a" * length) is None
            assert known.lookalike("a" * length, strict=True) is None
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
        assert grown < 200_000, f"{grown} KB"  # ru_maxrss is in KB on Linux
    """)
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_a_huge_dependency_file_beside_the_checked_one_is_skipped(tmp_path, caplog):
    from tabguard.cli import main

    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "a.py").write_text("import requests\n")
    (tmp_path / "requirements-dev.txt").write_text("requests==2.0\n" + "pkg-name==1.0\n" * 200_000)
    main(["check", "--no-cache", str(tmp_path / "a.py")])
    said = [r.getMessage() for r in caplog.records]  # logged: the CLI prints warnings on stderr
    assert any("requirements-dev.txt" in m and "over max-file-size" in m for m in said), said
