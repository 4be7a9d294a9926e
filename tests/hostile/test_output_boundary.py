"""What the command line writes, where a repository chooses part of it.

- A repository names its files and routes: a name holding terminal escapes (erase the line above,
  set the window title) or a newline (a forged report line) was printed as it is.
- A repository can commit a symlink where a CI job writes its report (`-o results.sarif`): the
  report was written through it, outside the checkout. `inventory -o` on a folder was a traceback.
"""

from __future__ import annotations

import os

import pytest

from tabguard.cli import main
from tabguard.output.printable import terminal_safe

FLAW = "import os\nos.system(input())\n"
ERASE = "\x1b[2K\x1b[1A\x1b[2K"  # erase this line and the one above


def _in(folder, capsys, *argv: str) -> tuple[int, str, str]:
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        code = main(list(argv))
    finally:
        os.chdir(cwd)
    out, err = capsys.readouterr()
    return code, out, err


def test_file_names_cannot_drive_the_terminal_nor_forge_lines(tmp_path, capsys):
    (tmp_path / f"a{ERASE}.py").write_text(FLAW)
    (tmp_path / "b\nc.py:1:1: TG000 [low] forged.py").write_text(FLAW)
    code, out, err = _in(tmp_path, capsys, "check", "--no-cache", ".")
    assert code == 1 and "\x1b" not in out + err
    assert "a\\x1b[2K\\x1b[1A\\x1b[2K.py:2:11: TG101" in out
    assert "b\\nc.py:1:1: TG000 [low] forged.py:2:11: TG101" in out
    assert not any(line.startswith("c.py") for line in out.splitlines())


def test_route_paths_cannot_drive_the_terminal_nor_forge_lines(tmp_path, capsys):
    (tmp_path / "app.py").write_text(
        "from flask import Flask\napp = Flask(__name__)\n"
        f'@app.route("/x{ERASE}")\ndef one():\n    return "1"\n'
        '@app.route("/y\\nforged.py:1  GET  /z")\ndef two():\n    return "2"\n'
    )
    code, out, err = _in(tmp_path, capsys, "surface", ".")
    assert code == 0 and "\x1b" not in out + err
    assert "GET  /x\\x1b[2K\\x1b[1A\\x1b[2K  -> one" in out
    assert "GET  /y\\nforged.py:1  GET  /z  -> two" in out


def test_messages_on_stderr_cannot_drive_the_terminal(tmp_path, capsys):
    (tmp_path / "a.py").write_text(FLAW)
    code, out, err = _in(tmp_path, capsys, "check", "--no-cache", f"missing{ERASE}.py", "a.py")
    assert code == 2 and "\x1b" not in out + err
    assert "missing\\x1b[2K\\x1b[1A\\x1b[2K.py: no such file or directory" in err


def test_tabguards_own_colours_pass_and_nothing_else():
    assert terminal_safe("\x1b[31mhigh\x1b[0m \x1b[1;31mcritical\x1b[0m") == (
        "\x1b[31mhigh\x1b[0m \x1b[1;31mcritical\x1b[0m"
    )
    assert terminal_safe("a\x1b[30;40mhidden\x1b[0m\rb\u202ec\x9bd\tok\n") == (
        "a\\x1b[30;40mhidden\x1b[0m\\rb\\u202ec\\x9bd\tok\n"
    )


@pytest.mark.parametrize("command", [["check", "--no-cache", "."], ["inventory", "."]])
def test_a_report_is_not_written_through_a_symlink_leading_out_of_the_project(tmp_path, capsys, command):
    project, outside = tmp_path / "project", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    (outside / "bashrc").write_text("# the user's own\n")
    (project / "a.py").write_text(FLAW)
    (project / "report.txt").symlink_to(outside / "bashrc")  # committed by the repository
    (project / "reports").symlink_to(outside)  # a folder on the way, the same
    for target in ("report.txt", "reports/new.txt"):
        code, _, err = _in(project, capsys, *command, "-o", target)
        assert code == 2 and "a symlink in the project that leads outside it" in err
    assert (outside / "bashrc").read_text() == "# the user's own\n" and not (outside / "new.txt").exists()
    (project / "inside.txt").symlink_to(project / "real.txt")  # leads inside: written
    assert _in(project, capsys, *command, "-o", "inside.txt")[0] in (0, 1)
    assert (project / "real.txt").read_text()
    assert _in(project, capsys, *command, "-o", str(outside / "chosen.txt"))[0] in (0, 1)  # outside, as named
    assert (outside / "chosen.txt").read_text()


def test_inventory_output_to_a_folder_or_nowhere_is_exit_2(tmp_path, capsys):
    (tmp_path / "a.py").write_text(FLAW)
    code, _, err = _in(tmp_path, capsys, "inventory", ".", "-o", ".")
    assert code == 2 and "-o names a folder" in err
    code, _, err = _in(tmp_path, capsys, "inventory", ".", "-o", "missing/report.txt")
    assert code == 2 and "cannot write the report: No such file or directory" in err
