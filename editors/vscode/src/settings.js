'use strict';
// Pure: VS Code settings (camelCase, under `tabguard.`) -> the server's configuration keys (the same
// names as `[tool.tabguard]` in pyproject.toml). Only settings the user actually set are sent, so the
// project's own config file is not overridden by defaults.

const SERVER_KEYS = {
  select: 'select',
  ignore: 'ignore',
  severity: 'severity',
  perFileIgnores: 'per-file-ignores',
  bulkInsertLines: 'bulk-insert-lines',
  bulkInsertChars: 'bulk-insert-chars',
  network: 'network',
};

/** @param {(key: string) => unknown} explicitValue the user's value for `tabguard.<key>`, or undefined */
function serverSettings(explicitValue) {
  const out = {};
  for (const [key, serverKey] of Object.entries(SERVER_KEYS)) {
    const value = explicitValue(key);
    if (value !== undefined && value !== null) out[serverKey] = value;
  }
  return out;
}

module.exports = { serverSettings, SETTING_KEYS: Object.keys(SERVER_KEYS) };
