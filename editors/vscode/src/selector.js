'use strict';
// Pure: the documents the language client serves, in LSP's DocumentSelector form (vscode-languageclient
// converts it to VS Code's). Files on disk, and the Python cells of Jupyter notebooks.

// The notebook type of .ipynb files, both in VS Code's built-in notebook editor and the Jupyter extension's.
const JUPYTER_NOTEBOOK = 'jupyter-notebook';

const DOCUMENT_SELECTOR = [
  { scheme: 'file', language: 'python' },
  { scheme: 'file', pattern: '**/requirements*.txt' },
  { scheme: 'file', pattern: '**/pyproject.toml' },
  // A notebook-cell filter: cells get hover, code actions and code lenses, and when the server offers
  // notebookDocumentSync the client sends whole notebooks (notebookDocument/didOpen, didChange, ...)
  // instead of each cell as a separate text document. Any scheme, as the server's own sync selector:
  // an untitled notebook is synced (and its diagnostics shown) too, so it gets the rest as well.
  { notebook: { notebookType: JUPYTER_NOTEBOOK }, language: 'python' },
];

module.exports = { DOCUMENT_SELECTOR, JUPYTER_NOTEBOOK };
