/**
 * Golden check: per-tensor max error against a framework reference (the fixtures are such references),
 * and a diagnosis that names the convention mistake when a model is read the wrong way.
 */
import * as assert from 'assert';
import type { CellName } from '../../../src/engine/types';
import { goldenCheck } from '../../../src/model/golden';
import { loadModel, requireNetwork, type ModelIO } from '../../../src/model/load';
import { readSafetensors, writeSafetensors } from '../../../src/model/safetensors';
import { fixtureJson, readFixtureFile } from './fixtureHelpers';

const none: ModelIO = { readSibling: () => undefined };
const withSidecar = (name: string, doc: unknown): ModelIO => ({ readSibling: (p) => (p === name ? new TextEncoder().encode(JSON.stringify(doc)) : undefined) });

function check(file: string, bytes: Uint8Array, fixture: string, io: ModelIO = none) {
  const model = loadModel(file, bytes, io);
  return goldenCheck(model, fixtureJson(fixture), `${fixture}.json`, (cell: CellName) => requireNetwork(loadModel(file, bytes, io, { cell })));
}

describe('golden check', () => {
  it('passes a correctly read model and reports every tensor of the reference', () => {
    const r = check('lstm_i3_h4_t6_l2_bi.onnx', readFixtureFile('lstm_i3_h4_t6_l2_bi.onnx'), 'lstm_i3_h4_t6_l2_bi');
    assert.strictEqual(r.passed, true);
    assert.strictEqual(r.diagnosis, undefined);
    const names = r.tensors.map((t) => t.name);
    for (const n of ['layers.0.forward.h', 'layers.1.reverse.c', 'layers.0.forward.gates.f', 'output', 'hN', 'cN']) assert.ok(names.includes(n), n);
    for (const t of r.tensors) assert.ok(t.maxScaledErr <= 1e-5, `${t.name} ${t.maxScaledErr}`);
  });

  it('names the fitting cell of an ambiguous file', () => {
    const r = check('rnn.safetensors', readFixtureFile('rnn_relu_i5_h3_t7_h0.safetensors'), 'rnn_relu_i5_h3_t7_h0');
    assert.strictEqual(r.passed, true);
    assert.match(r.diagnosis!.likelyCause!, /fits rnn_relu/);
  });

  it('diagnoses gate order: ONNX-ordered rows saved under PyTorch names', () => {
    // The classic export mistake: rows i,o,f,g written where PyTorch expects i,f,g,o.
    const t = readSafetensors(readFixtureFile('lstm_i3_h4_t5.safetensors'));
    const H = 4;
    const onnxOrder = [0, 3, 1, 2]; // stored block k = torch block onnxOrder[k]
    for (const [name, v] of t) {
      const cols = v.shape.length === 2 ? v.shape[1] : 1;
      const out = new Float32Array(v.data.length);
      onnxOrder.forEach((src, k) => out.set(v.data.subarray(src * H * cols, (src + 1) * H * cols), k * H * cols));
      t.set(name, { shape: v.shape, data: out });
    }
    const r = check('swapped.safetensors', writeSafetensors(t), 'lstm_i3_h4_t5');
    assert.strictEqual(r.passed, false);
    assert.ok(r.tensors.some((x) => !x.ok));
    assert.match(r.diagnosis!.likelyCause!, /^gate order: the stored rows are in the order i,o,f,g \(the ONNX order i,o,f,c\)/);
  });

  it('diagnoses reset placement: a Cho GRU read as PyTorch', () => {
    const r = check('g.safetensors', readFixtureFile('gru_cho_i5_h3_t7_h0.safetensors'), 'gru_cho_i5_h3_t7_h0', withSidecar('g.unroll.json', { cell: 'gru' }));
    assert.strictEqual(r.passed, false);
    assert.match(r.diagnosis!.likelyCause!, /^reset placement: .*before the recurrent matmul/);
  });

  it('diagnoses the coupled-gate convention: ORT CIFG read as the classic form', () => {
    const r = check('c.safetensors', readFixtureFile('lstm_cifg_i5_h3_t7_h0.safetensors'), 'lstm_cifg_i5_h3_t7_h0', withSidecar('c.unroll.json', { cell: 'lstm_cifg', coupling: 'keep-forget' }));
    assert.strictEqual(r.passed, false);
    assert.match(r.diagnosis!.likelyCause!, /^coupled-gate convention: .*keeping i, f = 1 − i/);
  });

  it('diagnoses peephole order', () => {
    const t = readSafetensors(readFixtureFile('lstm_peephole_i5_h3_t7_h0.safetensors'));
    const P = t.get('P_l0')!;
    const H = 3;
    const swapped = new Float32Array(P.data.length); // p_i,p_o,p_f → p_i,p_f,p_o (wrong for ONNX)
    [0, 2, 1].forEach((src, k) => swapped.set(P.data.subarray(src * H, (src + 1) * H), k * H));
    t.set('P_l0', { shape: P.shape, data: swapped });
    const r = check('p.safetensors', writeSafetensors(t), 'lstm_peephole_i5_h3_t7_h0', withSidecar('p.unroll.json', { cell: 'lstm_peephole' }));
    assert.strictEqual(r.passed, false);
    assert.match(r.diagnosis!.likelyCause!, /^peephole order/);
  });

  it('reference errors are one clear line', () => {
    const model = loadModel('m.onnx', readFixtureFile('gru_i3_h4_t5.onnx'), none);
    assert.throws(() => goldenCheck(model, { x: [[1, 2, 3]] }, 'r.json'), /r\.json: a reference needs "x" and "expected"/);
    assert.throws(() => goldenCheck(model, { x: [[1, 2]], expected: { output: [[0]] } }, 'r.json'), /row 0 has 2 values, expected 3/);
    assert.throws(() => goldenCheck(model, { x: [[1, 2, 3]], expected: {} }, 'r.json'), /holds no tensors/);
    const r = goldenCheck(model, { x: [[1, 2, 3]], expected: { logits: [[0, 1]] } }, 'r.json');
    assert.strictEqual(r.passed, false);
    assert.deepStrictEqual(r.missing, ['logits']);
  });
});
