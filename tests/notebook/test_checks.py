"""The rules see a notebook's cells as the module IPython runs: a variable interpolated into a `!` line
is command injection, with the taint followed across cells."""

from tabguard.analysis import analyze_text
from tabguard.notebook import VirtualModule


def findings(cells):
    vm = VirtualModule.build(cells)
    return [
        (f.rule_id, f.confidence, *vm.to_cell(f.span.start_line, f.span.start_col))
        for f in analyze_text(vm.text).findings()
    ]


def test_a_shell_escape_built_from_input_in_an_earlier_cell_is_command_injection():
    assert findings(["cmd = input('file: ')", "!echo {cmd}", "files = !ls $cmd"]) == [
        ("TG101", "high", 1, 0, 0),
        ("TG101", "high", 2, 0, 8),
    ]


def test_a_constant_shell_escape_and_masked_magics_are_not_findings():
    assert findings(["%pip install requests", "!ls -la", "%%bash\nrm -rf $HOME/{x}", "x = %time f()\nos?"]) == []


def test_code_run_by_a_timing_magic_is_checked_where_the_cell_has_it():
    # `%time` runs its argument as Python: an eval of input inside it is the same flaw.
    found = findings(["import os\nexpr = input()", "result = %time eval(expr)", "%timeit -n 3 os.system(expr)"])
    assert found == [("TG103", "high", 1, 0, 20), ("TG101", "high", 2, 0, 23)]
