// The jwt-lsp VS Code extension: starts the jwt-lsp language server through
// vscode-languageclient, keeps its settings in sync, and adds the "JWT: …" commands.
// Decisions live in the pure modules (serverPath, settings, commands); this file wires them to VS Code.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  DocumentFilter,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
  State,
} from 'vscode-languageclient/node';

import {
  decodedDocument,
  explainText,
  positionArguments,
  SERVER_COMMANDS,
  serverSupports,
  unsupportedMessage,
  verifierTokens,
} from './commands';
import { effectiveValue, resolveServer, ResolveEnv } from './serverPath';
import {
  configurationItem,
  Context,
  needsRestart,
  RESTART_KEYS,
  SERVER_KEYS,
  serverEnv,
  ServerSettings,
  toServerSettings,
  wrapped,
} from './settings';

/** Languages whose documents are sent to the server: code it analyses and files that hold tokens. */
export const LANGUAGES = [
  'javascript', 'javascriptreact', 'typescript', 'typescriptreact', 'python', 'go',
  'java', 'csharp', 'ruby', 'php', 'rust',
  'json', 'jsonc', 'jsonl', 'yaml', 'dockercompose', 'toml', 'ini', 'properties', 'dotenv',
  'shellscript', 'http', 'markdown', 'plaintext', 'log', 'xml', 'html',
];
/** Config files whatever language VS Code gives them (`.env` is plaintext or properties without an extension). */
const PATTERNS = ['**/.env', '**/.env.*', '**/*.env', '**/*.http', '**/*.rest', '**/*.jwt'];

const CLIENT_ID = 'jwtLsp'; // also the prefix of `jwtLsp.trace.server`, which the client reads itself
const DECODED_SCHEME = 'jwt-lsp-decoded';

let output: vscode.LogOutputChannel;
let client: LanguageClient | undefined;
/** The settings the running server got as `initializationOptions`. */
let initialSettings: ServerSettings = {};
/** Serialises start/stop/restart so overlapping triggers cannot start two servers. */
let lifecycle: Promise<void> = Promise.resolve();
const virtualDocs = new Map<string, string>();
const virtualDocsChanged = new vscode.EventEmitter<vscode.Uri>();
let docCounter = 0;

function context(): Context {
  return {
    trusted: vscode.workspace.isTrusted,
    homeDir: os.homedir(),
    workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    platform: process.platform,
  };
}

function currentSettings(): ServerSettings {
  return toServerSettings(vscode.workspace.getConfiguration('jwtLsp'), context());
}

