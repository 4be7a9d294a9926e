'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { describe } = require('../src/statusText');

test('AI spans and findings of the file', () => {
  assert.equal(describe({ aiSpans: 2, unreviewed: 1, findings: 3 }).text, '$(shield) 1/2 AI unreviewed · 3 findings');
  assert.equal(describe({ aiSpans: 1, unreviewed: 0, findings: 1 }).text, '$(shield) 0/1 AI unreviewed · 1 finding');
});

test('a file without AI code says so instead of 0/0', () => {
  const status = describe({ aiSpans: 0, unreviewed: 0, findings: 0 });
  assert.equal(status.text, '$(shield) no AI code · 0 findings');
  assert.equal(status.warn, false);
});

test('a file the server did not check is not shown as clean', () => {
  const status = describe({ aiSpans: 0, unreviewed: 0, findings: 0, notChecked: 'over max-file-size (2000000 characters)' });
  assert.equal(status.text, '$(shield) not checked');
  assert.match(status.tooltip, /not checked: over max-file-size/);
});
