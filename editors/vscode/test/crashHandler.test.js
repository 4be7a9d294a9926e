'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { makeCrashHandler } = require('../src/crashHandler');

const ErrorAction = { Continue: 1, Shutdown: 2 };
const CloseAction = { DoNotRestart: 1, Restart: 2 };

function handler(times) {
  const given = [];
  let i = 0;
  const h = makeCrashHandler({ ErrorAction, CloseAction, onGiveUp: (m) => given.push(m), now: () => times[i++] });
  return { h, given };
}

test('restarts four times, then gives up once with a message offered to the user', () => {
  const { h, given } = handler([0, 1000, 2000, 3000, 4000, 5000, 6000]);
  const actions = [1, 2, 3, 4, 5].map(() => h.closed());
  assert.deepEqual(actions.slice(0, 4).map((r) => r.action), [2, 2, 2, 2]);
  assert.equal(actions[4].action, CloseAction.DoNotRestart);
  assert.equal(actions[4].handled, true); // the client shows no second notification of its own
  assert.equal(given.length, 1);
  assert.match(given[0], /stopped 5 times in 3 minutes/);
  // Restarted by hand: counting starts again.
  assert.equal(h.closed().action, CloseAction.Restart);
});

test('crashes spread over more than 3 minutes keep being restarted', () => {
  const minute = 60 * 1000;
  const { h, given } = handler([0, minute, 2 * minute, 3 * minute, 4 * minute, 5 * minute, 6 * minute]);
  for (let n = 0; n < 7; n++) assert.equal(h.closed().action, CloseAction.Restart);
  assert.equal(given.length, 0);
});

test('broken messages: continue for the first three, then shut down', () => {
  const { h } = handler([]);
  assert.equal(h.error(new Error('x'), undefined, 1).action, ErrorAction.Continue);
  assert.equal(h.error(new Error('x'), undefined, 3).action, ErrorAction.Continue);
  assert.equal(h.error(new Error('x'), undefined, 4).action, ErrorAction.Shutdown);
});
