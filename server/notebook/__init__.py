"""Jupyter notebooks: read an `.ipynb`, check its code cells as one module, write fixed cells back.

API (positions 0-based, columns in code points; a cell "position" indexes the sources given to `build`):
    nb = Notebook.from_json(text)               # NotebookError with a reason for anything unreadable
    code = nb.code_cells()                       # Cell(index, kind, source, outputs, ...), Python code cells only
    vm = VirtualModule.build([c.source for c in code])   # vm.text / vm.lines: the module the engine checks
    vm.to_cell(vline, vcol) -> (position, line, col); vm.to_virtual(position, line, col) -> (vline, vcol)
    vm.with_cell(position, source), vm.cell_lines(position), vm.shell_escapes(), vm.apply(edits) -> {position: source}
    nb.with_sources({cell.index: new_source}) -> the notebook's JSON text, only those sources changed

IPython syntax (`%pip`, `!ls`, `%%sql`, `obj?`) is masked line for line (see `magics`): a shell
escape becomes the `get_ipython().system(f"...")` call IPython runs, so its interpolated variables
reach the command-injection rules.
"""

from tabguard.notebook.document import Cell, Notebook, NotebookError
from tabguard.notebook.magics import MaskedCell, ShellEscape, mask_cell
from tabguard.notebook.virtual import VirtualModule

__all__ = ["Cell", "MaskedCell", "Notebook", "NotebookError", "ShellEscape", "VirtualModule", "mask_cell"]
