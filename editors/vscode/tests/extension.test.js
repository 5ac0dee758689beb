// The client in extension.js, outside VS Code: `vscode` and `vscode-languageclient/node` are
// stand-ins that record what the extension asks of them.
'use strict';

const assert = require('node:assert/strict');
const Module = require('node:module');
const path = require('node:path');
const { test, beforeEach } = require('node:test');

const EXTENSION = path.join(__dirname, '..', 'extension.js');

/** What the stand-ins saw, and what they answer; reset before each test. */
let world;

function reset({ settings = {}, folder = '/home/dsb/policies', startFails = null } = {}) {
  world = {
    settings,
    folder,
    startFails,
    clients: [],
    commands: new Map(),
    configurationListeners: [],
    errors: [],
  };
}

class FakeLanguageClient {
  constructor(id, name, serverOptions, clientOptions) {
    Object.assign(this, { id, name, serverOptions, clientOptions, started: false, stopped: false });
    world.clients.push(this);
  }
  async start() {
    if (world.startFails) throw new Error(world.startFails);
    this.started = true;
  }
  async stop() {
    this.stopped = true;
  }
}

const fakeVscode = {
  workspace: {
    get workspaceFolders() {
      return world.folder ? [{ uri: { fsPath: world.folder } }] : undefined;
    },
    getConfiguration(section) {
      assert.equal(section, 'klartext.server');
      return { get: (key) => world.settings[key] };
    },
    onDidChangeConfiguration(listener) {
      world.configurationListeners.push(listener);
      return { dispose() {} };
    },
  },
  commands: {
    registerCommand(name, callback) {
      world.commands.set(name, callback);
      return { dispose() {} };
    },
    async executeCommand() {},
  },
  window: {
    async showErrorMessage(message) {
      world.errors.push(message);
      return undefined;
    },
  },
};

// `require('vscode')` and `require('vscode-languageclient/node')` in extension.js get the
// stand-ins.
const load = Module._load;
// The real client, loaded in the last test, gets a `vscode` of classes that do nothing.
const hollowVscode = new Proxy({}, {
  get: (_, key) => (key === '__esModule' ? false : new Proxy(function () {}, { get: () => ({}) })),
});
Module._load = function (request, parent, isMain) {
  if (request === 'vscode') {
    return parent?.filename.includes(`${path.sep}vscode-languageclient${path.sep}`) ? hollowVscode : fakeVscode;
  }
  if (request === 'vscode-languageclient/node') return { LanguageClient: FakeLanguageClient };
  return load.call(this, request, parent, isMain);
};

async function activate() {
  delete require.cache[EXTENSION];
  const extension = require(EXTENSION);
  const context = { subscriptions: [] };
  await extension.activate(context);
  return { extension, context };
}

beforeEach(() => reset());

test('starts `klartext lsp` over stdio by default', async () => {
  // The settings' defaults come from package.json; an unset setting reads as undefined here.
  await activate();
  assert.equal(world.clients.length, 1);
  const [client] = world.clients;
  assert.equal(client.id, 'klartext');
  assert.equal(client.serverOptions.command, 'klartext');
  assert.deepEqual(client.serverOptions.args, ['lsp']);
  // A `transport` would make the client add `--stdio` to the arguments.
  assert.equal(client.serverOptions.transport, undefined);
  assert.equal(client.serverOptions.options.cwd, '/home/dsb/policies');
  assert.deepEqual(client.clientOptions.documentSelector, [
    { scheme: 'file', language: 'klartext' },
    { scheme: 'untitled', language: 'klartext' },
  ]);
  assert.ok(client.started);
});

test('takes the executable and its arguments from the settings', async () => {
  reset({ settings: { path: '/opt/klartext/bin/klartext', args: ['lsp', '--log', 'debug'] } });
  await activate();
  const [client] = world.clients;
  assert.equal(client.serverOptions.command, '/opt/klartext/bin/klartext');
  assert.deepEqual(client.serverOptions.args, ['lsp', '--log', 'debug']);
});

test('a relative path with a folder in it is taken from the workspace folder', async () => {
  reset({ settings: { path: 'target/debug/klartext' } });
  await activate();
  assert.equal(world.clients[0].serverOptions.command, path.resolve('/home/dsb/policies', 'target/debug/klartext'));
});

test('a bare name is left to PATH, also without a workspace folder', async () => {
  reset({ settings: { path: 'klartext-nightly' }, folder: null });
  await activate();
  assert.equal(world.clients[0].serverOptions.command, 'klartext-nightly');
  assert.deepEqual(world.clients[0].serverOptions.options, {});
});

test('the restart command stops the server and starts it with the settings as they are now', async () => {
  await activate();
  assert.ok(world.commands.has('klartext.restartServer'));
  world.settings.path = '/usr/local/bin/klartext';
  await world.commands.get('klartext.restartServer')();
  assert.equal(world.clients.length, 2);
  assert.ok(world.clients[0].stopped);
  assert.equal(world.clients[1].serverOptions.command, '/usr/local/bin/klartext');
  assert.ok(world.clients[1].started);
});

test('changing a server setting restarts the server; other settings do not', async () => {
  await activate();
  const [listener] = world.configurationListeners;
  await listener({ affectsConfiguration: (section) => section === 'editor.fontSize' });
  assert.equal(world.clients.length, 1);
  await listener({ affectsConfiguration: (section) => section === 'klartext.server' });
  assert.equal(world.clients.length, 2);
  assert.ok(world.clients[0].stopped);
});

test('a server that does not start is reported with the setting to change', async () => {
  reset({ startFails: 'spawn klartext ENOENT' });
  await activate();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(world.errors.length, 1);
  assert.match(world.errors[0], /klartext lsp/);
  assert.match(world.errors[0], /spawn klartext ENOENT/);
  assert.match(world.errors[0], /klartext\.server\.path/);
});

test('deactivating stops the server', async () => {
  const { extension } = await activate();
  await extension.deactivate();
  assert.ok(world.clients[0].stopped);
});

test('the settings and the command are those package.json contributes', () => {
  const manifest = require('../package.json');
  const settings = manifest.contributes.configuration.properties;
  assert.equal(settings['klartext.server.path'].default, 'klartext');
  assert.deepEqual(settings['klartext.server.args'].default, ['lsp']);
  // vscode-languageclient reads `<client id>.trace.server`.
  assert.ok(settings['klartext.trace.server']);
  assert.deepEqual(
    manifest.contributes.commands.map((c) => c.command),
    ['klartext.restartServer'],
  );
  assert.equal(manifest.main, './extension.js');
});

test('vscode-languageclient/node has the LanguageClient extension.js takes from it', () => {
  // By its file, past the stand-in.
  const real = require(require.resolve('vscode-languageclient/node'));
  assert.equal(typeof real.LanguageClient, 'function');
});
