'use strict';
// VS Code side of tabguard: starts `tabguard lsp`, reports accepted inline suggestions, and exposes
// the review commands and a status-bar summary. Sends nothing anywhere but to the local server.
const vscode = require('vscode');
const { LanguageClient, ExecuteCommandRequest, State, ErrorAction, CloseAction } = require('vscode-languageclient/node');
const { makeAcceptWrapper } = require('./accept');
const { makeCrashHandler } = require('./crashHandler');
const { resolveServerCommand, isExecutable, INSTALL_COMMAND } = require('./serverCommand');
const { serverSettings, effectiveValue } = require('./settings');
const { guessOrigin } = require('./origin');
const { StatusItem } = require('./statusItem');
const { registerTestInlineProvider } = require('./testInlineProvider');
const { ReadOnlyDocuments } = require('./readOnlyDocuments');
const { DOCUMENT_SELECTOR } = require('./selector');

// Our command id -> the editor's own accept command it wraps.
const ACCEPT_COMMANDS = {
  'tabguard.acceptInlineSuggestion': 'editor.action.inlineSuggest.commit',
  'tabguard.acceptInlineSuggestionNextWord': 'editor.action.inlineSuggest.acceptNextWord',
  'tabguard.acceptInlineSuggestionNextLine': 'editor.action.inlineSuggest.acceptNextLine',
};

/** @type {LanguageClient | undefined} */
let client;
let output;
const reports = new ReadOnlyDocuments('tabguard');

/** The user's explicit value of `tabguard.<key>`, or undefined when left at the default. In an
 * untrusted workspace (Restricted Mode) the workspace's own value of a restricted key is ignored. */
function explicitSetting(key) {
  return effectiveValue(key, vscode.workspace.getConfiguration('tabguard').inspect(key), vscode.workspace.isTrusted);
}

function serverCommand() {
  return resolveServerCommand({
    configured: explicitSetting('serverCommand'),
    workspaceFolders: (vscode.workspace.workspaceFolders || []).map((f) => f.uri.fsPath),
    trusted: vscode.workspace.isTrusted,
    platform: process.platform,
    envPath: process.env.PATH,
    isExecutable,
  });
}

async function reportMissingServer() {
  const copy = 'Copy install command';
  const settings = 'Open settings';
  const choice = await vscode.window.showErrorMessage(
    `tabguard: the language server was not found (checked the tabguard.serverCommand setting, ` +
      `.venv/bin/tabguard in the workspace if it is trusted, and tabguard on PATH). Install it with \`${INSTALL_COMMAND}\`, ` +
      `or set tabguard.serverCommand, e.g. ["python", "-m", "tabguard", "lsp"].`,
    copy,
    settings,
  );
  if (choice === copy) await vscode.env.clipboard.writeText(INSTALL_COMMAND);
  if (choice === settings) await vscode.commands.executeCommand('workbench.action.openSettings', 'tabguard.serverCommand');
}

async function offerRestart(message) {
  const restart = 'Restart tabguard';
  const show = 'Show output';
  const choice = await vscode.window.showErrorMessage(message, restart, show);
  if (choice === restart) await vscode.commands.executeCommand('tabguard.restartServer');
  if (choice === show) output.show();
}

async function startClient() {
  const resolved = serverCommand();
  if (!resolved) {
    reportMissingServer();
    return;
  }
  output.appendLine(`starting ${[resolved.command, ...resolved.args].join(' ')}`);
  client = new LanguageClient(
    'tabguard',
    'tabguard',
    // Spawned directly (no shell), so paths with spaces or shell characters are passed as they are.
    { command: resolved.command, args: resolved.args, options: { shell: false } },
    {
      documentSelector: DOCUMENT_SELECTOR,
      outputChannel: output,
      errorHandler: makeCrashHandler({ ErrorAction, CloseAction, onGiveUp: offerRestart }),
      // vscode-languageclient pulls diagnostics; tell the server so it does not also push them.
      initializationOptions: { ...serverSettings(explicitSetting), pullDiagnostics: true },
      middleware: {
        workspace: {
          // Answer the server's workspace/configuration with the same keys as initializationOptions.
          configuration: (params) =>
            params.items.map((item) => (item.section === 'tabguard' ? serverSettings(explicitSetting) : null)),
        },
      },
    },
  );
  try {
    await client.start();
  } catch (err) {
    output.appendLine(`failed to start the language server: ${err && err.message}`);
    vscode.window.showErrorMessage(
      `tabguard: could not start "${resolved.command}": ${err && err.message}. Install it with \`${INSTALL_COMMAND}\`.`,
    );
    client = undefined;
  }
}

async function stopClient() {
  const old = client;
  client = undefined;
  if (old && old.state !== State.Stopped) await old.stop();
}

function running() {
  return client && client.state === State.Running ? client : undefined;
}

function requireClient() {
  const c = running();
  if (!c) vscode.window.showWarningMessage('tabguard: the language server is not running.');
  return c;
}

function executeServerCommand(c, command, args) {
  return c.sendRequest(ExecuteCommandRequest.type, { command, arguments: [args] });
}

