// `npm run bench:scan [-- --quick] [-- --json] [-- --sizes=64,512]`: bundles scripts/bench/scanMain.ts into dist/bench/ and runs it:
// 100,000-step condition scans (LSTM H=64 trained, H=512 random) through TraceSession.scan, as the panel does.
const esbuild = require('esbuild');
const path = require('path');
const { spawnSync } = require('child_process');

async function run() {
  await require('../build-wasm.js').writeWasm();
  const root = path.join(__dirname, '..', '..');
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['scripts/bench/scanMain.ts'],
    outdir: 'dist/bench',
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
    loader: { '.wasm': 'binary', '.proto': 'text' },
    external: ['onnxruntime-node'],
  });
  const r = spawnSync(process.execPath, ['--max-old-space-size=4096', path.join(root, 'dist/bench/scanMain.js'), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

run().catch((e) => {
  console.error(`bench:scan build failed: ${e.message || e}`);
  process.exit(1);
});
