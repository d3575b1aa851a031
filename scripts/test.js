// `npm test`: build + three tiers, each counted from the tests that actually ran.
//   node scripts/test.js [unit|integration|e2e ...]   (no argument = build + all tiers)
// Prints per-tier timings and ends with exactly "N passed, N failed"; exits 1 on any failure.
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const RESULTS = path.join(ROOT, 'test-results');
const TIERS = ['unit', 'integration', 'e2e'];
const MOCHA = path.join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js');
const REPORTER = path.join(__dirname, 'lib', 'countingReporter.js');

const requested = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const bad = requested.filter((t) => !TIERS.includes(t));
if (bad.length) {
  console.error(`unknown tier "${bad.join(', ')}": use ${TIERS.join(', ')} (or nothing for all)`);
  process.exit(2);
}
const tiers = requested.length ? requested : TIERS;
const failedResult = (title, error) => ({ passed: 0, failed: 1, pending: 0, failures: [{ title, error }] });

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', ...opts });
  return r.status === 0;
}

function banner(text) {
  console.log(`\n━━ ${text} ${'━'.repeat(Math.max(0, 70 - text.length))}`);
}

/** Runs mocha in plain Node over `files`, counted by our reporter (not by parsing mocha's summary). */
function mochaTier(name, files, extraArgs = [], env = {}) {
  if (!files.length) return { passed: 0, failed: 0, pending: 0, failures: [], note: 'no test files' };
  const resultsFile = path.join(os.tmpdir(), `unroll-${name}-${process.pid}.json`);
  fs.rmSync(resultsFile, { force: true });
  const ok = run(process.execPath, [MOCHA, '--reporter', REPORTER, ...extraArgs, ...files],
    { env: { ...process.env, ...env, UNROLL_TEST_RESULTS: resultsFile } });
  if (!fs.existsSync(resultsFile)) return failedResult(`${name} tier`, `mocha exited ${ok ? 0 : 'non-zero'} without reporting results (crashed before the run ended?)`);
  const r = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
  fs.rmSync(resultsFile, { force: true });
  if (!ok && r.failed === 0) return { ...r, failed: 1, failures: [{ title: `${name} tier`, error: 'mocha exited non-zero' }] };
  return r;
}

function findFiles(dir, re) {
  const out = [];
  const walk = (d) => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (re.test(e.name)) out.push(path.relative(ROOT, p));
    }
  };
  walk(path.join(ROOT, dir));
  return out.sort();
}

function ensureTools() {
  const { codeServerInstalled } = require('./lib/codeServer');
  if (codeServerInstalled() && fs.existsSync('/usr/bin/chromium')) return;
  banner('installing code-server and chromium (scripts/install-vscode.sh)');
  run('bash', [path.join(__dirname, 'install-vscode.sh')]);
}

const tierRunners = {
  unit: () => mochaTier('unit', findFiles('dist/test/unit', /\.test\.js$/), ['--timeout', '20000']),
  integration: async () => {
    ensureTools();
    const { runIntegration } = require('./lib/integration');
    return runIntegration({ resultsDir: RESULTS });
  },
  e2e: () => {
    ensureTools();
    banner('packaging the .vsix (scripts/package.js)');
    if (!run(process.execPath, [path.join(__dirname, 'package.js'), '--skip-typecheck'])) return failedResult('e2e tier', 'packaging the .vsix failed');
    return mochaTier('e2e', findFiles('test/e2e', /\.e2e\.js$/), ['--timeout', '120000'], { UNROLL_RESULTS_DIR: RESULTS });
  },
};

async function main() {
  fs.mkdirSync(RESULTS, { recursive: true });
  const timings = [];
  const totals = { passed: 0, failed: 0 };
  const allFailures = [];

  banner('build (esbuild + tsc)');
  let t0 = Date.now();
  const built = run(process.execPath, [path.join(ROOT, 'esbuild.js')]) && run(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', '.']);
  timings.push(['build', Date.now() - t0, built ? 'ok' : 'FAILED']);
  if (!built) {
    totals.failed += 1;
    allFailures.push({ title: 'build', error: 'esbuild or tsc failed (see above)' });
  }

  for (const tier of tiers) {
    banner(`${tier} tier`);
    t0 = Date.now();
    let r;
    try {
      r = built ? await tierRunners[tier]() : failedResult(`${tier} tier`, 'not run: the build failed');
    } catch (e) {
      r = failedResult(`${tier} tier`, e.message.split('\n')[0]);
    }
    const ms = Date.now() - t0;
    totals.passed += r.passed;
    totals.failed += r.failed;
    allFailures.push(...r.failures.map((f) => ({ ...f, title: `[${tier}] ${f.title}` })));
    timings.push([tier, ms, `${r.passed} passed, ${r.failed} failed${r.pending ? `, ${r.pending} skipped` : ''}${r.note ? ` (${r.note})` : ''}`]);
  }

  banner('summary');
  for (const [name, ms, what] of timings) console.log(`  ${name.padEnd(12)} ${(ms / 1000).toFixed(1).padStart(6)} s   ${what}`);
  for (const f of allFailures) console.log(`  ✗ ${f.title}: ${f.error.split('\n')[0]}`);
  console.log(`${totals.passed} passed, ${totals.failed} failed`);
  process.exitCode = totals.failed > 0 ? 1 : 0;
}

main().catch((e) => {
  console.error(`test runner error: ${e.message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
