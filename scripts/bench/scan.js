// `npm run bench:scan [-- --quick] [-- --json] [-- --sizes=64,512] [-- --memory]`: bundles scripts/bench/scanMain.ts into dist/bench/ and runs it
// (--memory: scanMemory.ts instead, the host's memory with a 1M-character trace):
// 100,000-step condition scans (LSTM H=64 trained, H=512 random) through TraceSession.scan, as the panel does:
// in-process on the host thread and in the engine worker (bundled next to it as dist/bench/worker.js).
const esbuild = require('esbuild');
const path = require('path');
const { spawnSync } = require('child_process');

async function run() {
  await require('../build-wasm.js').writeWasm();
  const root = path.join(__dirname, '..', '..');
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: { scanMain: 'scripts/bench/scanMain.ts', scanMemory: 'scripts/bench/scanMemory.ts', worker: 'src/worker/engineWorker.ts' },
    outdir: 'dist/bench',
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
    loader: { '.wasm': 'binary', '.proto': 'text' },
    external: ['onnxruntime-node'],
  });
  const r = spawnSync(process.execPath, ['--max-old-space-size=4096', '--expose-gc', path.join(root, process.argv.includes('--memory') ? 'dist/bench/scanMemory.js' : 'dist/bench/scanMain.js'), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

run().catch((e) => {
  console.error(`bench:scan build failed: ${e.message || e}`);
  process.exit(1);
});
