// Finding the jwt-lsp binary. Pure: no `vscode` import, every side effect is passed in, so the
// resolution order is unit-tested with `node --test` (test/serverPath.test.ts).
//
// Order: the `jwtLsp.server.path` setting → the binary bundled in the extension (`server/`) →
// `jwt-lsp` on PATH → an error that says how to fix it.

import * as path from 'node:path';

export type Platform = 'linux' | 'darwin' | 'win32' | string;

/** What resolution may look at; the extension passes the real file system and environment. */
export interface ResolveEnv {
  platform: Platform;
  /** `$PATH` (or `Path` on Windows). */
  pathEnv: string | undefined;
  /** `$PATHEXT` on Windows. */
  pathExt?: string;
  homeDir: string;
  /** The extension's install folder (holds `server/` when a platform build bundles the binary). */
  extensionDir: string;
  /** The first workspace folder, for `${workspaceFolder}` and relative paths. */
  workspaceFolder?: string;
  /** True for an existing regular file that may be executed. */
  isExecutableFile(file: string): boolean;
}

export type ServerSource = 'setting' | 'bundled' | 'path';

export type Resolution =
  | { ok: true; command: string; source: ServerSource }
  | { ok: false; message: string; fix: string };

export const BINARY = 'jwt-lsp';

function pathFor(platform: Platform): typeof path.posix {
  return platform === 'win32' ? path.win32 : path.posix;
}

export function binaryName(platform: Platform): string {
  return platform === 'win32' ? `${BINARY}.exe` : BINARY;
}

/** Expands `~`, `${userHome}` and `${workspaceFolder}`; resolves a relative path against the
 *  workspace folder (or leaves it relative when there is none). */
export function expandPath(value: string, env: Pick<ResolveEnv, 'homeDir' | 'workspaceFolder' | 'platform'>): string {
  let out = value.trim();
  out = out.replace(/\$\{userHome\}/g, env.homeDir);
  if (env.workspaceFolder) out = out.replace(/\$\{workspaceFolder\}/g, env.workspaceFolder);
  if (out === '~') out = env.homeDir;
  else if (out.startsWith('~/') || (env.platform === 'win32' && out.startsWith('~\\'))) out = pathFor(env.platform).join(env.homeDir, out.slice(2));
  const p = pathFor(env.platform);
  if (!p.isAbsolute(out) && env.workspaceFolder && (out.includes('/') || out.includes('\\'))) {
    out = p.resolve(env.workspaceFolder, out);
  }
  return out;
}

/** Looks `name` up on PATH the way a shell would (PATHEXT on Windows). */
export function findOnPath(name: string, env: ResolveEnv): string | undefined {
  const sep = env.platform === 'win32' ? ';' : ':';
  const p = pathFor(env.platform);
  const exts = env.platform === 'win32'
    ? ['', ...(env.pathExt || '.EXE;.CMD;.BAT;.COM').split(';').filter(Boolean)]
    : [''];
  for (const dir of (env.pathEnv || '').split(sep)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = p.join(dir, name + ext);
      if (env.isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

/**
 * Resolves the server command.
 * @param configured the effective `jwtLsp.server.path` (see `effectiveServerPath`), or empty.
 */
export function resolveServer(configured: string | null | undefined, env: ResolveEnv): Resolution {
  const settingFix = 'Set "jwtLsp.server.path" in your user settings to the jwt-lsp binary, or install it on PATH ' +
    '(`cargo install --path .` in a jwt-lsp checkout puts it in ~/.cargo/bin), then run "JWT: Restart server".';
  if (configured && configured.trim() !== '') {
    const expanded = expandPath(configured, env);
    const p = pathFor(env.platform);
    if (p.isAbsolute(expanded) || expanded.includes('/') || expanded.includes('\\')) {
      if (env.isExecutableFile(expanded)) return { ok: true, command: expanded, source: 'setting' };
      return {
        ok: false,
        message: `jwtLsp.server.path is "${configured}", but ${expanded === configured ? 'that' : `"${expanded}"`} is not an executable file.`,
        fix: 'Fix or clear "jwtLsp.server.path" (empty uses the bundled binary or jwt-lsp on PATH), then run "JWT: Restart server".',
      };
    }
    // A bare command name: look it up on PATH.
    const found = findOnPath(expanded, env);
    if (found) return { ok: true, command: found, source: 'setting' };
    return {
      ok: false,
      message: `jwtLsp.server.path is "${configured}", which is not on PATH (${env.pathEnv ? 'searched PATH' : 'PATH is empty'}).`,
      fix: settingFix,
    };
  }
  const bundled = pathFor(env.platform).join(env.extensionDir, 'server', binaryName(env.platform));
  if (env.isExecutableFile(bundled)) return { ok: true, command: bundled, source: 'bundled' };
  const onPath = findOnPath(BINARY, env);
  if (onPath) return { ok: true, command: onPath, source: 'path' };
  return {
    ok: false,
    message: 'The jwt-lsp language server was not found: "jwtLsp.server.path" is not set, this build of the extension ' +
      'bundles no server, and jwt-lsp is not on PATH.',
    fix: settingFix,
  };
}

/** What `WorkspaceConfiguration.inspect()` returns, reduced to what we read. */
export interface Inspected<T> {
  defaultValue?: T;
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

/**
 * The value of a security-relevant setting (server path, key files, network): in an untrusted
 * workspace only the user's own (global) value counts, never one from the workspace's
 * `.vscode/settings.json`. (VS Code applies `restrictedConfigurations` itself; this is the
 * belt to its braces, and it is what the unit tests pin down.)
 */
export function effectiveValue<T>(inspected: Inspected<T> | undefined, trusted: boolean): T | undefined {
  if (!inspected) return undefined;
  if (!trusted) return inspected.globalValue ?? inspected.defaultValue;
  return inspected.workspaceFolderValue ?? inspected.workspaceValue ?? inspected.globalValue ?? inspected.defaultValue;
}
