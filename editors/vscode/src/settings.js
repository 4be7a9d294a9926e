'use strict';
// Pure: VS Code settings (camelCase, under `tabguard.`) -> the server's configuration keys (the same
// names as `[tool.tabguard]` in pyproject.toml). Only settings the user actually set are sent, so the
// project's own config file is not overridden by defaults.

const manifest = require('../package.json');

// package.json's section of server settings is generated from the server's configuration schema
// (python -m tabguard.config_outputs): `tabguard.perFileIgnores` is the server's `per-file-ignores`.
const PREFIX = 'tabguard.';
const serverSection = manifest.contributes.configuration.find((section) => section.id === 'tabguard-server');
const SERVER_KEYS = Object.fromEntries(
  Object.keys(serverSection.properties).map((name) => {
    const key = name.slice(PREFIX.length);
    return [key, key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)];
  }),
);

// Settings that run a program or send the project's package names out: in an untrusted workspace
// only the user's own (global) value counts, never the workspace's .vscode/settings.json.
const RESTRICTED = manifest.capabilities.untrustedWorkspaces.restrictedConfigurations.map((name) =>
  name.slice(PREFIX.length),
);

/**
 * The value of `tabguard.<key>` from `getConfiguration('tabguard').inspect(key)`: the most specific
 * scope the user set, or for a restricted key in an untrusted workspace the global value only.
 */
function effectiveValue(key, info, trusted) {
  if (!info) return undefined;
  if (trusted !== true && RESTRICTED.includes(key)) return info.globalValue;
  return info.workspaceFolderValue ?? info.workspaceValue ?? info.globalValue;
}

/** @param {(key: string) => unknown} explicitValue the user's value for `tabguard.<key>`, or undefined */
function serverSettings(explicitValue) {
  const out = {};
  for (const [key, serverKey] of Object.entries(SERVER_KEYS)) {
    const value = explicitValue(key);
    if (value !== undefined && value !== null) out[serverKey] = value;
  }
  return out;
}

module.exports = { serverSettings, effectiveValue, RESTRICTED, SETTING_KEYS: Object.keys(SERVER_KEYS) };
