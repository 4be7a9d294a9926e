'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { DOCUMENT_SELECTOR, JUPYTER_NOTEBOOK } = require('../src/selector');
const manifest = require('../package.json');

// LSP 3.17's NotebookCellTextDocumentFilter test, as vscode-languageclient makes it (written out:
// these tests run without node_modules). Only such a filter becomes VS Code's {notebookType, scheme,
// language}, which matches cells (their own URIs have the vscode-notebook-cell: scheme) and lets
// the server's notebookDocumentSync take over their sync.
const isNotebookCellFilter = (f) =>
  typeof f === 'object' && (typeof f.notebook === 'string' || (typeof f.notebook === 'object' && f.notebook !== null));

test('Python cells of Jupyter notebooks are selected with a notebook-cell filter, untitled ones too', () => {
  const cells = DOCUMENT_SELECTOR.filter(isNotebookCellFilter);
  assert.deepEqual(cells, [{ notebook: { notebookType: 'jupyter-notebook' }, language: 'python' }]);
  assert.equal(JUPYTER_NOTEBOOK, 'jupyter-notebook');
});

test('files stay selected by plain text-document filters, on disk only', () => {
  const files = DOCUMENT_SELECTOR.filter((f) => !isNotebookCellFilter(f));
  assert.deepEqual(
    files.map((f) => f.language || f.pattern),
    ['python', '**/requirements*.txt', '**/pyproject.toml'],
  );
  assert.ok(files.every((f) => f.scheme === 'file'));
});

test('opening a Jupyter notebook activates the extension', () => {
  assert.ok(manifest.activationEvents.includes(`onNotebook:${JUPYTER_NOTEBOOK}`));
  assert.ok(manifest.activationEvents.includes('onLanguage:python'));
});
