import assert from 'node:assert/strict';
import { test } from 'node:test';

import { effectiveValue, expandPath, findOnPath, resolveServer, ResolveEnv } from '../src/serverPath';

function env(files: string[], over: Partial<ResolveEnv> = {}): ResolveEnv {
  const set = new Set(files);
  return {
    platform: 'linux',
    pathEnv: '/usr/local/bin:/usr/bin',
    homeDir: '/home/u',
    extensionDir: '/ext',
    workspaceFolder: '/ws',
    isExecutableFile: (f) => set.has(f),
    ...over,
  };
}

test('the setting wins over the bundled binary and PATH', () => {
  const r = resolveServer('/opt/jwt/jwt-lsp', env(['/opt/jwt/jwt-lsp', '/ext/server/jwt-lsp', '/usr/bin/jwt-lsp']));
  assert.deepEqual(r, { ok: true, command: '/opt/jwt/jwt-lsp', source: 'setting' });
});

test('without a setting the bundled binary wins over PATH', () => {
  for (const configured of [undefined, null, '', '   ']) {
    const r = resolveServer(configured, env(['/ext/server/jwt-lsp', '/usr/bin/jwt-lsp']));
    assert.deepEqual(r, { ok: true, command: '/ext/server/jwt-lsp', source: 'bundled' });
  }
});

test('PATH is searched in order when nothing else is there', () => {
  const r = resolveServer(undefined, env(['/usr/bin/jwt-lsp', '/usr/local/bin/jwt-lsp']));
  assert.deepEqual(r, { ok: true, command: '/usr/local/bin/jwt-lsp', source: 'path' });
});

test('nothing found: an error that names the setting and how to install', () => {
  const r = resolveServer(undefined, env([]));
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.match(r.message, /not found/);
    assert.match(r.fix, /jwtLsp\.server\.path/);
    assert.match(r.fix, /PATH/);
  }
});

test('a configured path that is not executable is an error, not a silent fallback', () => {
  const r = resolveServer('/nope/jwt-lsp', env(['/ext/server/jwt-lsp', '/usr/bin/jwt-lsp']));
  assert.equal(r.ok, false);
  if (!r.ok) assert.match(r.message, /\/nope\/jwt-lsp.*not an executable file/);
});

test('~, ${userHome} and ${workspaceFolder} are expanded; relative paths are relative to the workspace', () => {
  assert.equal(expandPath('~/bin/jwt-lsp', env([])), '/home/u/bin/jwt-lsp');
  assert.equal(expandPath('${userHome}/x', env([])), '/home/u/x');
  assert.equal(expandPath('${workspaceFolder}/tools/jwt-lsp', env([])), '/ws/tools/jwt-lsp');
  assert.equal(expandPath('tools/jwt-lsp', env([])), '/ws/tools/jwt-lsp');
  assert.equal(expandPath('./jwt-lsp', env([])), '/ws/jwt-lsp');
  const r = resolveServer('~/bin/jwt-lsp', env(['/home/u/bin/jwt-lsp']));
  assert.deepEqual(r, { ok: true, command: '/home/u/bin/jwt-lsp', source: 'setting' });
});

test('a bare command name in the setting is looked up on PATH', () => {
  const r = resolveServer('jwt-lsp-nightly', env(['/usr/bin/jwt-lsp-nightly']));
  assert.deepEqual(r, { ok: true, command: '/usr/bin/jwt-lsp-nightly', source: 'setting' });
  assert.equal(resolveServer('jwt-lsp-nightly', env([])).ok, false);
});

test('Windows: .exe in server/, PATHEXT on PATH', () => {
  const win = { platform: 'win32', pathEnv: 'C:\\bin;C:\\tools', pathExt: '.COM;.EXE', extensionDir: 'C:\\ext' };
  assert.deepEqual(resolveServer(undefined, env(['C:\\ext\\server\\jwt-lsp.exe'], win)),
    { ok: true, command: 'C:\\ext\\server\\jwt-lsp.exe', source: 'bundled' });
  assert.equal(findOnPath('jwt-lsp', env(['C:\\tools\\jwt-lsp.EXE'], win)), 'C:\\tools\\jwt-lsp.EXE');
});

test('untrusted workspaces: only the user (global) value of a restricted setting counts', () => {
  const inspected = { defaultValue: null, globalValue: '/home/u/jwt-lsp', workspaceValue: '/ws/evil' };
  assert.equal(effectiveValue(inspected, true), '/ws/evil');
  assert.equal(effectiveValue(inspected, false), '/home/u/jwt-lsp');
  assert.equal(effectiveValue({ defaultValue: null, workspaceValue: '/ws/evil' }, false), null);
  assert.equal(effectiveValue({ defaultValue: null, workspaceFolderValue: '/f', workspaceValue: '/w' }, true), '/f');
  assert.equal(effectiveValue(undefined, true), undefined);
});
