'use strict';
// The inline-suggestion accept wrapper, free of the `vscode` module so it can be unit tested: run
// the editor's own accept command, collect the document changes it makes, and report the range now
// holding the inserted text. The edit has landed by the time the command's promise resolves.
const { insertedRange } = require('./insertedRange');

/**
 * @param {{
 *   executeCommand: (id: string) => Thenable<unknown>,
 *   onDidChangeTextDocument: (listener: (e: {document: any, contentChanges: any[]}) => void) => {dispose(): void},
 *   activeDocument: () => any,
 *   toProtocolRange: (range: any) => {start: {line: number, character: number}, end: {line: number, character: number}},
 *   origin: () => string,
 *   report: (params: object) => Promise<void> | void,
 * }} deps
 * @returns {(editorCommand: string) => Promise<object | null>} resolves to the params it reported
 */
function makeAcceptWrapper(deps) {
  return async function accept(editorCommand) {
    const document = deps.activeDocument();
    const changes = [];
    const subscription = deps.onDidChangeTextDocument((event) => {
      if (document && event.document === document) {
        for (const change of event.contentChanges) {
          changes.push({ range: deps.toProtocolRange(change.range), text: change.text });
        }
      }
    });
    try {
      await deps.executeCommand(editorCommand);
    } finally {
      subscription.dispose();
    }
    const range = insertedRange(changes);
    if (!range) return null;
    const params = {
      textDocument: { uri: document.uri.toString(), version: document.version },
      range,
      origin: deps.origin(),
    };
    await deps.report(params);
    return params;
  };
}

module.exports = { makeAcceptWrapper };
