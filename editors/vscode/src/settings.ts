// VS Code settings (`jwtLsp.*`) → the settings object jwt-lsp reads from `initializationOptions`,
// `workspace/didChangeConfiguration` and `workspace/configuration`. Pure: no `vscode` import
// (unit-tested in test/settings.test.ts).

import { effectiveValue, expandPath, Inspected, Platform } from './serverPath';

/** The part of `vscode.WorkspaceConfiguration` (section `jwtLsp`) that we read. */
export interface ConfigSource {
  get<T>(key: string): T | undefined;
  inspect<T>(key: string): Inspected<T> | undefined;
}

export interface Context {
  /** `vscode.workspace.isTrusted`. */
  trusted: boolean;
  homeDir: string;
  workspaceFolder?: string;
  platform: Platform;
}

/** Settings that a workspace must not choose for the user (also listed under
 *  `capabilities.untrustedWorkspaces.restrictedConfigurations` in package.json). */
export const RESTRICTED = ['server.path', 'server.extraEnv', 'allowNetwork', 'jwksUrls', 'keys', 'secretEnv', 'wordlist',
  'advisories'] as const;

/** Settings the server reads (the others, `server.*` and `trace.server`, are the extension's). */
export const SERVER_KEYS = ['leeway', 'now', 'severity', 'inlayHints', 'diagnosticsScope', 'testPaths', 'maxDiagnostics',
  'allowNetwork', 'jwksUrls', 'keys', 'secretEnv', 'wordlist', 'algorithms', 'issuers', 'audiences', 'ignore', 'advisories'] as const;

export const DIAGNOSTICS_SCOPES = ['workspace', 'openFiles'] as const;

/** Settings whose change needs a new server process, not a `didChangeConfiguration`. */
export const RESTART_KEYS = ['server.path', 'server.extraEnv'] as const;

export const SEVERITY_LEVELS = ['error', 'warning', 'info', 'hint', 'off'] as const;

/** What the server gets. Field names are the server's (camelCase). Unset values are left out. */
export interface ServerSettings {
  leeway?: number;
  now?: string | number;
  severity?: Record<string, string>;
  inlayHints?: boolean;
  /** Where workspace findings (`token-rejected-by-verifier`) are shown: every file, or open ones only. */
  diagnosticsScope?: (typeof DIAGNOSTICS_SCOPES)[number];
  testPaths?: string[];
  maxDiagnostics?: number;
  allowNetwork?: boolean;
  jwksUrls?: string[];
  keys?: string[];
  /** Names of environment variables holding HMAC secrets (never the secrets). */
  secretEnv?: string[];
  wordlist?: string;
  algorithms?: string[];
  issuers?: string[];
  audiences?: string[];
  ignore?: string[];
  /** A JWT advisories file used instead of the server's built-in one. */
  advisories?: string;
}

function read<T>(config: ConfigSource, key: string, trusted: boolean): T | undefined {
  if ((RESTRICTED as readonly string[]).includes(key)) return effectiveValue<T>(config.inspect<T>(key), trusted);
  return config.get<T>(key);
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim()) : [];
}

function nonNegativeInt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined;
}

