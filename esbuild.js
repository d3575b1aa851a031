// One script builds every target: extension host, engine worker, CLI, webview and test bundles.
// Usage: node esbuild.js [--production] [--watch]
const esbuild = require('esbuild');
const fs = require('fs');
const path = require('path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Test bundles: every *.test.ts under test/unit becomes dist/test/unit/<name>.js */
function testEntries(dir) {
  const root = path.join(__dirname, dir);
  if (!fs.existsSync(root)) return [];
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.test\.ts$/.test(e.name)) out.push(p);
    }
  };
  walk(root);
  return out;
}

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  legalComments: 'none',
  loader: { '.wasm': 'binary', '.proto': 'text' },
};

const nodeCommon = { ...common, platform: 'node', format: 'cjs', target: 'node20' };

const targets = [
  // Extension host entry: `vscode` is provided by the host.
  { ...nodeCommon, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  // Engine worker thread (pure: no vscode).
  { ...nodeCommon, entryPoints: ['src/worker/engineWorker.ts'], outfile: 'dist/worker.js' },
  // Command-line contract: self-contained, runs with plain `node dist/cli.js`.
  { ...nodeCommon, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  // Webview app (browser).
  { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js' },
  // Mermaid, loaded only where a diagram is shown.
  { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: ['webview/mermaidEntry.ts'], outfile: 'dist/mermaid.js', minify: true },
  // Unit tests (plain Node + mocha).
  ...(testEntries('test/unit').length
    ? [{ ...nodeCommon, entryPoints: testEntries('test/unit'), outdir: 'dist/test/unit', outbase: 'test/unit', external: ['vscode', 'mocha', 'onnxruntime-node', 'jsdom', 'playwright-core', '@vscode/debugadapter-testsupport'] }]
    : []),
  // Integration suite: runs inside the real extension host.
  { ...nodeCommon, entryPoints: ['test/integration/index.ts'], outfile: 'dist/test/integration/index.js', external: ['vscode', 'mocha'] },
  // Its test files, one bundle each (index.js loads every dist/test/integration/suite/**/*.test.js).
  ...(testEntries('test/integration/suite').length
    ? [{ ...nodeCommon, entryPoints: testEntries('test/integration/suite'), outdir: 'dist/test/integration/suite', outbase: 'test/integration/suite', external: ['vscode', 'mocha'] }]
    : []),
].filter((t) => t.entryPoints.every((e) => fs.existsSync(e)));

async function main() {
  // The wasm kernel is assembled from its WAT generator first (bundles embed src/engine/wasm/kernel.wasm).
  await require('./scripts/build-wasm.js').writeWasm();
  // The ONNX schema is precompiled from onnx.proto to a JSON descriptor (faster engine cold start).
  require('./scripts/build-onnx-schema.js').writeOnnxSchema();
  if (watch) {
    const ctxs = await Promise.all(targets.map((t) => esbuild.context(t)));
    await Promise.all(ctxs.map((c) => c.watch()));
    console.log(`[esbuild] watching ${targets.length} targets`);
    return;
  }
  const t0 = Date.now();
  await Promise.all(targets.map((t) => esbuild.build(t)));
  if (fs.existsSync('webview/style.css')) fs.copyFileSync('webview/style.css', 'dist/webview.css');
  console.log(`[esbuild] built ${targets.length} targets in ${Date.now() - t0} ms${production ? ' (production)' : ''}`);
}

main().catch((e) => {
  console.error(e.message || e);
  process.exit(1);
});
