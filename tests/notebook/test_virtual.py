"""Code cells as one module: positions map both ways, also after cells are added, moved or removed."""

from hypothesis import given, settings, strategies as st

from tabguard.engine.types import Edit, Span
from tabguard.notebook import VirtualModule

CELLS = ["import os\ncmd = input()", "", "!echo {cmd}\nx = %time f()\nos.system(cmd)", "%%bash\nls", "y = 2\n"]


def every_cell_position(vm):
    for position, cell in enumerate(vm.cells):
        for line, text in enumerate(cell.lines):
            for col in range(len(text) + 1):
                yield position, line, col


def test_cells_follow_each_other_and_a_cell_sees_the_ones_above():
    vm = VirtualModule.build(CELLS)
    assert [vm.cell_lines(p) for p in range(5)] == [range(2), range(2, 3), range(3, 6), range(6, 8), range(8, 10)]
    assert vm.lines[5] == "os.system(cmd)" and vm.to_cell(5, 3) == (2, 2, 3)
    assert vm.cell_at(0) == 0 and vm.cell_at(7) == 3 and vm.cell_at(9) == 4


def test_unmasked_positions_round_trip_exactly():
    vm = VirtualModule.build(CELLS)
    for position, line, col in every_cell_position(vm):
        if vm.cells[position].masked.runs[line] is None:
            assert vm.to_cell(*vm.to_virtual(position, line, col)) == (position, line, col)


def test_shell_escape_columns_map_to_the_command_text():
    vm = VirtualModule.build(["cmd = input()", "  x = !grep $pat {cmd}"])
    virtual = vm.lines[1]
    cell_line = vm.cells[1].lines[0]
    for name in ("pat", "cmd"):
        vcol = virtual.index(name)
        assert vm.to_cell(1, vcol) == (1, 0, cell_line.index(name))
        assert vm.to_virtual(1, 0, cell_line.index(name)) == (1, vcol)
    # the synthetic call stands on the `!`, and the assignment target keeps its columns
    assert vm.to_cell(1, virtual.index("get_ipython")) == (1, 0, cell_line.index("!"))
    assert vm.to_virtual(1, 0, cell_line.index("!")) == (1, virtual.index("get_ipython"))
    assert vm.to_cell(1, 2) == (1, 0, 2)


def test_continued_escape_lines_map_to_their_own_line():
    vm = VirtualModule.build(["!ls \\\n  {target}"])
    vcol = vm.lines[0].index("target")
    assert vm.to_cell(0, vcol) == (0, 1, 3)
    assert vm.to_virtual(0, 1, 3) == (0, vcol)


@settings(max_examples=150)
@given(st.lists(st.sampled_from(CELLS + ["!ls {a}", "a = 1\nb = a", "\r\n", "%%time\nz = 1"]), max_size=8), st.data())
def test_round_trip_after_adding_moving_and_removing_cells(cells, data):
    vm = VirtualModule.build(cells)
    if cells:
        # edit a random cell in place: the other cells keep their text, offsets follow
        position = data.draw(st.integers(0, len(cells) - 1))
        changed = vm.with_cell(position, "new = 1\n!echo {new}\n")
        assert (
            changed.lines
            == VirtualModule.build([*cells[:position], "new = 1\n!echo {new}\n", *cells[position + 1 :]]).lines
        )
    moved = VirtualModule.build(list(reversed(cells)))
    for module in (vm, moved):
        assert len(module.lines) == sum(len(c.lines) for c in module.cells)
        for position, line, col in every_cell_position(module):
            if module.cells[position].masked.runs[line] is None:
                assert module.to_cell(*module.to_virtual(position, line, col)) == (position, line, col)
            else:
                vline, vcol = module.to_virtual(position, line, col)
                assert module.cell_at(vline) == position


def test_crlf_cells_keep_their_lines_and_line_ending_on_fix():
    vm = VirtualModule.build(["import os\r\nos.system(cmd)\r\n"])
    assert vm.lines == ["import os", "os.system(cmd)", ""]
    edit = Edit(Span(1, 0, 1, 14), "subprocess.run(cmd)")
    assert vm.apply([edit]) == {0: "import os\r\nsubprocess.run(cmd)\r\n"}


def test_fix_edits_land_in_their_cell_with_imports_at_the_top():
    vm = VirtualModule.build(["!pip list", "", "y = eval(x)"])
    edits = [Edit(Span(0, 0, 0, 0), "import ast\n"), Edit(Span(2, 4, 2, 8), "ast.literal_eval")]
    assert vm.apply(edits) == {0: "import ast\n!pip list", 2: "y = ast.literal_eval(x)"}


def test_fix_edits_refused_on_masked_text_or_across_cells():
    vm = VirtualModule.build(["!ls {x}", "a = 1", "b = 2", "%%bash\nls"])
    assert vm.apply([Edit(Span(0, 5, 0, 9), "y")]) is None  # inside the synthetic call
    assert vm.apply([Edit(Span(1, 0, 2, 1), "c")]) is None  # two cells
    assert vm.apply([Edit(Span(3, 0, 3, 0), "import os\n")]) is None  # above a cell magic


def test_span_mapping_cuts_at_the_cell_end():
    vm = VirtualModule.build(["a = (1,", "b = 2"])
    assert vm.to_cell_span(Span(0, 4, 1, 3)) == (0, Span(0, 4, 0, 7))


def test_shell_escapes_are_listed_with_their_cell():
    vm = VirtualModule.build(["x = 1", "!echo $x", "files = !!ls {x}"])
    assert [(p, e.line, e.col, e.names, e.captured) for p, e in vm.shell_escapes()] == [
        (1, 0, 0, ("x",), False),
        (2, 0, 8, ("x",), True),
    ]
    assert vm.is_masked(1) and not vm.is_masked(0)
