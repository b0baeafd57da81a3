#!/usr/bin/env node
// Packages the extension into a .vsix:
//   npm run package                                   → dist/jwt-lsp-<version>.vsix (no server inside: uses
//                                                       jwtLsp.server.path or jwt-lsp on PATH)
//   npm run package -- --server ../../target/release/jwt-lsp
//                                                     → dist/jwt-lsp-<version>-<target>.vsix with the binary in
//                                                       server/ (target: the current platform, or --target)
//   options: --target linux-x64|linux-arm64|darwin-x64|darwin-arm64|win32-x64|alpine-x64, --out <file.vsix>
// The server can also be given as JWT_LSP_SERVER=<path>. Needs `npm ci` first.
//
// One platform package per target, each with that platform's binary (build it there, or cross-compile):
//   linux-x64     cargo build --profile dist --target x86_64-unknown-linux-gnu
//   linux-arm64   cargo build --profile dist --target aarch64-unknown-linux-gnu   (cross linker: gcc-aarch64-linux-gnu)
//   alpine-x64    cargo build --profile dist --target x86_64-unknown-linux-musl
//   darwin-x64    cargo build --profile dist --target x86_64-apple-darwin         (on macOS)
//   darwin-arm64  cargo build --profile dist --target aarch64-apple-darwin        (on macOS)
//   win32-x64     cargo build --profile dist --target x86_64-pc-windows-msvc      (on Windows: jwt-lsp.exe)
// then: npm run package -- --target <target> --server ../../target/<triple>/dist/jwt-lsp[.exe]
// A binary for another platform cannot run here: only its executable format is checked (ELF, Mach-O, PE).
// Every package also carries the third-party notices (the weak-secret wordlist's MIT licence, from data/)
// and is checked by scripts/vsix-contents.mjs: only the shipped files, within the size budget.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { vsixProblems } from './vsix-contents.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return undefined;
  if (!args[i + 1]) throw new Error(`--${name} needs a value`);
  return args[i + 1];
};
const die = (msg) => { console.error(`package: ${msg}`); process.exit(1); };

const server = opt('server') ?? process.env.JWT_LSP_SERVER;
const hostTarget = () => {
  const arch = { x64: 'x64', arm64: 'arm64', arm: 'armhf' }[process.arch] ?? process.arch;
  return `${process.platform}-${arch}`;
};
const target = opt('target') ?? (server ? hostTarget() : undefined);
const { version, repository } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// vsce makes the README's relative links absolute from the repository URL but ignores its `directory`.
const repoBase = (kind) => `${repository.url.replace(/\.git$/, '')}/${kind}/HEAD/${repository.directory}`;
const out = resolve(opt('out') ?? join(root, 'dist', `jwt-lsp-${version}${target ? `-${target}` : ''}.vsix`));

const serverDir = join(root, 'server');
rmSync(serverDir, { recursive: true, force: true });
if (server) {
  const src = resolve(server);
  if (!existsSync(src)) die(`server binary ${src} does not exist (build it: cargo build --release)`);
  // A binary for another platform cannot run here: at least its executable format must match the target.
  const magic = readFileSync(src).subarray(0, 4).toString('hex');
  const formats = { win32: ['4d5a'], darwin: ['cffaedfe', 'cafebabe'], linux: ['7f454c46'], alpine: ['7f454c46'] };
  const wantFormat = formats[target.split('-')[0]];
  if (!wantFormat) die(`unknown --target ${target}`);
  if (!wantFormat.some((m) => magic.startsWith(m))) die(`${src} is not a ${target} executable`);
  const elfMachine = { x64: 0x3e, arm64: 0xb7, armhf: 0x28 }[target.split('-')[1]];
  if (magic === '7f454c46' && elfMachine && readFileSync(src).readUInt16LE(18) !== elfMachine) {
    die(`${src} is an ELF executable for another CPU than ${target}`);
  }
  if (target === hostTarget()) {
    try {
      execFileSync(src, ['--version'], { stdio: 'pipe' });
    } catch (err) {
      die(`${src} --version failed: is it a jwt-lsp binary for this machine? (${err.message})`);
    }
  }
  mkdirSync(serverDir, { recursive: true });
  const dest = join(serverDir, (target ?? '').startsWith('win32') ? 'jwt-lsp.exe' : 'jwt-lsp');
  copyFileSync(src, dest);
  chmodSync(dest, 0o755);
  console.error(`package: bundling ${src} as server/${dest.split('/').pop()} (${target})`);
}
// The notices ship beside the binary that contains the list (vsce takes files from this folder only).
const noticesDir = join(root, 'notices');
rmSync(noticesDir, { recursive: true, force: true });
mkdirSync(noticesDir);
copyFileSync(join(root, '..', '..', 'data', 'jwt.secrets.list.LICENSE'), join(noticesDir, 'jwt.secrets.list.LICENSE'));
mkdirSync(dirname(out), { recursive: true });
const vsce = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'vsce.cmd' : 'vsce');
if (!existsSync(vsce)) die('node_modules/.bin/vsce is missing: run `npm ci` in editors/vscode first');
const vsceArgs = ['package', '--no-dependencies', '--out', out, ...(target ? ['--target', target] : []),
  '--baseContentUrl', repoBase('blob'), '--baseImagesUrl', repoBase('raw')];
try {
  execFileSync(vsce, vsceArgs, { cwd: root, stdio: 'inherit' });
} finally {
  // keep the work tree clean
  if (server) rmSync(serverDir, { recursive: true, force: true });
  rmSync(noticesDir, { recursive: true, force: true });
}
const problems = vsixProblems(readFileSync(out));
if (problems.length) {
  rmSync(out, { force: true });
  die(`the package was not clean (removed it):\n  ${problems.join('\n  ')}\n(fix .vscodeignore)`);
}
console.log(out);