/** Maps the `jwtLsp` configuration section to the server's settings object. */
export function toServerSettings(config: ConfigSource, ctx: Context): ServerSettings {
  const out: ServerSettings = {};
  const leeway = nonNegativeInt(read(config, 'leeway', ctx.trusted));
  if (leeway !== undefined) out.leeway = leeway;

  const now = read<unknown>(config, 'now', ctx.trusted);
  if (typeof now === 'number' && Number.isFinite(now)) out.now = Math.floor(now);
  else if (typeof now === 'string' && now.trim() !== '') out.now = /^\d+$/.test(now.trim()) ? Number(now.trim()) : now.trim();

  const severity = read<unknown>(config, 'severity', ctx.trusted);
  if (severity && typeof severity === 'object' && !Array.isArray(severity)) {
    const entries = Object.entries(severity as Record<string, unknown>)
      .filter((e): e is [string, string] => typeof e[1] === 'string')
      .map(([code, level]) => [code.trim(), level.trim().toLowerCase()] as [string, string]);
    if (entries.length) out.severity = Object.fromEntries(entries);
  }

  const inlayHints = read<unknown>(config, 'inlayHints', ctx.trusted);
  if (typeof inlayHints === 'boolean') out.inlayHints = inlayHints;

  const scope = read<unknown>(config, 'diagnosticsScope', ctx.trusted);
  if (typeof scope === 'string' && (DIAGNOSTICS_SCOPES as readonly string[]).includes(scope)) {
    out.diagnosticsScope = scope as ServerSettings['diagnosticsScope'];
  }

  const testPaths = read<unknown>(config, 'testPaths', ctx.trusted);
  if (Array.isArray(testPaths)) out.testPaths = strings(testPaths);

  const max = nonNegativeInt(read(config, 'maxDiagnostics', ctx.trusted));
  if (max !== undefined && max > 0) out.maxDiagnostics = max;

  // Network access: only with an explicit opt-in, and never in an untrusted workspace.
  out.allowNetwork = ctx.trusted && read<unknown>(config, 'allowNetwork', ctx.trusted) === true;

  const expand = (p: string) => expandPath(p, ctx);
  const jwksUrls = strings(read(config, 'jwksUrls', ctx.trusted));
  if (jwksUrls.length) out.jwksUrls = jwksUrls;
  const keys = strings(read(config, 'keys', ctx.trusted)).map(expand);
  if (keys.length) out.keys = keys;
  const secretEnv = strings(read(config, 'secretEnv', ctx.trusted));
  if (secretEnv.length) out.secretEnv = secretEnv;
  const wordlist = read<unknown>(config, 'wordlist', ctx.trusted);
  if (typeof wordlist === 'string' && wordlist.trim() !== '') out.wordlist = expand(wordlist);
  const advisories = read<unknown>(config, 'advisories', ctx.trusted);
  if (typeof advisories === 'string' && advisories.trim() !== '') out.advisories = expand(advisories);
  for (const key of ['algorithms', 'issuers', 'audiences', 'ignore'] as const) {
    const list = strings(read(config, key, ctx.trusted));
    if (list.length) out[key] = list;
  }
  return out;
}

/** `initializationOptions` / `didChangeConfiguration` payload: the server accepts the wrapped form. */
export function wrapped(settings: ServerSettings): { jwtLsp: ServerSettings } {
  return { jwtLsp: settings };
}

/**
 * True when `next` cannot simply be sent as `didChangeConfiguration` to a server started with
 * `initial`: jwt-lsp merges pushed settings over its `initializationOptions`, so a setting that
 * was set at start and is unset now (or a severity entry that was removed) would keep its old
 * value. Restarting the server with fresh `initializationOptions` is then the correct update.
 */
export function needsRestart(initial: ServerSettings, next: ServerSettings): boolean {
  for (const key of Object.keys(initial) as (keyof ServerSettings)[]) {
    if (initial[key] !== undefined && next[key] === undefined) return true;
  }
  for (const code of Object.keys(initial.severity || {})) {
    if (!next.severity || !(code in next.severity)) return true;
  }
  return false;
}

/** The server's answer to `workspace/configuration` for a requested section. */
export function configurationItem(section: string | undefined, settings: ServerSettings): unknown {
  if (section === 'jwtLsp' || section === 'jwt-lsp') return settings;
  if (!section) return wrapped(settings);
  if (section.startsWith('jwtLsp.')) {
    return (settings as Record<string, unknown>)[section.slice('jwtLsp.'.length)] ?? null;
  }
  return undefined; // not ours: let the default handler answer
}

/** Environment for the server process: ours plus `jwtLsp.server.extraEnv` (string values only). */
export function serverEnv(base: Record<string, string | undefined>, extra: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (typeof v === 'string') out[k] = v;
  if (extra && typeof extra === 'object' && !Array.isArray(extra)) {
    for (const [k, v] of Object.entries(extra as Record<string, unknown>)) {
      if (typeof v === 'string') out[k] = v;
      else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    }
  }
  return out;
}
