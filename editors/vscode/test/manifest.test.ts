// package.json (the manifest VS Code reads) must agree with the code: settings, restricted settings,
// commands, activation events.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { RESTART_KEYS, RESTRICTED, SERVER_KEYS } from '../src/settings';

const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8'));
const props: Record<string, { scope?: string; description?: string; markdownDescription?: string }> =
  manifest.contributes.configuration.properties;
const EXTENSION_KEYS = ['server.path', 'server.extraEnv', 'trace.server'];

test('every setting is either the server\'s or the extension\'s, and has a description', () => {
  const keys = Object.keys(props).map((k) => k.replace(/^jwtLsp\./, ''));
  assert.deepEqual([...keys].sort(), [...SERVER_KEYS, ...EXTENSION_KEYS].sort());
  for (const [key, p] of Object.entries(props)) assert.ok(p.description || p.markdownDescription, `${key} has no description`);
});

test('the server path cannot come from an untrusted workspace', () => {
  assert.equal(props['jwtLsp.server.path'].scope, 'machine-overridable');
  const caps = manifest.capabilities.untrustedWorkspaces;
  assert.equal(caps.supported, 'limited');
  assert.deepEqual([...caps.restrictedConfigurations].sort(), RESTRICTED.map((k) => `jwtLsp.${k}`).sort());
  for (const key of RESTART_KEYS) assert.ok(RESTRICTED.includes(key), key);
});

test('every rule code has a severity entry with its default', () => {
  const severity = (props['jwtLsp.severity'] as unknown as { properties: Record<string, { markdownDescription: string }> }).properties;
  for (const code of ['token-expired', 'token-alg-none', 'token-weak-secret']) assert.match(severity[code].markdownDescription, /default: /);
});

test('the commands are contributed with the JWT category', () => {
  const titles = manifest.contributes.commands.map((c: { category: string; title: string }) => `${c.category}: ${c.title}`);
  assert.deepEqual(titles, ['JWT: Decode token at cursor', 'JWT: Explain token', 'JWT: Refresh JWKS and key files',
    'JWT: Restart server', 'JWT: Show server output']);
});

test('activation covers code and config languages', () => {
  const events: string[] = manifest.activationEvents;
  for (const lang of ['javascript', 'typescript', 'python', 'go', 'java', 'csharp', 'ruby', 'php', 'rust', 'json', 'yaml', 'toml', 'dotenv', 'properties', 'markdown', 'plaintext']) {
    assert.ok(events.includes(`onLanguage:${lang}`), lang);
  }
  assert.ok(events.includes('workspaceContains:**/.env'));
});

test('the marketplace listing: icon (a PNG of at least 128x128), banner, licence, repository, engine', () => {
  const icon = readFileSync(join(__dirname, '..', '..', manifest.icon));
  assert.equal(icon.subarray(0, 8).toString('latin1'), '\x89PNG\r\n\x1a\n');
  assert.ok(icon.readUInt32BE(16) >= 128 && icon.readUInt32BE(20) >= 128, 'icon smaller than 128x128');
  assert.match(manifest.galleryBanner.color, /^#[0-9A-F]{6}$/i);
  assert.ok(['dark', 'light'].includes(manifest.galleryBanner.theme));
  assert.equal(manifest.license, 'MIT');
  assert.match(manifest.repository.url, /^https:\/\//);
  assert.match(manifest.engines.vscode, /^\^1\.\d+\.0$/);
  assert.ok(manifest.categories.includes('Linters'));
  assert.ok(manifest.keywords.length <= 30 && manifest.keywords.includes('jwt'));
});
