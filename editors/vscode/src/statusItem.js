'use strict';
// Status-bar summary for the active file, from the server's `tabguard/fileStatus` request:
// unreviewed AI-inserted spans and findings. Hidden for files the server does not handle.
const vscode = require('vscode');
const { describe } = require('./statusText');

const REFRESH_DELAY_MS = 250;

class StatusItem {
  constructor(getClient, selector) {
    this.getClient = getClient;
    this.selector = selector;
    this.timer = undefined;
    this.item = vscode.window.createStatusBarItem('tabguard.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'tabguard';
    this.item.command = 'tabguard.showInventory';
    this.subscriptions = [
      vscode.window.onDidChangeActiveTextEditor(() => this.refresh()),
      vscode.languages.onDidChangeDiagnostics((e) => {
        const editor = vscode.window.activeTextEditor;
        if (editor && e.uris.some((u) => u.toString() === editor.document.uri.toString())) this.refresh();
      }),
    ];
  }

  refresh() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.update(), REFRESH_DELAY_MS);
  }

  async update() {
    const editor = vscode.window.activeTextEditor;
    const client = this.getClient();
    // The selector is in LSP form (a notebook-cell filter reads differently in VS Code's own form).
    const selector = client && client.protocol2CodeConverter.asDocumentSelector(this.selector);
    if (!editor || !client || !vscode.languages.match(selector, editor.document)) {
      this.item.hide();
      return;
    }
    const uri = editor.document.uri.toString();
    let status;
    try {
      status = await client.sendRequest('tabguard/fileStatus', { textDocument: { uri } });
    } catch {
      this.item.hide();
      return;
    }
    if (!status || vscode.window.activeTextEditor !== editor) return;
    const { text, tooltip, warn } = describe(status);
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.backgroundColor = warn ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  dispose() {
    clearTimeout(this.timer);
    this.item.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}

module.exports = { StatusItem };
