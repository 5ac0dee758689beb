// The klartext extension: highlighting comes from the grammar in package.json; this file starts the
// language server, `klartext lsp`, which speaks LSP over standard input and output.
'use strict';

const path = require('node:path');
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

/** @type {LanguageClient | undefined} */
let client;

/**
 * How to start the server, from the settings `klartext.server.path` and `klartext.server.args`.
 * A path with a directory in it that is not absolute (`target/debug/klartext`) is taken from the
 * first workspace folder, which is also the server's working directory; a bare name is looked up
 * on PATH.
 */
function serverOptions() {
  const settings = vscode.workspace.getConfiguration('klartext.server');
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  let command = settings.get('path') || 'klartext';
  if (folder && !path.isAbsolute(command) && /[\\/]/.test(command)) {
    command = path.resolve(folder, command);
  }
  const args = settings.get('args') ?? ['lsp'];
  // No `transport`: the client would add `--stdio` to the arguments. Without it, it talks to the
  // process over its standard input and output as they are.
  return { command, args, options: folder ? { cwd: folder } : {} };
}

async function start() {
  const server = serverOptions();
  client = new LanguageClient(
    'klartext',
    'klartext',
    server,
    {
      documentSelector: [
        { scheme: 'file', language: 'klartext' },
        { scheme: 'untitled', language: 'klartext' },
      ],
    },
  );
  try {
    await client.start();
  } catch (error) {
    // Not awaited: activation does not wait for the user to answer.
    void showStartError(server, error);
  }
}

async function showStartError(server, error) {
  const reason = error instanceof Error ? error.message : String(error);
  const choice = await vscode.window.showErrorMessage(
    `The klartext language server did not start (${[server.command, ...server.args].join(' ')}): ${reason}. ` +
      'Set `klartext.server.path` to the klartext executable.',
    'Open Settings',
  );
  if (choice === 'Open Settings') {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'klartext.server');
  }
}

async function stop() {
  const running = client;
  client = undefined;
  if (running) {
    try {
      await running.stop();
    } catch {
      // A server that never started has nothing to stop.
    }
  }
}

async function restart() {
  await stop();
  await start();
}

/** @param {vscode.ExtensionContext} context */
async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('klartext.restartServer', restart),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('klartext.server')) {
        return restart();
      }
    }),
  );
  await start();
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate };
