'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('path');
const { resolveServerCommand } = require('../src/serverCommand');
const { serverSettings } = require('../src/settings');
const { guessOrigin } = require('../src/origin');

const resolve = (opts) =>
  resolveServerCommand({ configured: [], workspaceFolders: [], platform: 'linux', envPath: '', isExecutable: () => false, ...opts });

test('the serverCommand setting wins and is split into command and args', () => {
  assert.deepEqual(resolve({ configured: ['/opt/py/bin/python', '-m', 'tabguard', 'lsp'], isExecutable: () => true }), {
    command: '/opt/py/bin/python',
    args: ['-m', 'tabguard', 'lsp'],
  });
});

test('the workspace venv comes before PATH', () => {
  const exists = new Set([path.join('/ws', '.venv', 'bin', 'tabguard'), path.join('/usr/bin', 'tabguard')]);
  assert.deepEqual(resolve({ workspaceFolders: ['/ws'], envPath: '/usr/bin', isExecutable: (f) => exists.has(f) }), {
    command: path.join('/ws', '.venv', 'bin', 'tabguard'),
    args: ['lsp'],
  });
});

test('PATH is searched in order', () => {
  const exists = new Set([path.join('/b', 'tabguard'), path.join('/c', 'tabguard')]);
  assert.deepEqual(resolve({ envPath: '/a:/b:/c', isExecutable: (f) => exists.has(f) }).command, path.join('/b', 'tabguard'));
});

test('not found: null, so the extension can show the install command', () => {
  assert.equal(resolve({ workspaceFolders: ['/ws'], envPath: '/usr/bin' }), null);
});

test('only settings the user set are sent, under the config-file names', () => {
  const user = { select: ['TG2'], bulkInsertLines: 3, network: false };
  assert.deepEqual(serverSettings((k) => user[k]), { select: ['TG2'], 'bulk-insert-lines': 3, network: false });
  assert.deepEqual(serverSettings(() => undefined), {});
});

test('origin names a single known assistant, else stays generic', () => {
  assert.equal(guessOrigin(['ms-python.python', 'GitHub.copilot']), 'copilot');
  assert.equal(guessOrigin(['GitHub.copilot', 'GitHub.copilot-chat']), 'copilot');
  assert.equal(guessOrigin(['GitHub.copilot', 'Codeium.codeium']), 'vscode.inlineSuggest');
  assert.equal(guessOrigin([]), 'vscode.inlineSuggest');
});
