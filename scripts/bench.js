// `npm run bench [-- --json] [-- --quick]`: bundles scripts/bench/*.ts with esbuild (onnxruntime-node stays
// external: a native addon) into dist/bench/, then runs the benchmark. See scripts/bench/main.ts.
const esbuild = require('esbuild');
const path = require('path');
const { spawnSync } = require('child_process');

async function run() {
  await require('./build-wasm.js').writeWasm();
  require('./build-onnx-schema.js').writeOnnxSchema();
  const root = path.join(__dirname, '..');
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: ['scripts/bench/main.ts', 'scripts/bench/cold.ts', 'scripts/bench/overhead.ts'],
    outdir: 'dist/bench',
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
    loader: { '.wasm': 'binary', '.proto': 'text' },
    external: ['onnxruntime-node'],
  });
  const r = spawnSync(process.execPath, [path.join(root, 'dist/bench/main.js'), ...process.argv.slice(2)], { stdio: 'inherit' });
  // Issue 4's first-frame benchmark needs a real VS Code: run it when code-server is installed.
  let ff = { status: 0 };
  if (require('./lib/codeServer').codeServerInstalled()) ff = spawnSync(process.execPath, [path.join(__dirname, 'bench-firstframe.js'), ...process.argv.slice(2)], { stdio: 'inherit' });
  else console.log('bench:firstframe skipped: code-server is not installed (bash scripts/install-vscode.sh)');
  process.exit((r.status ?? 1) || (ff.status ?? 1));
}

run().catch((e) => {
  console.error(`bench build failed: ${e.message || e}`);
  process.exit(1);
});
