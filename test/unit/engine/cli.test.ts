/**
 * The command-line contract, run as a user runs it (node dist/cli.js) and checked with the fixtures'
 * own verify.mjs; bad input must give one line on stderr, a non-zero exit and no stack trace.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REFERENCE, ROOT, readFixture } from './helpers';

const CLI = path.join(ROOT, 'dist/cli.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'unroll-cli-'));

function cli(...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
}

function verify(name: string, candidate: string) {
  return spawnSync(process.execPath, [path.join(REFERENCE, 'verify.mjs'), path.join(REFERENCE, `${name}.json`), candidate, '--no-grad', '--strict'], { encoding: 'utf8', timeout: 60_000 });
}

function write(name: string, content: unknown): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}

describe('cli: trace', function () {
  this.timeout(60_000);
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  for (const name of ['lstm_proj_i3_h5_p2_t5_l2_bi', 'gru_cho_i3_h4_t6_l2_bi', 'lstm_cifg_peephole_i3_h4_t6_h0', 'char_gru_public']) {
    it(`${name}: --out passes verify.mjs --strict`, () => {
      const out = path.join(tmp, `${name}.out.json`);
      const r = cli('trace', '--spec', path.join(REFERENCE, `${name}.json`), '--out', out);
      assert.strictEqual(r.status, 0, r.stderr);
      const v = verify(name, out);
      assert.strictEqual(v.status, 0, v.stdout + v.stderr);
      assert.match(v.stdout, /1 passed, 0 failed/);
    });
  }

  it('writes to stdout without --out, and --input overrides x (spec without x, weights path relative to the spec)', () => {
    const name = 'rnn_relu_i3_h5_t6_l2_h0';
    const doc = readFixture(name);
    fs.copyFileSync(path.join(REFERENCE, doc.weights.file), path.join(tmp, 'w.safetensors'));
    const spec = { ...doc, x: undefined, expected: undefined, grad: undefined, weights: { file: 'w.safetensors' } };
    const r = cli('trace', '--spec', write('spec.json', spec), '--input', write('x.json', doc.x));
    assert.strictEqual(r.status, 0, r.stderr);
    const cand = write('stdout.json', r.stdout);
    const v = verify(name, cand);
    assert.strictEqual(v.status, 0, v.stdout);
  });

  it('a reader that closes the pipe early (| head) ends the run quietly', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" trace --spec "${path.join(REFERENCE, 'char_lstm_public.json')}" | head -c 10 >/dev/null`], { encoding: 'utf8', timeout: 60_000 });
    assert.strictEqual(r.stderr, '');
  });

  const lstm = readFixture('lstm_i3_h4_t5');
  const specWith = (over: Record<string, unknown>) => ({ ...lstm, expected: undefined, grad: undefined, weights: { file: path.join(REFERENCE, lstm.weights.file) }, ...over });
  const cases: [string, () => string[], RegExp][] = [
    ['a missing spec file', () => ['trace', '--spec', path.join(tmp, 'nope.json')], /cannot read spec .*nope\.json: no such file/],
    ['a missing weights file', () => ['trace', '--spec', write('s1.json', specWith({ weights: { file: 'missing.safetensors' } }))], /cannot read weights file .*missing\.safetensors: no such file/],
    ['a flag contradicting the cell', () => ['trace', '--spec', write('s2.json', specWith({ peephole: true }))], /"peephole": true contradicts cell "lstm"/],
    ['an unknown cell', () => ['trace', '--spec', write('s3.json', specWith({ cell: 'transformer' }))], /"cell" must be one of/],
    ['weights of the wrong size', () => ['trace', '--spec', write('s4.json', specWith({ hiddenSize: 5, outputSize: 5 }))], /weight_ih_l0' has shape \[16,3\], expected \[20,3\]/],
    ['a bidirectional claim the weights lack', () => ['trace', '--spec', write('s5.json', specWith({ bidirectional: true, numDirections: 2 }))], /weight_ih_l0_reverse' .* is missing/],
    ['input rows of the wrong width', () => ['trace', '--spec', write('s6.json', specWith({})), '--input', write('x1.json', [[1, 2]])], /row 0 has 2 values, expected 3/],
    ['NaN in the input', () => ['trace', '--spec', write('s7.json', specWith({})), '--input', write('x2.json', '[[1, NaN, 2]]')], /contains NaN or Infinity/],
    ['a null in x', () => ['trace', '--spec', write('s8.json', specWith({ x: [[0, null, 1]] }))], /x\[0\]\[1\] is null/],
    ['no input at all', () => ['trace', '--spec', write('s9.json', specWith({ x: undefined }))], /no input sequence/],
    ['an impossibly large network', () => ['trace', '--spec', write('s11.json', specWith({ weights: null, hiddenSize: 1_000_000, outputSize: undefined }))], /would need 14901\.16 GiB in one buffer/],
    ['an unknown option', () => ['trace', '--spec', 'a.json', '--fast'], /unknown option --fast/],
    ['an unknown command', () => ['train'], /unknown command 'train'; commands: trace/],
    ['a truncated safetensors file', () => {
      const bytes = fs.readFileSync(path.join(REFERENCE, lstm.weights.file));
      fs.writeFileSync(path.join(tmp, 'cut.safetensors'), bytes.subarray(0, bytes.length - 10));
      return ['trace', '--spec', write('s10.json', specWith({ weights: { file: 'cut.safetensors' } }))];
    }, /cut\.safetensors: not a valid safetensors file: .*lie outside/],
  ];
  for (const [what, args, re] of cases) {
    it(`${what}: exit 1, one line naming the problem, no stack trace`, () => {
      const r = cli(...args());
      assert.strictEqual(r.status, 1, `exit ${r.status}; stderr: ${r.stderr}`);
      assert.strictEqual(r.stdout, '');
      const lines = r.stderr.trimEnd().split('\n');
      assert.strictEqual(lines.length, 1, r.stderr);
      assert.match(lines[0], re);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    });
  }
});
