// Mocha reporter for the Node tiers: prints like "spec" and writes the real counts as JSON to
// $UNROLL_TEST_RESULTS, so scripts/test.js sums tests it actually saw run (not mocha's summary line).
const fs = require('fs');
const Mocha = require('mocha');

class CountingReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const failures = [];
    let passed = 0;
    let pending = 0;
    runner.on('pass', () => { passed++; });
    runner.on('pending', () => { pending++; });
    runner.on('fail', (t, err) => failures.push({ title: t.fullTitle(), error: err && err.message ? err.message : String(err) }));
    runner.once('end', () => {
      const file = process.env.UNROLL_TEST_RESULTS;
      if (file) fs.writeFileSync(file, JSON.stringify({ passed, failed: failures.length, pending, failures }));
    });
  }
}

module.exports = CountingReporter;
