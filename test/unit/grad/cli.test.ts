/**
 * The `grad` command as a user runs it: `node dist/cli.js grad --spec SPEC.json --out OUT.json`, checked
 * by the fixtures' own verify.mjs, and bad specs give one clear line (exit 1, no stack trace).
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../../../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const REF = path.join(ROOT, 'test/fixtures/reference');

const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60000 });

describe('grad: the command line contract', function () {
  this.timeout(120000);
  let tmp = '';
  before(function () {
    if (!fs.existsSync(CLI)) this.skip();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'unroll-grad-'));
  });
  after(() => tmp && fs.rmSync(tmp, { recursive: true, force: true }));

  for (const name of ['lstm_i3_h4_t6_l2_bi', 'gru_cho_i3_h4_t6_l2_bi', 'lstm_cifg_peephole_i3_h4_t6_h0', 'char_gru_public']) {
    it(`${name}: verify.mjs --grad --strict passes on the CLI output`, () => {
      const out = path.join(tmp, `${name}.json`);
      const r = run(['grad', '--spec', path.join(REF, `${name}.json`), '--out', out]);
      assert.strictEqual(r.status, 0, r.stderr);
      const doc = JSON.parse(fs.readFileSync(out, 'utf8'));
      assert.ok(doc.grad && typeof doc.grad.lossValue === 'number', 'output has {"grad": {...}}');
      const v = spawnSync(process.execPath, [path.join(REF, 'verify.mjs'), path.join(REF, `${name}.json`), out, '--grad', '--strict'], { encoding: 'utf8' });
      assert.strictEqual(v.status, 0, v.stdout + v.stderr);
    });
  }

  it('a character model spec with tokens and no x differentiates w.r.t. the one-hot inputs', () => {
    const s = JSON.parse(fs.readFileSync(path.join(REF, 'char_gru_public.json'), 'utf8'));
    delete s.x;
    s.weights.file = path.join(REF, s.weights.file);
    const file = path.join(tmp, 'tokens.json');
    const out = path.join(tmp, 'tokens.out.json');
    fs.writeFileSync(file, JSON.stringify(s));
    const r = run(['grad', '--spec', file, '--out', out]);
    assert.strictEqual(r.status, 0, r.stderr);
    const v = spawnSync(process.execPath, [path.join(REF, 'verify.mjs'), path.join(REF, 'char_gru_public.json'), out, '--grad', '--strict'], { encoding: 'utf8' });
    assert.strictEqual(v.status, 0, v.stdout + v.stderr);
  });

  const spec = () => {
    const s = JSON.parse(fs.readFileSync(path.join(REF, 'lstm_i5_h3_t7_h0.json'), 'utf8'));
    s.weights.file = path.join(REF, s.weights.file); // the spec itself is written to a temporary folder
    return s;
  };
  const bad: [string, (s: Record<string, any>) => void, RegExp][] = [
    ['no grad object', (s) => delete s.grad, /no "grad" object/],
    ['loss weights of the wrong length', (s) => s.grad.lossWeights.layers[0].forward.h.pop(), /lossWeights\.layers\[0\]\.forward\.h has \d+ numbers, expected 7 × 3/],
    ['a missing layer of loss weights', (s) => (s.grad.lossWeights.layers = []), /lossWeights\.layers must list 1 layer/],
    ['a non-numeric loss weight', (s) => (s.grad.lossWeights.layers[0].forward.c[0][0] = 'x'), /non-finite value/],
    ['meanNll without a decoder', (s) => (s.grad.lossTerms.meanNll = true), /meanNll needs a decoder/],
    ['a cell flag that contradicts the cell', (s) => (s.peephole = true), /contradicts cell/],
  ];
  for (const [what, mutate, message] of bad) {
    it(`rejects ${what} with one line`, () => {
      const s = spec();
      mutate(s);
      const file = path.join(tmp, 'bad.json');
      fs.writeFileSync(file, JSON.stringify(s));
      const r = run(['grad', '--spec', file]);
      assert.strictEqual(r.status, 1, r.stderr);
      assert.strictEqual(r.stdout, '');
      const lines = r.stderr.trim().split('\n');
      assert.strictEqual(lines.length, 1, r.stderr);
      assert.match(lines[0], message);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    });
  }
});
