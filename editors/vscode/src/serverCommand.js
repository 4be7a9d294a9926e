'use strict';
// Pure: which command starts the language server. Order: the `tabguard.serverCommand` setting, the
// workspace's own virtualenv, then PATH. Returns null when none is found, so the caller can say how
// to install it instead of failing with a spawn error.
const path = require('path');

const INSTALL_COMMAND = 'pip install tabguard';
const VENV_DIRS = ['.venv', 'venv'];

function executableNames(platform) {
  return platform === 'win32' ? ['tabguard.exe', 'tabguard.cmd'] : ['tabguard'];
}

/**
 * @param {{configured?: string[], workspaceFolders: string[], platform: string, envPath?: string,
 *          isExecutable: (file: string) => boolean}} opts
 * @returns {{command: string, args: string[]} | null}
 */
function resolveServerCommand({ configured, workspaceFolders, platform, envPath, isExecutable }) {
  if (Array.isArray(configured) && configured.length > 0 && configured[0]) {
    return { command: configured[0], args: configured.slice(1) };
  }
  const names = executableNames(platform);
  const binDir = platform === 'win32' ? 'Scripts' : 'bin';
  for (const folder of workspaceFolders) {
    for (const venv of VENV_DIRS) {
      for (const name of names) {
        const candidate = path.join(folder, venv, binDir, name);
        if (isExecutable(candidate)) return { command: candidate, args: ['lsp'] };
      }
    }
  }
  const sep = platform === 'win32' ? ';' : ':';
  for (const dir of (envPath || '').split(sep).filter(Boolean)) {
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (isExecutable(candidate)) return { command: candidate, args: ['lsp'] };
    }
  }
  return null;
}

module.exports = { resolveServerCommand, INSTALL_COMMAND };
