/**
 * Integration suite entry: VS Code's test runner (code-server workbench payload, or @vscode/test-electron)
 * loads this bundle inside the real extension host and awaits run().
 * The host forwards console.* without printf formatting, so every line is formatted here (util.format).
 * Counts go to the file named by UNROLL_TEST_RESULTS (set by scripts/test.js) and to a marked log line.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as util from 'util';
import Mocha = require('mocha');

const MARK = '[unroll-test]';

function say(fmt: string, ...args: unknown[]): void {
  console.log(`${MARK} ${util.format(fmt, ...args)}`);
}

/** A spec-like reporter whose lines survive the extension host's console forwarding. */
class LineReporter {
  constructor(runner: Mocha.Runner) {
    const failures: { title: string; error: string }[] = [];
    let passed = 0;
    let pending = 0;
    runner.on('suite', (s: Mocha.Suite) => { if (s.title) say('%s', s.title); });
    runner.on('pass', (t: Mocha.Test) => { passed++; say('  ✓ %s (%d ms)', t.title, t.duration ?? 0); });
    runner.on('pending', (t: Mocha.Test) => { pending++; say('  - %s (skipped)', t.title); });
    runner.on('fail', (t: Mocha.Runnable, err: Error) => {
      const error = err && err.message ? err.message : String(err);
      failures.push({ title: t.fullTitle(), error });
      say('  ✗ %s: %s', t.title, error);
    });
    runner.once('end', () => {
      const summary = { passed, failed: failures.length, pending, failures };
      say('%d passing, %d failing, %d pending', passed, failures.length, pending);
      for (const f of failures) say('FAILED %s\n    %s', f.title, f.error);
      console.log(`${MARK} RESULT ${JSON.stringify(summary)}`);
      const file = process.env.UNROLL_TEST_RESULTS;
      if (file) fs.writeFileSync(file, JSON.stringify(summary));
    });
  }
}

export function run(): Promise<void> {
  // Per-test hang guard above the helpers' waits (60 s): a loaded machine opens a webview and traces slowly.
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false, reporter: LineReporter as unknown as Mocha.ReporterConstructor });
  const grep = process.env.UNROLL_TEST_GREP;
  if (grep) mocha.grep(grep);
  // esbuild bundles each test/integration/suite/**/*.test.ts next to this file; load them all, in name order.
  for (const file of findTests(path.join(__dirname, 'suite'))) mocha.addFile(file);
  return new Promise<void>((resolve, reject) => {
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} integration test(s) failed`)) : resolve()));
    } catch (e) {
      reject(e);
    }
  });
}

function findTests(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.js'))
    .sort()
    .map((f) => path.join(dir, f));
}
