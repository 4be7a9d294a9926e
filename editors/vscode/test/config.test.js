'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { resolveServerCommand, isExecutable } = require('../src/serverCommand');
const { serverSettings, effectiveValue, RESTRICTED } = require('../src/settings');
const { guessOrigin } = require('../src/origin');

const resolve = (opts) =>
  resolveServerCommand({ configured: [], workspaceFolders: [], platform: 'linux', envPath: '', isExecutable: () => false, ...opts });

test('the serverCommand setting wins and is split into command and args', () => {
  assert.deepEqual(resolve({ configured: ['/opt/py/bin/python', '-m', 'tabguard', 'lsp'], isExecutable: () => true }), {
    command: '/opt/py/bin/python',
    args: ['-m', 'tabguard', 'lsp'],
  });
});

test('in a trusted workspace its venv comes before PATH', () => {
  const exists = new Set([path.join('/ws', '.venv', 'bin', 'tabguard'), path.join('/usr/bin', 'tabguard')]);
  const opts = { workspaceFolders: ['/ws'], envPath: '/usr/bin', isExecutable: (f) => exists.has(f) };
  assert.deepEqual(resolve({ ...opts, trusted: true }), { command: path.join('/ws', '.venv', 'bin', 'tabguard'), args: ['lsp'] });
  // Untrusted (Restricted Mode), or trust unknown: the workspace's binary is never picked.
  assert.deepEqual(resolve({ ...opts, trusted: false }), { command: path.join('/usr/bin', 'tabguard'), args: ['lsp'] });
  assert.deepEqual(resolve(opts), { command: path.join('/usr/bin', 'tabguard'), args: ['lsp'] });
  assert.equal(resolve({ ...opts, envPath: '' }), null);
});

test('relative PATH entries are skipped', () => {
  assert.equal(resolve({ envPath: '.:node_modules/.bin', isExecutable: () => true }), null);
});

/** A hostile workspace whose .venv/bin/tabguard writes a marker, and a PATH with a harmless tabguard. */
function hostileWorkspace(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tabguard-hostile-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const marker = path.join(dir, 'PWNED');
  const script = (body) => `#!/bin/sh\n${body}\n`;
  fs.mkdirSync(path.join(dir, 'ws', '.venv', 'bin'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'ws', '.venv', 'bin', 'tabguard'), script(`echo ran > '${marker}'`), { mode: 0o755 });
  fs.mkdirSync(path.join(dir, 'bin'));
  fs.writeFileSync(path.join(dir, 'bin', 'tabguard'), script('echo path-tabguard'), { mode: 0o755 });
  return { ws: path.join(dir, 'ws'), envPath: path.join(dir, 'bin'), marker };
}

test('an untrusted workspace never runs its own .venv/bin/tabguard; trusting it does', { skip: process.platform === 'win32' }, (t) => {
  const { ws, envPath, marker } = hostileWorkspace(t);
  const run = (trusted) => {
    const resolved = resolve({ workspaceFolders: [ws], envPath, trusted, isExecutable });
    return spawnSync(resolved.command, resolved.args, { encoding: 'utf8' });
  };
  assert.equal(run(false).stdout.trim(), 'path-tabguard');
  assert.equal(fs.existsSync(marker), false);
  run(true);
  assert.equal(fs.existsSync(marker), true);
});

test('restricted settings come only from the user scope in an untrusted workspace', () => {
  const hostile = { globalValue: undefined, workspaceValue: ['./.venv/bin/evil'], workspaceFolderValue: ['./evil'] };
  assert.equal(effectiveValue('serverCommand', hostile, false), undefined);
  assert.deepEqual(effectiveValue('serverCommand', { ...hostile, globalValue: ['/usr/bin/tabguard', 'lsp'] }, false), [
    '/usr/bin/tabguard',
    'lsp',
  ]);
  assert.equal(effectiveValue('network', { workspaceValue: true }, false), undefined);
  assert.equal(effectiveValue('network', { workspaceValue: true, globalValue: false }, undefined), false);
  // Trusted: the most specific scope; unrestricted keys always.
  assert.deepEqual(effectiveValue('serverCommand', hostile, true), ['./evil']);
  assert.deepEqual(effectiveValue('select', { workspaceValue: ['TG2'], globalValue: ['TG1'] }, false), ['TG2']);
  assert.equal(effectiveValue('select', undefined, true), undefined);
});

test('the settings that run a program or send package names out are restricted, and exist', () => {
  const manifest = require('../package.json');
  assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
  assert.deepEqual([...RESTRICTED].sort(), ['network', 'serverCommand']);
  const declared = Object.assign({}, ...manifest.contributes.configuration.map((section) => section.properties));
  for (const key of RESTRICTED) assert.ok(declared[`tabguard.${key}`], key);
});

test('PATH is searched in order', () => {
  const exists = new Set([path.join('/b', 'tabguard'), path.join('/c', 'tabguard')]);
  assert.deepEqual(resolve({ envPath: '/a:/b:/c', isExecutable: (f) => exists.has(f) }).command, path.join('/b', 'tabguard'));
});

test('not found: null, so the extension can show the install command', () => {
  assert.equal(resolve({ workspaceFolders: ['/ws'], envPath: '/usr/bin' }), null);
});

test('only settings the user set are sent, under the config-file names', () => {
  const user = { select: ['TG2'], bulkInsertLines: 3, perFileIgnores: { 'tests/*': ['TG3'] }, network: false, serverCommand: ['x'] };
  assert.deepEqual(serverSettings((k) => user[k]), {
    select: ['TG2'],
    'bulk-insert-lines': 3,
    'per-file-ignores': { 'tests/*': ['TG3'] },
    network: false,
  });
  assert.deepEqual(serverSettings(() => undefined), {});
});

test('origin names a single known assistant, else stays generic', () => {
  assert.equal(guessOrigin(['ms-python.python', 'GitHub.copilot']), 'copilot');
  assert.equal(guessOrigin(['GitHub.copilot', 'GitHub.copilot-chat']), 'copilot');
  assert.equal(guessOrigin(['GitHub.copilot', 'Codeium.codeium']), 'vscode.inlineSuggest');
  assert.equal(guessOrigin([]), 'vscode.inlineSuggest');
});
