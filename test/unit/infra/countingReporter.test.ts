/**
 * The counts `npm test` sums come from scripts/lib/countingReporter.js, not from mocha's summary line:
 * check them against a fixture whose outcome is known (2 pass, 1 fails, 1 skipped, 1 failing hook).
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = process.cwd();

describe('counting reporter (npm test totals)', () => {
  it('counts passes, failures (a failing hook counts once) and skips of a real mocha run', function () {
    this.timeout(30_000);
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'unroll-reporter-')), 'results.json');
    const r = spawnSync(process.execPath, [
      path.join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js'),
      '--reporter', path.join(ROOT, 'scripts', 'lib', 'countingReporter.js'),
      path.join(ROOT, 'test', 'unit', 'infra', 'fixtures', 'mixed.fixture.js'),
    ], { cwd: ROOT, env: { ...process.env, UNROLL_TEST_RESULTS: out }, encoding: 'utf8' });
    assert.notStrictEqual(r.status, 0, 'mocha must exit non-zero when tests fail');
    const res = JSON.parse(fs.readFileSync(out, 'utf8'));
    assert.strictEqual(res.passed, 2);
    assert.strictEqual(res.failed, 2);
    assert.strictEqual(res.pending, 1);
    assert.deepStrictEqual(res.failures.map((f: { error: string }) => f.error).sort(), ['boom', 'cannot start']);
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  });
});
