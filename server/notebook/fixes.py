"""`--fix` in a notebook: rewrites land in the code cells' sources, and the file keeps its JSON
layout (see `Notebook.with_sources`); outputs, metadata and other cells are left as they are.

The fix loop (`tabguard.fixing.fix_text`) runs on the virtual module's text; each rewrite is made in
the cells (`VirtualModule.apply`), so a fix that would change IPython syntax (a shell escape, a
magic) or span two cells is refused, as is one after which its cell no longer parses.
"""

from __future__ import annotations

import ast
from typing import Optional

from tabguard.engine.checker import RuleSet
from tabguard.engine.fixes import materialize
from tabguard.engine.types import Finding, Fix
from tabguard.notebook.checking import Honoured, check_cells
from tabguard.notebook.document import Notebook
from tabguard.notebook.places import NotebookView
from tabguard.notebook.virtual import VirtualModule


class NotebookFixer:
    """The `analyse` and `rewrite` steps of the fix loop for one notebook (NotebookError when its
    text cannot be read as one). `text` is the module text the loop starts from."""

    def __init__(
        self,
        text: str,
        path: str,
        ruleset: RuleSet,
        options: Optional[dict],
        min_severity: str,
        honoured: Honoured = None,
    ):
        self.view = NotebookView.of(Notebook.from_json(text))
        self.path, self.ruleset, self.options, self.min_severity = path, ruleset, options, min_severity
        self.honoured = honoured
        self.text = self.view.module.text
        self._modules = {self.text: self.view.module}  # every module text the loop has seen
        self._module_of: dict[int, VirtualModule] = {}  # the module each finding was found on

    def analyse(self, text: str) -> tuple[list[str], list[Finding]]:
        module = self._modules[text]
        lines, findings = check_cells(module, self.path, self.ruleset, self.options, self.min_severity, self.honoured)
        self._module_of.update((id(f), module) for f in findings)
        return lines, findings

    def rewrite(self, text: str, lines: list[str], fix: Fix) -> str:
        """The module text after the fix (ValueError with the reason when it cannot be made in the cells)."""
        module = self._modules[text]
        sources = module.apply(materialize(fix, lines))
        if sources is None:
            raise ValueError("the rewrite would change IPython syntax (a magic or shell escape) or span two cells")
        for position, source in sources.items():
            module = module.with_cell(position, source)
            try:
                ast.parse("\n".join(module.cells[position].masked.lines))
            except (SyntaxError, ValueError):
                raise ValueError(
                    f"cell {self.view.code[position].index + 1} does not parse after the rewrite"
                ) from None
        self._modules[module.text] = module
        return module.text

    def notebook_text(self, text: str) -> str:
        """The notebook's JSON with the cells of the module `text` written back (unchanged ones untouched)."""
        module = self._modules[text]
        original = self.view.module
        changed = {
            self.view.code[p].index: cell.source
            for p, cell in enumerate(module.cells)
            if cell.source != original.cells[p].source
        }
        return self.view.notebook.with_sources(changed) if changed else self.view.notebook.text

    def where(self, finding: Finding) -> str:
        """`cell 3:line 2:col 5` of a finding of the loop, on the module it was found on."""
        module = self._module_of.get(id(finding), self.view.module)
        return NotebookView(self.view.notebook, module, self.view.code).place(finding).where()
