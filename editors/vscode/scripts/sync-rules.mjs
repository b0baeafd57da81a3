#!/usr/bin/env node
// Regenerates `jwtLsp.severity`'s per-rule entries in package.json from the server's rule table
// (crates/core/src/rules.rs: code, default severity, summary). Run after a rule is added:
//   node scripts/sync-rules.mjs        (tests/editors/snippets/check.py warns when it is needed)
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const rulesRs = readFileSync(join(root, '..', '..', 'crates', 'core', 'src', 'rules.rs'), 'utf8');
const re = /^\s*\w+ => "([a-z0-9-]+)", (Error|Warning|Info|Hint), (?:true|false), "((?:[^"\\]|\\.)*)";/gm;
const levels = ['error', 'warning', 'info', 'hint', 'off'];
const properties = {};
for (const [, code, severity, summary] of rulesRs.matchAll(re)) {
  properties[code] = {
    type: 'string',
    enum: levels,
    markdownDescription: `${summary.replace(/\\"/g, '"')} (default: ${severity.toLowerCase()})`,
  };
}
if (Object.keys(properties).length === 0) throw new Error('no rules found in crates/core/src/rules.rs');
const pkgPath = join(root, 'package.json');
const pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
pkg.contributes.configuration.properties['jwtLsp.severity'].properties = properties;
writeFileSync(pkgPath, JSON.stringify(pkg, null, 2) + '\n');
console.log(`package.json: ${Object.keys(properties).length} rule codes`);
