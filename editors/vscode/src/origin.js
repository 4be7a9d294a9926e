'use strict';
// Pure: name the tool behind an accepted inline suggestion. VS Code does not say which provider
// produced the visible ghost text, so when exactly one known assistant is active we name it, and
// otherwise fall back to the generic origin.

const KNOWN_ASSISTANTS = {
  'github.copilot': 'copilot',
  'github.copilot-chat': 'copilot', // serves inline completions in recent VS Code versions
  'codeium.codeium': 'codeium',
  'codeium.windsurf': 'windsurf',
  'tabnine.tabnine-vscode': 'tabnine',
  'amazonwebservices.amazon-q-vscode': 'amazon-q',
  'continue.continue': 'continue',
  'supermaven.supermaven': 'supermaven',
  'sourcegraph.cody-ai': 'cody',
};
const GENERIC_ORIGIN = 'vscode.inlineSuggest';

/** @param {string[]} activeExtensionIds ids of the extensions active now */
function guessOrigin(activeExtensionIds) {
  const found = new Set();
  for (const id of activeExtensionIds) {
    const name = KNOWN_ASSISTANTS[id.toLowerCase()];
    if (name) found.add(name);
  }
  return found.size === 1 ? [...found][0] : GENERIC_ORIGIN;
}

module.exports = { guessOrigin, GENERIC_ORIGIN };
