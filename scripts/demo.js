// `npm run demo`: build, package, install the .vsix into a fresh code-server, open media/sample/ on
// 127.0.0.1 and print the URL. Runs until Ctrl+C, then stops code-server's whole process group.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { ROOT, codeServerInstalled, makeStateDir, installVsix, startCodeServer } = require('./lib/codeServer');

async function main() {
  if (!codeServerInstalled() || !fs.existsSync('/usr/bin/chromium')) {
    const r = spawnSync('bash', [path.join(__dirname, 'install-vscode.sh')], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('installing code-server failed (see above)');
  }
  const pkg = spawnSync(process.execPath, [path.join(__dirname, 'package.js')], { cwd: ROOT, stdio: 'inherit' });
  if (pkg.status !== 0) throw new Error('building or packaging failed (see above)');
  const { name, version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

  const stateDir = makeStateDir('unroll-demo-');
  const workspace = path.join(stateDir, 'sample');
  fs.cpSync(path.join(ROOT, 'media', 'sample'), workspace, { recursive: true });
  installVsix(stateDir, path.join(ROOT, `${name}-${version}.vsix`));
  const port = process.env.PORT ? Number(process.env.PORT) : undefined;
  const server = await startCodeServer({ stateDir, folder: workspace, port });

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\n[demo] stopping code-server');
    await server.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  const url = `${server.url}?folder=${encodeURIComponent(workspace)}`;
  console.log(`\n[demo] Unroll ${version} is running in VS Code 1.100.3 (code-server) — open:\n\n    ${url}\n`);
  console.log('[demo] Open sentiment.py, poem.txt or numbers.txt, select some text, then F1 → "Unroll: Visualize LSTM" (or Ctrl+Alt+U).');
  console.log(`[demo] Logs: ${server.logFile}. Press Ctrl+C to stop.`);
  if (process.env.UNROLL_DEMO_EXIT_AFTER_START) await stop(); // used by a smoke check
  // Keep running until a signal arrives.
  setInterval(() => {}, 1 << 30);
}

main().catch((e) => {
  console.error(`[demo] ${e.message}`);
  process.exit(1);
});
