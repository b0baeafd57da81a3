// Bundles the extension into out/extension.js (one CommonJS file, `vscode` external).
//   node esbuild.mjs               development build with a source map
//   node esbuild.mjs --production  minified (what `vsce package` runs through vscode:prepublish)
//   node esbuild.mjs --tests       also bundles test/*.test.ts into out/test/ for `node --test`
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';

const production = process.argv.includes('--production');
const tests = process.argv.includes('--tests');
const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning' };

await build({
  ...common,
  entryPoints: ['src/extension.ts'],
  outfile: 'out/extension.js',
  external: ['vscode'],
  minify: production,
  sourcemap: !production,
});

if (tests) {
  // Tests import only the pure modules; bundling `vscode` would fail loudly, which is the point.
  const entryPoints = readdirSync('test').filter((f) => f.endsWith('.test.ts')).map((f) => `test/${f}`);
  await build({ ...common, entryPoints, outdir: 'out/test', sourcemap: 'inline' });
}
