/**
 * The command-line contract from outside: `node dist/cli.js trace --onnx MODEL.onnx --input X.json
 * [--h0 H0.json] [--c0 C0.json] --out OUT.json`, judged by the fixtures' own verify.mjs (logits included
 * for the trained char models), and one-line errors for bad state files.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fixtureJson, REFERENCE } from './fixtureHelpers';

const CLI = path.resolve(REFERENCE, '../../../dist/cli.js');

describe('node dist/cli.js trace --onnx', function () {
  this.timeout(60000);
  let tmp = '';
  before(function () {
    if (!fs.existsSync(CLI)) this.skip();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'unroll-onnx-cli-'));
  });
  after(() => tmp && fs.rmSync(tmp, { recursive: true, force: true }));

  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

  // Bidirectional stack, initial states as graph inputs (h0 and c0), a Cho GRU, and both trained models.
  for (const name of ['lstm_i3_h4_t6_l2_bi', 'lstm_peephole_i4_h3_t5_bi_h0', 'lstm_i3_h5_t6_l2_h0', 'gru_cho_i4_h3_t5_bi_h0', 'char_lstm_public', 'char_gru_public']) {
    it(`${name}: verify.mjs passes`, () => {
      const fx = fixtureJson(name);
      const write = (what: string, v: unknown) => {
        const p = path.join(tmp, `${name}.${what}.json`);
        fs.writeFileSync(p, JSON.stringify(v));
        return p;
      };
      const args = ['trace', '--onnx', path.join(REFERENCE, `${name}.onnx`), '--input', write('x', fx.x)];
      if (fx.h0) args.push('--h0', write('h0', fx.h0));
      if (fx.c0) args.push('--c0', write('c0', fx.c0));
      const out = path.join(tmp, `${name}.json`);
      const r = run(...args, '--out', out);
      assert.strictEqual(r.status, 0, r.stderr);
      const cand = JSON.parse(fs.readFileSync(out, 'utf8'));
      // Every expected tensor is produced (nll needs the token ids, which a plain --input matrix does not carry).
      for (const key of Object.keys(fx.expected)) if (key !== 'nll' && key !== 'meanNll') assert.ok(key in cand, `${key} missing from the output`);
      const v = spawnSync(process.execPath, [path.join(REFERENCE, 'verify.mjs'), path.join(REFERENCE, `${name}.json`), out, '--no-grad'], { encoding: 'utf8' });
      assert.strictEqual(v.status, 0, v.stdout + v.stderr);
    });
  }

  it('bad states and files: one line, exit 1', () => {
    const x = path.join(tmp, 'x.json');
    fs.writeFileSync(x, JSON.stringify(fixtureJson('gru_i3_h5_t6_l2_h0').x));
    const h0 = path.join(tmp, 'h0.json');
    fs.writeFileSync(h0, JSON.stringify([[0, 0, 0, 0, 0]]));
    const cases: [string[], RegExp][] = [
      [['trace', '--onnx', path.join(REFERENCE, 'gru_i3_h5_t6_l2_h0.onnx'), '--input', x, '--h0', h0], /h0 .* rows?/],
      [['trace', '--onnx', path.join(REFERENCE, 'gru_i3_h5_t6_l2_h0.onnx'), '--input', x, '--c0', h0], /--c0 given, but .* GRU/],
      [['trace', '--onnx', path.join(REFERENCE, 'gru_i3_h5_t6_l2_h0.safetensors'), '--input', x], /--onnx expects a \.onnx file/],
      [['trace', '--onnx', path.join(tmp, 'missing.onnx'), '--input', x], /cannot read model .*missing\.onnx: no such file/],
    ];
    for (const [args, re] of cases) {
      const r = run(...args);
      assert.strictEqual(r.status, 1, `${args.join(' ')}: ${r.stdout}`);
      assert.strictEqual(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, re);
    }
  });
});
