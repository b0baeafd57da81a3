import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Inspected } from '../src/serverPath';
import { ConfigSource, configurationItem, needsRestart, serverEnv, toServerSettings, wrapped } from '../src/settings';

// package.json defaults, as VS Code reports them when the user set nothing
const DEFAULTS: Record<string, unknown> = {
  'server.path': null, 'server.extraEnv': null, 'trace.server': 'off', leeway: 0, now: null, severity: {},
  inlayHints: true, testPaths: null, maxDiagnostics: 1000, allowNetwork: false, jwksUrls: [], keys: [],
  secretEnv: [], wordlist: null, algorithms: [], issuers: [], audiences: [], ignore: [], diagnosticsScope: 'workspace',
  advisories: null,
};

/** A fake `WorkspaceConfiguration`: `user` values are global, `workspace` values come from .vscode/settings.json. */
function source(user: Record<string, unknown> = {}, workspace: Record<string, unknown> = {}): ConfigSource {
  return {
    get<T>(key: string) {
      return (key in workspace ? workspace[key] : key in user ? user[key] : DEFAULTS[key]) as T;
    },
    inspect<T>(key: string): Inspected<T> {
      return { defaultValue: DEFAULTS[key] as T, globalValue: user[key] as T, workspaceValue: workspace[key] as T };
    },
  };
}
const trusted = { trusted: true, homeDir: '/home/u', workspaceFolder: '/ws', platform: 'linux' };
const untrusted = { ...trusted, trusted: false };

test('defaults map to a small object: only what the server needs, network off', () => {
  assert.deepEqual(toServerSettings(source(), trusted),
    { leeway: 0, inlayHints: true, diagnosticsScope: 'workspace', maxDiagnostics: 1000, allowNetwork: false });
});

test('every server setting is mapped with the server\'s names', () => {
  const s = toServerSettings(source({
    leeway: 30, now: '2026-01-01T00:00:00Z', severity: { 'token-no-expiry': 'OFF', 'token-expired': 'error' },
    inlayHints: false, testPaths: ['fixtures/**'], maxDiagnostics: 50, allowNetwork: true,
    jwksUrls: ['https://issuer.example/jwks.json'], keys: ['~/keys/pub.pem', 'keys/jwks.json'], wordlist: '${workspaceFolder}/w.txt',
    algorithms: ['RS256'], issuers: ['https://issuer.example'], audiences: ['api'],
    secretEnv: ['JWT_SECRET'], ignore: ['vendor/**'], diagnosticsScope: 'openFiles', advisories: '~/advisories.toml',
    'server.path': '/x/jwt-lsp', 'trace.server': 'verbose',
  }), trusted);
  assert.deepEqual(s, {
    leeway: 30, now: '2026-01-01T00:00:00Z', severity: { 'token-no-expiry': 'off', 'token-expired': 'error' },
    inlayHints: false, testPaths: ['fixtures/**'], maxDiagnostics: 50, allowNetwork: true,
    jwksUrls: ['https://issuer.example/jwks.json'], keys: ['/home/u/keys/pub.pem', '/ws/keys/jwks.json'], wordlist: '/ws/w.txt',
    algorithms: ['RS256'], issuers: ['https://issuer.example'], audiences: ['api'],
    secretEnv: ['JWT_SECRET'], ignore: ['vendor/**'], diagnosticsScope: 'openFiles', advisories: '/home/u/advisories.toml',
  });
  assert.ok(!('server' in s) && !('trace' in s), 'extension-only settings never reach the server');
});

test('diagnosticsScope: the two values the server knows, anything else left out', () => {
  assert.equal(toServerSettings(source({ diagnosticsScope: 'openFiles' }), trusted).diagnosticsScope, 'openFiles');
  assert.equal(toServerSettings(source({}, { diagnosticsScope: 'openFiles' }), untrusted).diagnosticsScope, 'openFiles',
    'harmless: a workspace may choose it');
  assert.equal(toServerSettings(source({ diagnosticsScope: 'everything' }), trusted).diagnosticsScope, undefined);
  assert.equal(toServerSettings(source({ diagnosticsScope: 3 }), trusted).diagnosticsScope, undefined);
  // pushed as {"jwtLsp": {...}}, the shape the server's `diagnosticsScope` reader accepts
  assert.deepEqual(wrapped(toServerSettings(source({ diagnosticsScope: 'openFiles' }), trusted)).jwtLsp.diagnosticsScope, 'openFiles');
});

