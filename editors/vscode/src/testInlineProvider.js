'use strict';
// Test-only stand-in for an AI assistant (setting `tabguard.testInlineProvider`): after a line ending
// in one of the trigger comments below, offers lines of insecure code as ghost text, so end-to-end
// tests can accept a real inline suggestion without a network service. Serves notebook cells too.
const vscode = require('vscode');

// Trigger comment -> the lines offered after it.
const SUGGESTIONS = {
  '# fetch': ['r = requests.get(url, verify=False)'],
  // Two lines, as an assistant completes a data-analysis cell: SQL built from a name read in another cell.
  '# orders': ["query = f\"SELECT * FROM orders WHERE customer = '{name}'\"", 'rows = conn.execute(query).fetchall()'],
};

function registerTestInlineProvider() {
  return vscode.languages.registerInlineCompletionItemProvider(
    { language: 'python' },
    {
      provideInlineCompletionItems(document, position) {
        const line = document.lineAt(position.line).text.trimEnd();
        const trigger = Object.keys(SUGGESTIONS).find((t) => line.endsWith(t));
        if (!trigger || position.character < line.length) return [];
        const indent = line.match(/^\s*/)[0];
        const text = SUGGESTIONS[trigger].map((code) => `\n${indent}${code}`).join('');
        return [new vscode.InlineCompletionItem(text, new vscode.Range(position, position))];
      },
    },
  );
}

module.exports = { registerTestInlineProvider };
