'use strict';
// Server output (rule explanations, the AI inventory) shown as read-only documents under our own URI
// scheme, so they open without leaving unsaved "Untitled" editors behind.
const vscode = require('vscode');

class ReadOnlyDocuments {
  constructor(scheme) {
    this.scheme = scheme;
    this.contents = new Map();
    this.changed = new vscode.EventEmitter();
  }

  register() {
    return vscode.Disposable.from(
      this.changed,
      vscode.workspace.registerTextDocumentContentProvider(this.scheme, {
        onDidChange: this.changed.event,
        provideTextDocumentContent: (uri) => this.contents.get(uri.toString()) || '',
      }),
    );
  }

  /** Store `content` under `path` and return its URI (open editors of it refresh). */
  show(path, content) {
    const uri = vscode.Uri.from({ scheme: this.scheme, path: `/${path}` });
    this.contents.set(uri.toString(), content);
    this.changed.fire(uri);
    return uri;
  }
}

module.exports = { ReadOnlyDocuments };
