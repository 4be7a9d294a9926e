'use strict';
// Test-only stand-in for an AI assistant (setting `tabguard.testInlineProvider`): after a line ending
// in `# fetch`, offers a line of insecure code as ghost text, so end-to-end tests can accept a real
// inline suggestion without a network service.
const vscode = require('vscode');

const TRIGGER = '# fetch';
const SUGGESTION = 'r = requests.get(url, verify=False)';

function registerTestInlineProvider() {
  return vscode.languages.registerInlineCompletionItemProvider(
    { language: 'python' },
    {
      provideInlineCompletionItems(document, position) {
        const line = document.lineAt(position.line).text;
        if (!line.trimEnd().endsWith(TRIGGER) || position.character < line.trimEnd().length) return [];
        const indent = line.match(/^\s*/)[0];
        const text = `\n${indent}${SUGGESTION}`;
        return [new vscode.InlineCompletionItem(text, new vscode.Range(position, position))];
      },
    },
  );
}

module.exports = { registerTestInlineProvider };
