// scripts/vsix-contents.mjs (run by `npm run package` on every .vsix it builds) must pass a clean package
// and name every stray, missing or oversized entry. The packages here are real zips built in memory.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'vsix-contents.mjs');

// A zip of stored (uncompressed) entries; the CRC fields stay 0, which the checker does not read.
function zip(files: Record<string, string | Buffer>): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content);
    const nameBuf = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt32LE(data.length, 20);
    dir.writeUInt32LE(data.length, 24);
    dir.writeUInt16LE(nameBuf.length, 28);
    dir.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, data);
    central.push(dir, nameBuf);
    offset += 30 + nameBuf.length + data.length;
  }
  const dirBuf = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(dirBuf.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dirBuf, end]);
}

const manifest = (target?: string) =>
  `<PackageManifest><Metadata><Identity Id="jwt-lsp"${target ? ` TargetPlatform="${target}"` : ''}/></Metadata></PackageManifest>`;
const clean = (target?: string): Record<string, string | Buffer> => ({
  '[Content_Types].xml': '<Types/>',
  'extension.vsixmanifest': manifest(target),
  'extension/package.json': JSON.stringify({ repository: { url: 'https://github.com/o/r', directory: 'editors/vscode' } }),
  'extension/out/extension.js': 'module.exports = {};',
  'extension/readme.md': '# jwt-lsp\n![shot](https://github.com/o/r/raw/HEAD/editors/vscode/images/screenshot.png)\n',
  'extension/changelog.md': '# Changelog',
  'extension/LICENSE.txt': 'MIT',
  'extension/images/icon.png': 'png',
  'extension/notices/jwt.secrets.list.LICENSE': 'MIT (Wallarm)',
});

function check(files: Record<string, string | Buffer>): { status: number | null; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vsix-'));
  try {
    writeFileSync(join(dir, 'test.vsix'), zip(files));
    const r = spawnSync(process.execPath, [SCRIPT, join(dir, 'test.vsix')], { encoding: 'utf8' });
    return { status: r.status, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a platform package with its server and the shipped files passes', () => {
  assert.deepEqual(check({ ...clean('linux-x64'), 'extension/server/jwt-lsp': Buffer.alloc(4096) }), { status: 0, stderr: '' });
  assert.deepEqual(check({ ...clean('win32-x64'), 'extension/server/jwt-lsp.exe': 'MZ' }), { status: 0, stderr: '' });
  assert.deepEqual(check(clean()), { status: 0, stderr: '' });
});

test('sources, node_modules, source maps and tests are strays', () => {
  const r = check({
    ...clean(),
    'extension/src/extension.ts': 'x',
    'extension/node_modules/vscode-languageclient/package.json': '{}',
    'extension/out/extension.js.map': '{}',
    'extension/out/test/settings.test.js': 'x',
  });
  assert.equal(r.status, 1);
  for (const stray of ['extension/src/extension.ts', 'extension/node_modules/vscode-languageclient/package.json',
    'extension/out/extension.js.map', 'extension/out/test/settings.test.js']) {
    assert.match(r.stderr, new RegExp(`stray file ${stray.replace(/[.]/g, '\\.')} `));
  }
});

test('a platform package needs its own server, and a universal one has none', () => {
  assert.match(check(clean('linux-x64')).stderr, /a linux-x64 package without extension\/server\/jwt-lsp$/m);
  assert.match(check({ ...clean('win32-x64'), 'extension/server/jwt-lsp': 'ELF' }).stderr,
    /a win32-x64 package without extension\/server\/jwt-lsp\.exe/);
  assert.match(check({ ...clean(), 'extension/server/jwt-lsp': 'ELF' }).stderr, /without a target platform/);
});

test('the notices and the README are required', () => {
  const files = clean();
  delete files['extension/notices/jwt.secrets.list.LICENSE'];
  delete files['extension/readme.md'];
  const r = check(files);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /missing extension\/notices\/jwt\.secrets\.list\.LICENSE/);
  assert.match(r.stderr, /missing extension\/readme\.md/);
});

test('everything besides the server stays within the size budget', () => {
  const r = check({ ...clean(), 'extension/out/extension.js': Buffer.alloc(1100 * 1024) });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /over the budget of 1048576/);
});

test('README images must point into the extension folder of the repository', () => {
  for (const url of ['images/screenshot.png', 'https://github.com/o/r/raw/HEAD/images/screenshot.png']) {
    const r = check({ ...clean(), 'extension/readme.md': `# jwt-lsp\n![shot](${url})\n` });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /README image .* is not under https:\/\/github\.com\/o\/r\/raw\/HEAD\/editors\/vscode\//);
  }
});