function isExecutableFile(file: string): boolean {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return false;
    if (process.platform === 'win32') return true;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function documentSelector(): DocumentFilter[] {
  const selector: DocumentFilter[] = [];
  for (const language of LANGUAGES) {
    selector.push({ scheme: 'file', language }, { scheme: 'untitled', language });
  }
  for (const pattern of PATTERNS) selector.push({ scheme: 'file', pattern });
  return selector;
}

async function setRunning(running: boolean): Promise<void> {
  await vscode.commands.executeCommand('setContext', 'jwtLsp.running', running);
}

async function reportStartFailure(message: string, fix: string): Promise<void> {
  output.error(`${message} ${fix}`);
  const choice = await vscode.window.showErrorMessage(`jwt-lsp: ${message} ${fix}`, 'Open Settings', 'Show Output');
  if (choice === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'jwtLsp.server.path');
  else if (choice === 'Show Output') output.show(true);
}

/** Some unzip paths drop the executable bit of the bundled binary; put it back. */
function ensureBundledExecutable(): void {
  if (process.platform === 'win32') return;
  const bundled = path.join(extensionDir, 'server', 'jwt-lsp');
  try {
    if (fs.statSync(bundled).isFile() && !isExecutableFile(bundled)) fs.chmodSync(bundled, 0o755);
  } catch {
    // not bundled in this build
  }
}

async function startClient(): Promise<void> {
  ensureBundledExecutable();
  const config = vscode.workspace.getConfiguration('jwtLsp');
  const ctx = context();
  const env: ResolveEnv = {
    platform: process.platform,
    pathEnv: process.env.PATH ?? process.env.Path,
    pathExt: process.env.PATHEXT,
    homeDir: ctx.homeDir,
    extensionDir: extensionDir,
    workspaceFolder: ctx.workspaceFolder,
    isExecutableFile,
  };
  const configured = effectiveValue<string | null>(config.inspect<string | null>('server.path'), ctx.trusted);
  const resolution = resolveServer(configured, env);
  if (!resolution.ok) {
    await setRunning(false);
    void reportStartFailure(resolution.message, resolution.fix);
    return;
  }
  const probe = spawnSync(resolution.command, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (probe.error || probe.status !== 0) {
    await setRunning(false);
    const why = probe.error ? probe.error.message : `exit status ${probe.status}${probe.stderr ? `: ${probe.stderr.trim()}` : ''}`;
    void reportStartFailure(`"${resolution.command}" (from ${resolution.source}) could not be run (${why}).`,
      'Point "jwtLsp.server.path" at a working jwt-lsp binary, then run "JWT: Restart server".');
    return;
  }
  output.info(`Starting ${resolution.command} (${resolution.source}): ${probe.stdout.trim()}` +
    (ctx.trusted ? '' : ' [untrusted workspace: network access off]'));

  initialSettings = currentSettings();
  const extraEnv = effectiveValue(config.inspect<Record<string, string> | null>('server.extraEnv'), ctx.trusted);
  const executable = { command: resolution.command, args: [], options: { env: serverEnv(process.env, extraEnv) } };
  const serverOptions: ServerOptions = { run: executable, debug: executable };
  const clientOptions: LanguageClientOptions = {
    documentSelector: documentSelector(),
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    diagnosticCollectionName: 'jwt-lsp',
    initializationOptions: () => wrapped(initialSettings),
    middleware: {
      // A verifier's code lens ("accepts 3 of 5 tokens") runs `jwt-lsp.verifierTokens` on the
      // server; show its answer where the lens is, as a references list.
      executeCommand: async (command, args, next) => {
        const result = await next(command, args);
        if (command === SERVER_COMMANDS.verifierTokens && args[0]?.uri && typeof args[0]?.line === 'number') {
          const locations = verifierTokens(result).map(
            (t) => new vscode.Location(vscode.Uri.parse(t.uri), new vscode.Position(t.line, t.character)));
          await vscode.commands.executeCommand('editor.action.showReferences',
            vscode.Uri.parse(args[0].uri), new vscode.Position(args[0].line, 0), locations);
        }
        return result;
      },
      workspace: {
        // The server pulls section `jwtLsp`: answer with the mapped settings (never the raw
        // section, which holds extension-only keys and an un-forced `allowNetwork`).
        configuration: async (params, token, next) => {
          const settings = currentSettings();
          const mine = params.items.map((item) => configurationItem(item.section, settings));
          const fallback = mine.some((value) => value === undefined) ? await next(params, token) : [];
          return mine.map((value, i) => (value !== undefined ? value : Array.isArray(fallback) ? fallback[i] : null));
        },
      },
    },
  };
  const next = new LanguageClient(CLIENT_ID, 'JWT Language Server', serverOptions, clientOptions);
  next.onDidChangeState((e) => void setRunning(e.newState === State.Running));
  client = next;
  try {
    await next.start();
  } catch (err) {
    output.error(`jwt-lsp failed to start: ${err instanceof Error ? err.message : String(err)}`);
    void vscode.window.showErrorMessage(`jwt-lsp failed to start: ${err instanceof Error ? err.message : String(err)}`, 'Show Output')
      .then((choice) => choice && output.show(true));
  }
}

async function stopClient(): Promise<void> {
  const old = client;
  client = undefined;
  if (!old) return;
  try {
    if (old.needsStop()) await old.stop(5000);
  } catch (err) {
    output.warn(`stopping jwt-lsp: ${err instanceof Error ? err.message : String(err)}`);
  }
  await old.dispose().catch(() => undefined);
  await setRunning(false);
}

function queue(step: () => Promise<void>): Promise<void> {
  lifecycle = lifecycle.then(step, step);
  return lifecycle;
}

async function restartNow(reason: string): Promise<void> {
  output.info(`Restarting jwt-lsp: ${reason}`);
  await stopClient();
  await startClient();
}

function restart(reason: string): Promise<void> {
  return queue(() => restartNow(reason));
}


/** Runs inside `queue`: restarts inline (queueing from here would wait for itself). */
async function onConfigurationChanged(e: vscode.ConfigurationChangeEvent): Promise<void> {
  const affects = (key: string) => e.affectsConfiguration(`jwtLsp.${key}`);
  if (!e.affectsConfiguration('jwtLsp')) return;
  if (!client) return restartNow('settings changed');
  if (RESTART_KEYS.some(affects)) return restartNow('server settings changed');
  if (!SERVER_KEYS.some(affects)) return; // e.g. trace.server, which the client applies itself
  const next = currentSettings();
  if (needsRestart(initialSettings, next)) return restartNow('a setting was removed');
  if (client.state !== State.Running) return;
  output.info('Settings changed: sending them to the server');
  await client.sendNotification(DidChangeConfigurationNotification.type, { settings: wrapped(next) });
}

/** The running client, or undefined after telling the user why there is none. */
async function runningClient(): Promise<LanguageClient | undefined> {
  await lifecycle;
  if (client && client.state === State.Running) return client;
  const choice = await vscode.window.showErrorMessage('jwt-lsp is not running.', 'Restart Server', 'Show Output');
  if (choice === 'Restart Server') await restart('requested by the user');
  else if (choice === 'Show Output') output.show(true);
  return undefined;
}

async function tokenCommand(command: string): Promise<unknown | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage('Open a file and put the cursor on a JSON Web Token first.');
    return undefined;
  }
  const c = await runningClient();
  if (!c) return undefined;
  if (!serverSupports(c.initializeResult?.capabilities, command)) {
    void vscode.window.showErrorMessage(unsupportedMessage(command, c.initializeResult?.serverInfo?.version));
    return undefined;
  }
  const position = c.code2ProtocolConverter.asPosition(editor.selection.active);
  const uri = c.code2ProtocolConverter.asUri(editor.document.uri);
  const result = await c.sendRequest(ExecuteCommandRequest.type, {
    command,
    arguments: positionArguments(uri, position.line, position.character),
  });
  if (result === null || result === undefined) {
    void vscode.window.showInformationMessage('No JSON Web Token at the cursor.');
    return undefined;
  }
  return result;
}

