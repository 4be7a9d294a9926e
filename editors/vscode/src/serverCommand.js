'use strict';
// Pure: which command starts the language server. Order: the `tabguard.serverCommand` setting, the
// workspace's own virtualenv (only in a trusted workspace: its binary is code the repository
// chose), then PATH. Returns null when none is found, so the caller can say how to install it
// instead of failing with a spawn error.
const fs = require('fs');
const path = require('path');

// tabguard is not on PyPI: it installs from a clone of its repository.
const INSTALL_COMMAND = 'python3 -m pip install /path/to/tabguard-clone';
const VENV_DIRS = ['.venv', 'venv'];

function executableNames(platform) {
  return platform === 'win32' ? ['tabguard.exe', 'tabguard.cmd'] : ['tabguard'];
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * @param {{configured?: string[], workspaceFolders: string[], trusted: boolean, platform: string,
 *          envPath?: string, isExecutable: (file: string) => boolean}} opts
 *   `configured` must already be the value the workspace's trust allows (see settings.effectiveValue).
 * @returns {{command: string, args: string[]} | null}
 */
function resolveServerCommand({ configured, workspaceFolders, trusted, platform, envPath, isExecutable }) {
  if (Array.isArray(configured) && configured.length > 0 && configured[0]) {
    return { command: configured[0], args: configured.slice(1) };
  }
  const names = executableNames(platform);
  const binDir = platform === 'win32' ? 'Scripts' : 'bin';
  for (const folder of trusted === true ? workspaceFolders : []) {
    for (const venv of VENV_DIRS) {
      for (const name of names) {
        const candidate = path.join(folder, venv, binDir, name);
        if (isExecutable(candidate)) return { command: candidate, args: ['lsp'] };
      }
    }
  }
  const sep = platform === 'win32' ? ';' : ':';
  // A relative PATH entry ("." or "node_modules/.bin") would resolve inside whatever folder is current.
  for (const dir of (envPath || '').split(sep).filter((d) => path.isAbsolute(d))) {
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (isExecutable(candidate)) return { command: candidate, args: ['lsp'] };
    }
  }
  return null;
}

module.exports = { resolveServerCommand, isExecutable, INSTALL_COMMAND };
