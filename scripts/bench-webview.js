#!/usr/bin/env node
// Webview frame-time benchmark (issue 10): builds the webview, bundles test/unit/analysis/webviewBench.ts
// and runs it in headless Chromium (/usr/bin/chromium). Env: BENCH_STEPS (10000), BENCH_UNITS (512),
// BENCH_BASE_DIST (compare with another build's dist/), BENCH_ROUNDS, BENCH_PROFILE (see the bench file).
const { execFileSync } = require('child_process');
const path = require('path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
execFileSync(process.execPath, [path.join(root, 'esbuild.js')], { cwd: root, stdio: 'inherit' });
const outfile = path.join(root, 'dist', 'bench', 'webviewBench.js');
esbuild.buildSync({
  entryPoints: [path.join(root, 'test/unit/analysis/webviewBench.ts')], outfile, bundle: true, platform: 'node', format: 'cjs',
  target: 'node20', external: ['playwright-core', 'jsdom', 'mocha'], loader: { '.wasm': 'binary', '.proto': 'text' }, logLevel: 'warning',
});
execFileSync(process.execPath, [outfile], { cwd: root, stdio: 'inherit' });
