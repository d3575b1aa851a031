/**
 * `inspect` on every fixture's .safetensors and .onnx: family, sizes, layers, directions, projection,
 * decoder, vocabulary and parameter count as index.json / the fixture JSON say; ambiguity flagged exactly
 * where the file cannot decide (RNN activation, ONNX-named reset placement and CIFG).
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { summarizeModel } from '../../../src/model/inspect';
import { loadModel, type ModelIO } from '../../../src/model/load';
import { fixtureIndex, fixtureJson, readFixtureFile, REFERENCE, type IndexEntry } from './fixtureHelpers';

const fixtureIO: ModelIO = {
  readSibling: (p) => (fs.existsSync(p) ? new Uint8Array(fs.readFileSync(p)) : undefined),
};

function familyOf(cell: string): string {
  return cell.startsWith('lstm') ? 'lstm' : cell.startsWith('gru') ? 'gru' : 'rnn';
}

/** What a file of this fixture can and cannot decide, from the fixture's own metadata. */
function expectedCandidates(e: IndexEntry, format: 'onnx' | 'safetensors'): string[] {
  if (format === 'onnx') return [e.cell];
  if (e.cell.startsWith('rnn')) return ['rnn_tanh', 'rnn_relu'];
  if (e.convention === 'pytorch') return [e.cell];
  // ONNX-named tensors: reset placement and input_forget are operator attributes, not in the tensors.
  if (e.cell.startsWith('gru')) return ['gru', 'gru_cho'];
  return e.cell.includes('peephole') ? ['lstm_peephole', 'lstm_cifg_peephole'] : ['lstm', 'lstm_cifg'];
}

describe('inspect reports every fixture', () => {
  for (const e of fixtureIndex()) {
    for (const format of ['safetensors', 'onnx'] as const) {
      const file = e.files[format];
      if (!file) continue;
      it(`${file}`, () => {
        const fx = fixtureJson(e.name);
        const s = summarizeModel(loadModel(path.join(REFERENCE, file), readFixtureFile(file), fixtureIO));
        assert.strictEqual(s.format, format);
        assert.strictEqual(s.inputSize, e.inputSize);
        assert.strictEqual(s.hiddenSize, e.hiddenSize);
        assert.strictEqual(s.projSize, e.projSize);
        assert.strictEqual(s.numLayers, e.numLayers);
        assert.strictEqual(s.bidirectional, e.bidirectional);
        assert.strictEqual(s.convention, format === 'onnx' ? 'onnx' : e.convention);
        const want = expectedCandidates(e, format);
        assert.deepStrictEqual([...s.candidates].sort(), [...want].sort());
        for (const c of s.candidates) assert.strictEqual(familyOf(c), familyOf(e.cell));
        if (want.length === 1) {
          assert.strictEqual(s.cell, e.cell);
          assert.deepStrictEqual(s.ambiguities, []);
        } else {
          assert.strictEqual(s.cell, null, 'an ambiguous file is not decided silently');
          assert.ok(s.ambiguities.length > 0);
        }
        const trained = e.kind === 'trained-charlm';
        assert.strictEqual(s.hasDecoder, trained);
        assert.strictEqual(s.vocabSize, trained ? fx.vocab.length : null);
        assert.strictEqual(s.hasVocab, trained);
        // Every stored number is a parameter: the fixture lists the safetensors shapes.
        const params = Object.values(fx.weights.tensors as Record<string, number[]>).reduce((sum, shape) => sum + shape.reduce((a, b) => a * b, 1), 0);
        assert.strictEqual(s.parameterCount, params);
        assert.deepStrictEqual(s.warnings, []);
      });
    }
  }
});

describe('node dist/cli.js inspect', function () {
  this.timeout(20000);
  const cli = path.resolve(REFERENCE, '../../../dist/cli.js');
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });

  it('prints one JSON object with the contract fields', function () {
    if (!fs.existsSync(cli)) this.skip();
    const r = run('inspect', path.join(REFERENCE, 'lstm_cifg_i4_h3_t5_bi_h0.safetensors'));
    assert.strictEqual(r.status, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    for (const key of ['format', 'cell', 'candidates', 'convention', 'inputSize', 'hiddenSize', 'projSize', 'numLayers', 'bidirectional', 'hasDecoder', 'vocabSize', 'parameterCount', 'ambiguities']) {
      assert.ok(key in s, `missing ${key}`);
    }
    assert.deepStrictEqual(s.candidates, ['lstm', 'lstm_cifg']);
    assert.match(s.ambiguities[0], /input_forget/);
  });

  it('bad input: one error line, exit 1, no stack', function () {
    if (!fs.existsSync(cli)) this.skip();
    const tmp = fs.mkdtempSync(path.join(require('os').tmpdir(), 'unroll-inspect-'));
    const files: [string, Uint8Array | string, RegExp][] = [
      ['garbage.onnx', new Uint8Array([0xff, 0xff, 0xff, 0x07, 1, 2, 3]), /not a readable ONNX model .*export it again, e\.g\. `torch\.onnx\.export\(/],
      // A clone without git-lfs holds this pointer in place of the model: say so, not "protobuf decoding failed".
      ['lfs.onnx', 'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a2146\nsize 1298453\n', /^unroll: lfs\.onnx is a Git LFS pointer, not the model itself; run `git lfs pull`/],
      ['lfs.safetensors', 'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a2146\nsize 1298453\n', /^unroll: lfs\.safetensors is a Git LFS pointer/],
      ['model.pt', new Uint8Array([0x80, 0x02, 0x7d, 0x71]), /PyTorch pickle.*save_file\(model\.state_dict\(\).*torch\.onnx\.export/],
      ['empty.safetensors', new Uint8Array(0), /not a valid safetensors file: .*; save it again, e\.g\. `save_file\(/],
      ['notes.txt', 'hello', /not a model Unroll reads/],
    ];
    for (const [name, content, re] of files) {
      fs.writeFileSync(path.join(tmp, name), content);
      const r = run('inspect', path.join(tmp, name));
      assert.strictEqual(r.status, 1, `${name}: ${r.stdout}`);
      assert.strictEqual(r.stdout, '');
      const lines = r.stderr.trim().split('\n');
      assert.strictEqual(lines.length, 1, r.stderr);
      assert.match(lines[0], re);
      assert.doesNotMatch(r.stderr, /\bat .*\.js:\d+/);
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });
});
