// Type-check + production build + `vsce package` -> unroll-<version>.vsix at the repo root; fails over 5 MB.
// vsce runs "vscode:prepublish" (minified esbuild) itself. `--skip-typecheck`: the caller (npm test) just ran tsc.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const LIMIT = 5 * 1024 * 1024;
const { name, version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const out = path.join(ROOT, `${name}-${version}.vsix`);

const t0 = Date.now();
if (!process.argv.includes('--skip-typecheck')) {
  const tsc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', '.'], { cwd: ROOT, stdio: 'inherit' });
  if (tsc.status !== 0) {
    console.error('[package] type errors (see above): not packaging');
    process.exit(1);
  }
}
fs.rmSync(out, { force: true });
const vsce = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
// --no-dependencies: everything ships bundled in dist/; node_modules stays out of the package.
// --no-rewrite-relative-links: README images are shipped in the .vsix and resolve locally (no public repo URL).
const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--no-rewrite-relative-links', '--out', out], { cwd: ROOT, stdio: 'inherit' });
if (r.status !== 0 || !fs.existsSync(out)) {
  console.error(`[package] vsce package failed (exit ${r.status})`);
  process.exit(1);
}
const size = fs.statSync(out).size;
const mb = (size / 1024 / 1024).toFixed(2);
if (size > LIMIT) {
  console.error(`[package] ${path.basename(out)} is ${mb} MB, over the 5 MB limit: check .vscodeignore and bundle sizes`);
  process.exit(1);
}
console.log(`[package] ${path.basename(out)}: ${mb} MB (limit 5 MB) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