test('now: Unix seconds as a number or a digit string', () => {
  assert.equal(toServerSettings(source({ now: 1767225600 }), trusted).now, 1767225600);
  assert.equal(toServerSettings(source({ now: ' 1767225600 ' }), trusted).now, 1767225600);
  assert.equal(toServerSettings(source({ now: '' }), trusted).now, undefined);
});

test('untrusted workspace: network forced off, workspace cannot pick keys, wordlist or JWKS URLs', () => {
  const ws = { allowNetwork: true, jwksUrls: ['https://evil.example/jwks'], keys: ['/etc/shadow'], wordlist: '/etc/passwd',
    secretEnv: ['AWS_SECRET_ACCESS_KEY'], leeway: 5, ignore: ['x/**'], advisories: '/etc/group' };
  const s = toServerSettings(source({}, ws), untrusted);
  assert.equal(s.allowNetwork, false);
  assert.equal(s.jwksUrls, undefined);
  assert.equal(s.keys, undefined);
  assert.equal(s.wordlist, undefined);
  assert.equal(s.secretEnv, undefined);
  assert.equal(s.advisories, undefined);
  assert.equal(s.leeway, 5, 'harmless settings still apply');
  assert.deepEqual(s.ignore, ['x/**']);
  // the user's own key files still count, but the network stays off even if the user allows it
  const mine = toServerSettings(source({ allowNetwork: true, keys: ['/home/u/k.pem'] }, ws), untrusted);
  assert.deepEqual([mine.allowNetwork, mine.keys], [false, ['/home/u/k.pem']]);
  // once trusted, the workspace's values apply
  assert.equal(toServerSettings(source({}, ws), trusted).allowNetwork, true);
});

test('bad values are dropped, not sent', () => {
  const s = toServerSettings(source({ leeway: -3, maxDiagnostics: 0, severity: { 'token-expired': 3 }, keys: ['', 7] }), trusted);
  assert.equal(s.leeway, undefined);
  assert.equal(s.maxDiagnostics, undefined);
  assert.equal(s.severity, undefined);
  assert.equal(s.keys, undefined);
});

test('wrapped() is the {"jwtLsp": …} form the server accepts', () => {
  assert.deepEqual(wrapped({ leeway: 1 }), { jwtLsp: { leeway: 1 } });
});

test('needsRestart: only when a setting the server started with is gone', () => {
  const initial = { leeway: 0, now: '2026-01-01T00:00:00Z', severity: { 'token-expired': 'error' } };
  assert.equal(needsRestart(initial, { ...initial, leeway: 10 }), false);
  assert.equal(needsRestart(initial, { ...initial, severity: { 'token-expired': 'off', 'token-no-expiry': 'off' } }), false);
  assert.equal(needsRestart(initial, { leeway: 0, severity: { 'token-expired': 'error' } }), true, 'now unpinned');
  assert.equal(needsRestart(initial, { ...initial, severity: {} }), true, 'severity entry removed');
  assert.equal(needsRestart({}, { leeway: 3 }), false);
});

test('workspace/configuration answers: our section mapped, other sections left to VS Code', () => {
  const s = { leeway: 5 };
  assert.deepEqual(configurationItem('jwtLsp', s), s);
  assert.deepEqual(configurationItem(undefined, s), { jwtLsp: s });
  assert.equal(configurationItem('jwtLsp.leeway', s), 5);
  assert.equal(configurationItem('jwtLsp.now', s), null);
  assert.equal(configurationItem('editor', s), undefined);
});

test('serverEnv adds jwtLsp.server.extraEnv string values', () => {
  assert.deepEqual(serverEnv({ PATH: '/bin', X: undefined }, { RUST_LOG: 'debug', N: 3, O: { a: 1 } }),
    { PATH: '/bin', RUST_LOG: 'debug', N: '3' });
  assert.deepEqual(serverEnv({ PATH: '/bin' }, null), { PATH: '/bin' });
});
