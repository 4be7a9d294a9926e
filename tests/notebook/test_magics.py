"""IPython syntax is masked line for line and never parsed as Python; shell escapes keep their variables."""

import ast

import pytest

from tabguard.notebook import mask_cell


def masked(source):
    return mask_cell(source.split("\n"))


def python(source):
    cell = masked(source)
    ast.parse("\n".join(cell.lines))  # what the engine gets always parses
    return list(cell.lines)


@pytest.mark.parametrize(
    "line, expected",
    [
        ("%pip install requests", "..."),
        ("%matplotlib inline", "..."),
        ("x = %time f()", "x = f()"),
        ("%time y = g(1)", "y = g(1)"),
        ("t = %timeit -n 10 -r3 -o f()", "t = f()"),
        ("%prun -s cumtime h()", "h()"),
        ("%timeit -z f()", "..."),
        ("%time for x in y:", "..."),
        ("a, b = %who_ls", "a, b = ..."),
        ("os?", "..."),
        ("??os.path", "..."),
        ("os.path.join??", "..."),
        ("!ls -la", 'get_ipython().system(f"ls -la")'),
        ("!!ls", 'get_ipython().getoutput(f"ls")'),
        ("files = !ls", 'files = get_ipython().getoutput(f"ls")'),
        ("%sx ls", 'get_ipython().getoutput(f"ls")'),
        ("%system ls", 'get_ipython().system(f"ls")'),
    ],
)
def test_line_magics_shell_escapes_and_help_become_python(line, expected):
    assert python(line) == [expected]


def test_masking_keeps_indentation_and_the_line_count():
    source = "for i in range(3):\n    %time f(i)\n    !echo $i\nprint(i)"
    assert python(source) == ["for i in range(3):", "    f(i)", '    get_ipython().system(f"echo {i}")', "print(i)"]


def test_interpolated_variables_stay_python_expressions():
    cell = masked('!echo {cmd} $name $obj.attr {d["k"]}')
    assert cell.lines == ("""get_ipython().system(f'echo {cmd} {name} {obj.attr} {d["k"]}')""",)
    assert cell.shell[0].names == ("cmd", "name", "obj", "d")
    assert cell.shell[0].command == 'echo {cmd} $name $obj.attr {d["k"]}'


def test_shell_text_that_is_not_an_expression_stays_literal():
    cell = masked("!find . -name '*.py' -exec rm {} \\; && echo $$HOME '$USER'")
    assert (
        eval(cell.lines[0].replace("get_ipython().system(", "("))
        == "find . -name '*.py' -exec rm {} \\; && echo $HOME '$USER'"
    )
    assert cell.shell[0].names == ()


def test_quotes_and_backslashes_in_commands_are_escaped():
    value = 'echo "a\\b" it\'s'
    cell = masked("!" + value)
    assert eval(cell.lines[0].replace("get_ipython().system(", "(")) == value


def test_a_continued_escape_is_one_command_masked_over_its_lines():
    cell = masked("!pip install \\\n   {pkg} \\\n   other\nx = 1")
    assert cell.lines == ('get_ipython().system(f"pip install     {pkg}     other")', "...", "...", "x = 1")
    assert cell.shell[0].names == ("pkg",)


def test_cell_magic_masks_the_whole_cell():
    assert python("%%bash\necho $HOME\nrm -rf {x}") == ["", "", ""]
    assert masked("%%sql\nSELECT 1").magic == "sql"


def test_cell_magic_with_a_python_body_masks_only_its_line():
    assert python("%%time\nimport os\nos.system(x)") == ["", "import os", "os.system(x)"]


def test_escapes_inside_strings_brackets_and_comments_are_left_alone():
    source = 's = """\n!not a command\n%nor a magic\n"""\nt = (1,\n!2)\n# !ls\nx = 1  # why?'
    cell = masked(source)
    assert cell.lines == tuple(source.split("\n"))
    assert all(r is None for r in cell.runs) and cell.shell == ()


def test_python_that_looks_close_is_not_masked():
    for line in ("x != y", "a = b % c", "if x != !y: pass", "x = '!ls'", "d[k] = 5 % 3"):
        assert masked(line).lines == (line,), line


def test_percent_percent_after_the_first_line_is_masked_not_parsed():
    assert python("x = 1\n%%bash") == ["x = 1", "..."]


def test_empty_and_blank_cells():
    assert masked("").lines == ("",)
    assert python("\n\n") == ["", "", ""]