function activeExtensionIds() {
  return vscode.extensions.all.filter((e) => e.isActive).map((e) => e.id);
}

/** Rule ids of tabguard diagnostics at the cursor, else anywhere in the file. */
function rulesNear(editor) {
  const diagnostics = vscode.languages
    .getDiagnostics(editor.document.uri)
    .filter((d) => d.source === 'tabguard' && d.code !== undefined);
  const codeOf = (d) => String(typeof d.code === 'object' ? d.code.value : d.code);
  const here = diagnostics.filter((d) => d.range.contains(editor.selection.active));
  return [...new Set((here.length ? here : diagnostics).map(codeOf))];
}

async function explainRule(ruleArg) {
  const c = requireClient();
  if (!c) return;
  let rule = typeof ruleArg === 'string' ? ruleArg : undefined;
  const editor = vscode.window.activeTextEditor;
  if (!rule) {
    const candidates = editor ? rulesNear(editor) : [];
    rule =
      candidates.length === 1
        ? candidates[0]
        : candidates.length > 1
          ? await vscode.window.showQuickPick(candidates, { placeHolder: 'Explain which rule?' })
          : await vscode.window.showInputBox({ prompt: 'Rule id to explain', placeHolder: 'TG201' });
  }
  if (!rule) return;
  rule = rule.trim().toUpperCase();
  const markdown = await executeServerCommand(c, 'tabguard.explain', { rule });
  const uri = reports.show(`explain/${rule}.md`, String(markdown));
  await vscode.commands.executeCommand('markdown.showPreview', uri).then(undefined, () =>
    vscode.window.showTextDocument(uri),
  );
}

async function reviewAtCursor(status) {
  const c = requireClient();
  const editor = vscode.window.activeTextEditor;
  if (!c || !editor) return;
  const range = c.code2ProtocolConverter.asRange(editor.selection);
  const result = await executeServerCommand(c, 'tabguard.markReviewed', { uri: editor.document.uri.toString(), range });
  output.appendLine(`markReviewed ${editor.document.uri} -> ${JSON.stringify(result)}`);
  const count = result && Array.isArray(result.reviewed) ? result.reviewed.length : undefined;
  vscode.window.setStatusBarMessage(
    count === 0 ? 'tabguard: no AI-inserted span here to review' : `tabguard: marked ${count ?? ''} AI span(s) reviewed`,
    4000,
  );
  status.refresh();
}

async function showInventory() {
  const c = requireClient();
  if (!c) return;
  const inventory = await executeServerCommand(c, 'tabguard.inventory', {});
  const content = typeof inventory === 'string' ? inventory : JSON.stringify(inventory, null, 2);
  await vscode.window.showTextDocument(reports.show('inventory.json', content), { preview: true });
}

async function activate(context) {
  output = vscode.window.createOutputChannel('tabguard');
  const status = new StatusItem(() => running(), DOCUMENT_SELECTOR);
  context.subscriptions.push(output, status, reports.register());

  const accept = makeAcceptWrapper({
    executeCommand: (id) => vscode.commands.executeCommand(id),
    onDidChangeTextDocument: (listener) => vscode.workspace.onDidChangeTextDocument(listener),
    activeDocument: () => vscode.window.activeTextEditor && vscode.window.activeTextEditor.document,
    toProtocolRange: (range) => ({
      start: { line: range.start.line, character: range.start.character },
      end: { line: range.end.line, character: range.end.character },
    }),
    origin: () => guessOrigin(activeExtensionIds()),
    report: async (params) => {
      const c = running();
      if (!c) return;
      await c.sendNotification('tabguard/didAcceptSuggestion', params);
      output.appendLine(`accepted ${params.origin} ${JSON.stringify(params.range)} v${params.textDocument.version}`);
      status.refresh();
    },
  });
  for (const [ours, editorCommand] of Object.entries(ACCEPT_COMMANDS)) {
    context.subscriptions.push(vscode.commands.registerCommand(ours, () => accept(editorCommand)));
  }
  context.subscriptions.push(
    vscode.commands.registerCommand('tabguard.review', () => reviewAtCursor(status)),
    vscode.commands.registerCommand('tabguard.showInventory', showInventory),
    vscode.commands.registerCommand('tabguard.explainRule', explainRule),
    vscode.commands.registerCommand('tabguard.restartServer', async () => {
      await stopClient();
      await startClient();
    }),
    // Trusting the workspace may change the server (its .venv, its own serverCommand) and settings.
    vscode.workspace.onDidGrantWorkspaceTrust(async () => {
      await stopClient();
      await startClient();
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration('tabguard') && !e.affectsConfiguration('tabguard.testInlineProvider')) {
        await stopClient();
        await startClient();
      }
    }),
  );
  if (vscode.workspace.getConfiguration('tabguard').get('testInlineProvider')) {
    context.subscriptions.push(registerTestInlineProvider());
  }
  await startClient();
  status.refresh();
}

async function deactivate() {
  await stopClient();
}

module.exports = { activate, deactivate };
