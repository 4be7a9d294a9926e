"""Reading a Jupyter notebook (nbformat 4 JSON) and writing back changed cell sources.

Only what the checks need is read: each cell's kind, source and saved outputs. A file that is not
a notebook tabguard can read raises `NotebookError` with the reason. Writing replaces the `source`
values of changed cells in the original text and nothing else, so indentation, key order, escapes,
the trailing newline and every output stay byte for byte as Jupyter (or another tool) wrote them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Optional

from tabguard.notebook.jsonspans import value_spans

# Kernel languages checked as Python; a notebook declaring another one (R, Julia, ...) is skipped.
PYTHON_LANGUAGES = frozenset({"python", "python3", "ipython", "ipython3", ""})
# nbformat stores a source as its lines, each keeping its `\n` (only `\n` ends one).
_LINES = re.compile(r"[^\n]*\n|[^\n]+")


class NotebookError(Exception):
    """A file that cannot be read as a notebook, with a message for the user."""


@dataclass(frozen=True)
class Cell:
    index: int  # position among all the notebook's cells, 0-based
    kind: str  # "code", "markdown" or "raw"
    source: str
    source_is_list: bool  # nbformat allows a list of lines or one string: written back the same way
    outputs: tuple[dict, ...] = ()  # one per saved output, in order ({} for one that is not an object)
    language: str = "python"  # a cell of another language (VS Code's `%%sql` cells...) is not Python
    id: Optional[str] = None  # nbformat 4.5's cell id, when the notebook has one

    @property
    def is_python(self) -> bool:
        return self.kind == "code" and self.language in PYTHON_LANGUAGES


@dataclass(frozen=True)
class Notebook:
    text: str
    cells: tuple[Cell, ...]
    language: str

    @classmethod
    def from_json(cls, text: str) -> "Notebook":
        try:
            data = json.loads(text)
        except ValueError as error:  # JSONDecodeError and invalid surrogates alike
            raise NotebookError(f"not valid JSON ({error})") from None
        except RecursionError:
            raise NotebookError("JSON nested too deeply") from None
        if not isinstance(data, dict):
            raise NotebookError("not a notebook (the JSON is not an object)")
        version = data.get("nbformat")
        if "worksheets" in data or (isinstance(version, int) and version < 4):
            raise NotebookError(
                f"nbformat {version} notebook: only nbformat 4 is read "
                "(convert it with `jupyter nbconvert --to notebook`)"
            )
        cells = data.get("cells")
        if not isinstance(cells, list):
            raise NotebookError("not a notebook (no `cells` list)")
        language = _language(data.get("metadata"))
        return cls(text, tuple(_cell(i, raw, language) for i, raw in enumerate(cells)), language)

    @property
    def is_python(self) -> bool:
        return self.language in PYTHON_LANGUAGES

    def code_cells(self) -> list[Cell]:
        """The Python code cells, in order: the blocks of the virtual module."""
        return [c for c in self.cells if c.is_python] if self.is_python else []

    def with_sources(self, sources: dict[int, str]) -> str:
        """The notebook's text with the cells at these indexes given new sources, in the style each
        source was written in (a list of lines or one string); every other character unchanged."""
        wanted = {("cells", i, "source") for i in sources}
        try:
            spans = value_spans(self.text, wanted.__contains__)
        except (ValueError, IndexError, RecursionError) as error:
            raise NotebookError(f"cannot locate the cell sources ({error})") from None
        text = self.text
        for index in sorted(sources, reverse=True):
            start, end = spans[("cells", index, "source")]
            old = text[start:end]
            if self.cells[index].source_is_list:
                new = _list_source(old, sources[index], text, start)
            else:
                new = json.dumps(sources[index], ensure_ascii=_ensure_ascii(text))
            text = text[:start] + new + text[end:]
        return text


def _cell(index: int, raw, notebook_language: str) -> Cell:
    if not isinstance(raw, dict):
        raise NotebookError(f"cell {index + 1} is not a JSON object")
    kind = raw.get("cell_type")
    if kind not in ("code", "markdown", "raw"):
        raise NotebookError(f"cell {index + 1} has an unknown cell_type {kind!r}")
    source = raw.get("source", "")
    is_list = isinstance(source, list)
    if is_list and all(isinstance(part, str) for part in source):
        source = "".join(source)
    elif not isinstance(source, str):
        raise NotebookError(f"cell {index + 1}: `source` is neither a string nor a list of strings")
    outputs = raw.get("outputs", []) if kind == "code" else []
    if not isinstance(outputs, list):
        raise NotebookError(f"cell {index + 1}: `outputs` is not a list")
    metadata = raw.get("metadata")
    vscode = metadata.get("vscode") if isinstance(metadata, dict) else None
    language = vscode.get("languageId") if isinstance(vscode, dict) else None
    cell_id = raw.get("id")
    return Cell(
        index,
        kind,
        source,
        is_list,
        tuple(o if isinstance(o, dict) else {} for o in outputs),
        language.lower() if isinstance(language, str) else notebook_language,
        cell_id if isinstance(cell_id, str) else None,
    )


def _language(metadata) -> str:
    """The kernel's language: `language_info.name`, else `kernelspec.language`, else Python."""
    if not isinstance(metadata, dict):
        return "python"
    for key, field in (("language_info", "name"), ("kernelspec", "language")):
        section = metadata.get(key)
        if isinstance(section, dict) and isinstance(section.get(field), str):
            return section[field].lower()
    return "python"


def _ensure_ascii(text: str) -> bool:
    """Whether the file escapes non-ASCII characters (`\\u00e9`) instead of writing them."""
    return text.isascii() and "\\u" in text


def _list_source(old: str, source: str, text: str, start: int) -> str:
    """`source` as a JSON list of lines laid out like the old list: the same whitespace before the
    first item, between items and before the closing bracket (for an empty old list, one indent
    deeper than the key)."""
    parts = _LINES.findall(source)
    if not parts:
        return "[]"
    inner = old[1:-1]
    between = None
    if inner.strip():
        before_item = inner[: len(inner) - len(inner.lstrip())]
        before_close = inner[len(inner.rstrip()) :]
        items = value_spans(old, lambda path: len(path) == 1 and path[0] < 2)
        if (1,) in items:
            between = old[old.index(",", items[(0,)][1]) + 1 : items[(1,)][0]]
    else:
        line_start = text.rfind("\n", 0, start) + 1
        key_indent = text[line_start : line_start + len(text[line_start:]) - len(text[line_start:].lstrip(" \t"))]
        step = _indent_step(text)
        before_item, before_close = ("\n" + key_indent + step, "\n" + key_indent) if step is not None else ("", "")
    items = [json.dumps(p, ensure_ascii=_ensure_ascii(text)) for p in parts]
    return "[" + before_item + ("," + (before_item if between is None else between)).join(items) + before_close + "]"


def _indent_step(text: str) -> Optional[str]:
    """The indentation one level adds in this file (Jupyter writes one space), None when compact."""
    first = text.find("\n")
    if first < 0:
        return None
    rest = text[first + 1 :]
    return rest[: len(rest) - len(rest.lstrip(" \t"))] or None
