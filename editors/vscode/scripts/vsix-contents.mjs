#!/usr/bin/env node
// Lists a .vsix's entries and fails on anything that should not ship: the package holds the bundled
// extension, the jwt-lsp binary of its target platform, README, CHANGELOG, LICENSE, the icon and the
// third-party notices — no sources, node_modules, source maps or tests — and stays within a size budget.
//   node scripts/vsix-contents.mjs dist/jwt-lsp-0.1.0-linux-x64.vsix
// Exit 0 when the package is clean, 1 with one line per problem. `npm run package` runs it on what it built.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateRawSync } from 'node:zlib';

// Everything but the server binary; the bundled extension is ~0.4 MB minified.
export const BUDGET_BYTES = 1024 * 1024;
const ALLOWED = new Set([
  '[Content_Types].xml',
  'extension.vsixmanifest',
  'extension/package.json',
  'extension/out/extension.js',
  'extension/readme.md', // vsce writes these two in lower case
  'extension/changelog.md',
  'extension/LICENSE.txt',
  'extension/images/icon.png',
  'extension/notices/jwt.secrets.list.LICENSE',
]);
const SERVERS = new Set(['extension/server/jwt-lsp', 'extension/server/jwt-lsp.exe']);

// The central directory of a zip (no zip64: a .vsix is far below 4 GB): name, sizes, and where the data is.
export function zipEntries(buf) {
  const min = Math.max(0, buf.length - 22 - 0xffff);
  let eocd = -1;
  for (let i = buf.length - 22; i >= min; i--) if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  if (eocd < 0) throw new Error('not a zip file (no end-of-central-directory record)');
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error(`damaged central directory at entry ${n}`);
    const nameLen = buf.readUInt16LE(at + 28);
    entries.push({
      name: buf.toString('utf8', at + 46, at + 46 + nameLen),
      method: buf.readUInt16LE(at + 10),
      compressed: buf.readUInt32LE(at + 20),
      size: buf.readUInt32LE(at + 24),
      localHeader: buf.readUInt32LE(at + 42),
    });
    at += 46 + nameLen + buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32);
  }
  return entries;
}

function entryText(buf, entry) {
  const at = entry.localHeader;
  const start = at + 30 + buf.readUInt16LE(at + 26) + buf.readUInt16LE(at + 28);
  const raw = buf.subarray(start, start + entry.compressed);
  return (entry.method === 8 ? inflateRawSync(raw) : raw).toString('utf8');
}

// Problems with a package, one sentence each; empty when it is clean.
export function vsixProblems(buf) {
  const entries = zipEntries(buf);
  const names = new Set(entries.map((e) => e.name));
  const problems = [];
  for (const e of entries) {
    if (!ALLOWED.has(e.name) && !SERVERS.has(e.name)) problems.push(`stray file ${e.name} (${e.size} bytes)`);
  }
  for (const name of ALLOWED) if (!names.has(name)) problems.push(`missing ${name}`);
  const manifest = entries.find((e) => e.name === 'extension.vsixmanifest');
  const target = manifest && /TargetPlatform="([^"]+)"/.exec(entryText(buf, manifest))?.[1];
  const servers = entries.filter((e) => SERVERS.has(e.name)).map((e) => e.name);
  const wanted = target && (target.startsWith('win32') ? 'extension/server/jwt-lsp.exe' : 'extension/server/jwt-lsp');
  if (wanted && !servers.includes(wanted)) problems.push(`a ${target} package without ${wanted}`);
  for (const s of servers) if (s !== wanted) problems.push(`${s} in a package ${target ? `for ${target}` : 'without a target platform'}`);
  // The marketplace shows the packaged README: its images must be absolute links into the extension's folder.
  const readme = entries.find((e) => e.name === 'extension/readme.md');
  const pkg = entries.find((e) => e.name === 'extension/package.json');
  if (readme && pkg) {
    const { repository } = JSON.parse(entryText(buf, pkg));
    const base = repository && `${repository.url.replace(/\.git$/, '')}/raw/HEAD/${repository.directory}/`;
    for (const [, url] of entryText(buf, readme).matchAll(/!\[[^\]]*\]\(([^)\s]+)/g)) {
      if (!base || !url.startsWith(base)) problems.push(`README image ${url} is not under ${base}`);
    }
  }
  const rest = entries.filter((e) => !SERVERS.has(e.name)).reduce((sum, e) => sum + e.size, 0);
  if (rest > BUDGET_BYTES) problems.push(`${rest} bytes besides the server, over the budget of ${BUDGET_BYTES}`);
  return problems;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const file = process.argv[2];
  if (!file) { console.error('usage: vsix-contents.mjs FILE.vsix'); process.exit(2); }
  const buf = readFileSync(file);
  for (const e of zipEntries(buf)) console.log(`${String(e.size).padStart(10)}  ${e.name}`);
  const problems = vsixProblems(buf);
  for (const p of problems) console.error(`vsix-contents: ${p}`);
  process.exit(problems.length ? 1 : 0);
}