/** Opens `text` in a read-only editor (a virtual document) named `name`. */
async function showReadOnly(name: string, text: string): Promise<void> {
  const uri = vscode.Uri.from({ scheme: DECODED_SCHEME, path: `/${++docCounter}/${name}` });
  virtualDocs.set(uri.toString(), text);
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: false });
}

async function decodeToken(): Promise<void> {
  const result = await tokenCommand(SERVER_COMMANDS.decode);
  if (result === undefined) return;
  const text = decodedDocument(result);
  if (!text) {
    void vscode.window.showErrorMessage('jwt-lsp returned a decode result this extension does not understand; see "JWT: Show server output".');
    output.warn(`unexpected ${SERVER_COMMANDS.decode} result shape: ${Object.keys(result as object).join(', ')}`);
    return;
  }
  await showReadOnly('decoded-token.json', text);
}

async function explainToken(): Promise<void> {
  const result = await tokenCommand(SERVER_COMMANDS.explain);
  if (result === undefined) return;
  const text = explainText(result);
  if (text === undefined) {
    void vscode.window.showErrorMessage('jwt-lsp returned an explanation this extension does not understand.');
    return;
  }
  await showReadOnly('token-explained.md', text);
}

async function refreshJwks(): Promise<void> {
  const c = await runningClient();
  if (!c) return;
  if (!serverSupports(c.initializeResult?.capabilities, SERVER_COMMANDS.refreshJwks)) {
    void vscode.window.showErrorMessage(unsupportedMessage(SERVER_COMMANDS.refreshJwks, c.initializeResult?.serverInfo?.version));
    return;
  }
  const result = await c.sendRequest(ExecuteCommandRequest.type, { command: SERVER_COMMANDS.refreshJwks, arguments: [] });
  const text = explainText(result) ?? 'done';
  output.info(`Refresh JWKS and key files:\n${text}`);
  void vscode.window.showInformationMessage(`jwt-lsp: ${text.split('\n').join(' · ')}`);
}

let extensionDir = '';

export async function activate(ctx: vscode.ExtensionContext): Promise<void> {
  extensionDir = ctx.extensionPath;
  output = vscode.window.createOutputChannel('JWT Language Server', { log: true });
  ctx.subscriptions.push(
    output,
    virtualDocsChanged,
    vscode.workspace.registerTextDocumentContentProvider(DECODED_SCHEME, {
      onDidChange: virtualDocsChanged.event,
      provideTextDocumentContent: (uri) => virtualDocs.get(uri.toString()) ?? '',
    }),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      if (doc.uri.scheme === DECODED_SCHEME) virtualDocs.delete(doc.uri.toString());
    }),
    vscode.commands.registerCommand('jwtLsp.decodeToken', decodeToken),
    vscode.commands.registerCommand('jwtLsp.explainToken', explainToken),
    vscode.commands.registerCommand('jwtLsp.refreshJwks', refreshJwks),
    vscode.commands.registerCommand('jwtLsp.restartServer', () => restart('requested by the user')),
    vscode.commands.registerCommand('jwtLsp.showOutput', () => output.show(true)),
    vscode.workspace.onDidChangeConfiguration((e) => void queue(() => onConfigurationChanged(e))),
    // Trust changes which settings count (server path, keys, network): start over.
    vscode.workspace.onDidGrantWorkspaceTrust(() => void restart('workspace trusted')),
    { dispose: () => void stopClient() },
  );
  await queue(startClient);
}

export async function deactivate(): Promise<void> {
  await stopClient();
}
