'use strict';
// Pure: the documents the language client serves, in LSP's DocumentSelector form (vscode-languageclient
// converts it to VS Code's). Files on disk, and the Python cells of Jupyter notebooks on disk.

// The notebook type of .ipynb files, both in VS Code's built-in notebook editor and the Jupyter extension's.
const JUPYTER_NOTEBOOK = 'jupyter-notebook';

const DOCUMENT_SELECTOR = [
  { scheme: 'file', language: 'python' },
  { scheme: 'file', pattern: '**/requirements*.txt' },
  { scheme: 'file', pattern: '**/pyproject.toml' },
  // A notebook-cell filter (scheme and pattern apply to the notebook, not the cell's own
  // vscode-notebook-cell: URI). With it, cells get hover, code actions and code lenses, and when the
  // server offers notebookDocumentSync the client sends whole notebooks (notebookDocument/didOpen,
  // didChange, ...) instead of each cell as a separate text document.
  { notebook: { notebookType: JUPYTER_NOTEBOOK, scheme: 'file' }, language: 'python' },
];

module.exports = { DOCUMENT_SELECTOR, JUPYTER_NOTEBOOK };
