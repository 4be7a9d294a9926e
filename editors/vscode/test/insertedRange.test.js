'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { insertedRange, endOfInsert } = require('../src/insertedRange');

const pos = (line, character) => ({ line, character });
const range = (l1, c1, l2, c2) => ({ start: pos(l1, c1), end: pos(l2, c2) });
const insert = (line, character, text) => ({ range: range(line, character, line, character), text });

test('single-line insert', () => {
  assert.deepEqual(insertedRange([insert(3, 4, 'foo(bar)')]), range(3, 4, 3, 12));
});

test('multi-line insert ends on the last inserted line', () => {
  assert.deepEqual(insertedRange([insert(4, 7, '\nr = requests.get(url, verify=False)')]), range(4, 7, 5, 35));
  assert.deepEqual(endOfInsert(pos(0, 3), 'a\r\nbc\n'), pos(2, 0));
});

test('counts UTF-16 code units, as LSP positions do by default', () => {
  assert.deepEqual(insertedRange([insert(0, 0, 'x = "😀"')]), range(0, 0, 0, 8));
});

test('replacing the typed prefix reports the whole replacement', () => {
  // typed "requ", the accept replaces it with the full call
  const changes = [{ range: range(2, 0, 2, 4), text: 'requests.get(url)' }];
  assert.deepEqual(insertedRange(changes), range(2, 0, 2, 17));
});

test('pure deletions report nothing', () => {
  assert.equal(insertedRange([{ range: range(1, 0, 1, 5), text: '' }]), null);
  assert.equal(insertedRange([]), null);
});

test('insert then a space typed and deleted at its end (copilot.lua style) keeps the insert', () => {
  const changes = [insert(0, 2, 'abc\ndef'), insert(1, 3, ' '), { range: range(1, 3, 1, 4), text: '' }];
  assert.deepEqual(insertedRange(changes), range(0, 2, 1, 3));
});

test('a later edit above the insert moves it', () => {
  const changes = [insert(5, 0, 'x = 1\n'), insert(0, 0, 'import os\nimport re\n')];
  // the second insert also counts: both came from the accept, the report covers both
  assert.deepEqual(insertedRange(changes), range(0, 0, 8, 0));
});

test('an edit on the same line before the insert shifts its columns', () => {
  const changes = [insert(2, 10, 'verify=False'), { range: range(2, 0, 2, 4), text: '' }];
  assert.deepEqual(insertedRange(changes), range(2, 6, 2, 18));
});

test('an insert at the start of an earlier insert does not swallow it twice', () => {
  const changes = [insert(1, 0, 'bbb'), insert(1, 0, 'aa')];
  assert.deepEqual(insertedRange(changes), range(1, 0, 1, 5));
});

test('deleting part of the inserted text shrinks the range', () => {
  const changes = [insert(0, 0, 'hello world'), { range: range(0, 5, 0, 11), text: '' }];
  assert.deepEqual(insertedRange(changes), range(0, 0, 0, 5));
});

test('an auto-indent edit inside the inserted lines stays inside the range', () => {
  const changes = [insert(3, 0, 'if x:\ny = 1\n'), insert(4, 0, '    ')];
  assert.deepEqual(insertedRange(changes), range(3, 0, 5, 0));
});
