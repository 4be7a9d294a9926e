'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { makeAcceptWrapper } = require('../src/accept');

/** A fake editor: a document, listeners, and accept commands that edit it. */
function fakeEditor(commands, uris = { document: 'file:///ws/app.py', other: 'file:///ws/other.py' }) {
  const document = { uri: { toString: () => uris.document }, version: 3 };
  const other = { uri: { toString: () => uris.other }, version: 1 };
  let listeners = [];
  const fire = (doc, contentChanges) => {
    if (doc === document) document.version += 1;
    for (const l of listeners) l({ document: doc, contentChanges });
  };
  const reported = [];
  const executed = [];
  const accept = makeAcceptWrapper({
    executeCommand: async (id) => {
      executed.push(id);
      await (commands[id] || (() => {}))(fire, document, other);
    },
    onDidChangeTextDocument: (listener) => {
      listeners.push(listener);
      return { dispose: () => (listeners = listeners.filter((l) => l !== listener)) };
    },
    activeDocument: () => document,
    toProtocolRange: (r) => r,
    origin: () => 'copilot',
    report: (params) => reported.push(params),
  });
  return { accept, reported, executed, listenerCount: () => listeners.length };
}

const at = (line, character) => ({ start: { line, character }, end: { line, character } });

test('reports the inserted range with the version after the edit, then stops listening', async () => {
  const ed = fakeEditor({
    'editor.action.inlineSuggest.commit': (fire, doc) => fire(doc, [{ range: at(4, 7), text: '\nr = get(u)' }]),
  });
  const params = await ed.accept('editor.action.inlineSuggest.commit');
  assert.deepEqual(ed.executed, ['editor.action.inlineSuggest.commit']);
  assert.deepEqual(ed.reported, [params]);
  assert.deepEqual(params, {
    textDocument: { uri: 'file:///ws/app.py', version: 4 },
    range: { start: { line: 4, character: 7 }, end: { line: 5, character: 10 } },
    origin: 'copilot',
  });
  assert.equal(ed.listenerCount(), 0);
});

test('edits spread over several change events are merged', async () => {
  const ed = fakeEditor({
    'editor.action.inlineSuggest.acceptNextLine': async (fire, doc) => {
      fire(doc, [{ range: at(0, 0), text: 'import requests\n' }]);
      await new Promise((r) => setTimeout(r, 1));
      fire(doc, [{ range: at(1, 0), text: 'x = 1' }]);
    },
  });
  const params = await ed.accept('editor.action.inlineSuggest.acceptNextLine');
  assert.deepEqual(params.range, { start: { line: 0, character: 0 }, end: { line: 1, character: 5 } });
  assert.equal(params.textDocument.version, 5);
});

test('changes to other documents are ignored', async () => {
  const ed = fakeEditor({
    'editor.action.inlineSuggest.commit': (fire, doc, other) => fire(other, [{ range: at(0, 0), text: 'zzz' }]),
  });
  assert.equal(await ed.accept('editor.action.inlineSuggest.commit'), null);
  assert.deepEqual(ed.reported, []);
});

test('nothing visible to accept: no report', async () => {
  const ed = fakeEditor({});
  assert.equal(await ed.accept('editor.action.inlineSuggest.commit'), null);
  assert.deepEqual(ed.reported, []);
});

test('a failing accept command still detaches the listener and propagates', async () => {
  const ed = fakeEditor({
    'editor.action.inlineSuggest.commit': () => {
      throw new Error('boom');
    },
  });
  await assert.rejects(ed.accept('editor.action.inlineSuggest.commit'), /boom/);
  assert.equal(ed.listenerCount(), 0);
});

test('an accept in a notebook cell is reported on that cell, not on the other cells', async () => {
  // VS Code's cell documents: the notebook's path, the cell in the fragment.
  const cell = (n) => `vscode-notebook-cell:/ws/analysis.ipynb#W${n}sZmlsZQ%3D%3D`;
  const ed = fakeEditor(
    {
      'editor.action.inlineSuggest.commit': (fire, doc, other) => {
        fire(other, [{ range: at(0, 0), text: 'import os\n' }]);
        fire(doc, [{ range: at(0, 8), text: '\nquery = f"..."\nrows = run(query)' }]);
      },
    },
    { document: cell(2), other: cell(0) },
  );
  const params = await ed.accept('editor.action.inlineSuggest.commit');
  assert.deepEqual(params.textDocument, { uri: cell(2), version: 4 });
  assert.deepEqual(params.range, { start: { line: 0, character: 8 }, end: { line: 2, character: 17 } });
});
