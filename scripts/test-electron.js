// `npm run test:electron`: the same integration suite (dist/test/integration/index.js, run()) in a desktop
// VS Code via @vscode/test-electron. For contributors who have VS Code installed; not used by CI (offline,
// no desktop build can be downloaded there). Point it at your VS Code binary:
//   VSCODE_EXECUTABLE=/usr/share/code/code npm run test:electron
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');

async function main() {
  const exe = process.env.VSCODE_EXECUTABLE;
  if (!exe) throw new Error('set VSCODE_EXECUTABLE to your desktop VS Code binary (e.g. /usr/share/code/code); downloads are not attempted');
  if (!fs.existsSync(exe)) throw new Error(`VSCODE_EXECUTABLE does not exist: ${exe}`);
  const build = spawnSync(process.execPath, [path.join(ROOT, 'esbuild.js')], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the build failed (see above)');

  const { runTests } = require('@vscode/test-electron');
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'unroll-electron-'));
  const workspace = path.join(state, 'workspace');
  fs.cpSync(path.join(ROOT, 'test', 'integration', 'workspace'), workspace, { recursive: true });
  const resultsFile = path.join(state, 'results.json');
  try {
    await runTests({
      vscodeExecutablePath: exe,
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: path.join(ROOT, 'dist', 'test', 'integration', 'index.js'),
      extensionTestsEnv: { UNROLL_TEST_RESULTS: resultsFile },
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes',
        '--user-data-dir', path.join(state, 'data'), '--extensions-dir', path.join(state, 'ext')],
    });
  } finally {
    const r = fs.existsSync(resultsFile) ? JSON.parse(fs.readFileSync(resultsFile, 'utf8')) : { passed: 0, failed: 1 };
    console.log(`${r.passed} passed, ${r.failed} failed`);
    fs.rmSync(state, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`[test:electron] ${e.message.split('\n')[0]}`);
  process.exitCode = 1;
});
