/**
 * Weight conventions, the JSON form, spec validation, seeded random init and ONNX clip.
 * Convention tests re-express a fixture's weights in another framework's layout (by the documented
 * layouts, written out here) and must still reproduce that fixture's expected values.
 */
import * as assert from 'assert';
import { networkFromTensors } from '../../../src/engine/conventions';
import { toExpected } from '../../../src/engine/expected';
import { referenceKernel, sigmoid } from '../../../src/engine/kernels/reference';
import { runNetwork } from '../../../src/engine/trace';
import { type CellSpec, UnrollError } from '../../../src/engine/types';
import { mulberry32, randomNetwork } from '../../../src/model/random';
import { type NamedTensor, type TensorMap, readSafetensors } from '../../../src/model/safetensors';
import { networkFromSpec, parseSpec } from '../../../src/model/spec';
import * as fs from 'fs';
import * as path from 'path';
import { REFERENCE, compareAll, readFixture } from './helpers';

function tensorsOf(name: string): TensorMap {
  return readSafetensors(fs.readFileSync(path.join(REFERENCE, readFixture(name).weights.file)));
}

/** Columns of a [rows, cols] matrix become rows: [cols, rows]. */
function T2(t: NamedTensor): NamedTensor {
  const [r, c] = t.shape;
  const out = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = t.data[i * c + j];
  return { shape: [c, r], data: out };
}

/** Reorder row blocks of size H: out block b = src block order[b]. */
function blocks(t: NamedTensor, H: number, order: number[]): NamedTensor {
  const cols = t.data.length / t.shape[0];
  const out = new Float32Array(t.data.length);
  order.forEach((from, to) => out.set(t.data.subarray(from * H * cols, (from + 1) * H * cols), to * H * cols));
  return { shape: t.shape, data: out };
}

function add(a: NamedTensor, b: NamedTensor): NamedTensor {
  return { shape: a.shape, data: a.data.map((v, i) => v + b.data[i]) };
}

/** Run a fixture's spec (with a convention override) on given tensors and compare with its expected values. */
function checkAgainstFixture(name: string, convention: 'pytorch' | 'onnx' | 'keras', tensors: TensorMap, specOver: Record<string, unknown> = {}): void {
  const doc = readFixture(name);
  const spec = parseSpec({ ...doc, convention, gateOrder: null, ...specOver });
  const net = networkFromTensors({ cell: spec.cell, shape: spec.shape, bias: spec.bias, gateOrder: spec.gateOrder }, tensors, convention, 'test');
  compareAll(doc.expected, toExpected(runNetwork(net, spec.x!, { h0: spec.h0, c0: spec.c0 })), doc.tolerance);
}

describe('engine: weight conventions', function () {
  this.timeout(60_000); // a shared 2-core machine under load: the trained fixtures take seconds, not ms
  it('Keras LSTM (kernel [In,4H] i,f,c,o transposed, one bias, layer-prefixed names) reproduces a PyTorch fixture', () => {
    const t = tensorsOf('lstm_i3_h4_t5');
    const k: TensorMap = new Map([
      ['lstm/lstm_cell/kernel:0', T2(t.get('weight_ih_l0')!)],
      ['lstm/lstm_cell/recurrent_kernel:0', T2(t.get('weight_hh_l0')!)],
      ['lstm/lstm_cell/bias:0', add(t.get('bias_ih_l0')!, t.get('bias_hh_l0')!)],
    ]);
    checkAgainstFixture('lstm_i3_h4_t5', 'keras', k);
  });

  it('Keras GRU reset_after (columns z,r,h, bias [2,3H]) reproduces a PyTorch bidirectional GRU fixture', () => {
    const H = 3;
    const t = tensorsOf('gru_i4_h3_t5_bi_h0');
    const k: TensorMap = new Map();
    for (const sfx of ['_l0', '_l0_reverse']) {
      const toKeras = (n: string) => T2(blocks(t.get(n + sfx)!, H, [1, 0, 2]));
      k.set(`kernel${sfx}`, toKeras('weight_ih'));
      k.set(`recurrent_kernel${sfx}`, toKeras('weight_hh'));
      const bi = blocks(t.get('bias_ih' + sfx)!, H, [1, 0, 2]);
      const bh = blocks(t.get('bias_hh' + sfx)!, H, [1, 0, 2]);
      k.set(`bias${sfx}`, { shape: [2, 3 * H], data: Float32Array.from([...bi.data, ...bh.data]) });
    }
    checkAgainstFixture('gru_i4_h3_t5_bi_h0', 'keras', k);
  });

  it('Keras GRU reset_after=False (one merged bias) reproduces an ONNX Cho GRU fixture', () => {
    const t = tensorsOf('gru_cho_i3_h4_t5');
    const drop = (n: string) => ({ shape: t.get(n)!.shape.slice(1), data: t.get(n)!.data });
    const B = t.get('B_l0')!.data;
    const k: TensorMap = new Map([
      ['kernel', T2(drop('W_l0'))], // ONNX rows z,r,h = Keras column order
      ['recurrent_kernel', T2(drop('R_l0'))],
      ['bias', { shape: [12], data: B.slice(0, 12).map((v, i) => v + B[12 + i]) }],
    ]);
    checkAgainstFixture('gru_cho_i3_h4_t5', 'keras', k);
  });

  it('ONNX layout (W [D,4H,In] rows i,o,f,c, B = [Wb;Rb]) reproduces a PyTorch 2-layer bidirectional LSTM fixture', () => {
    const H = 4;
    const t = tensorsOf('lstm_i3_h4_t6_l2_bi');
    const o: TensorMap = new Map();
    const toOnnx = (n: string) => blocks(t.get(n)!, H, [0, 3, 1, 2]); // i,f,g,o → i,o,f,c
    for (const k of [0, 1]) {
      const stack = (n: string) => {
        const f = toOnnx(`${n}_l${k}`);
        const r = toOnnx(`${n}_l${k}_reverse`);
        return { shape: [2, ...f.shape], data: Float32Array.from([...f.data, ...r.data]) };
      };
      o.set(`W_l${k}`, stack('weight_ih'));
      o.set(`R_l${k}`, stack('weight_hh'));
      const b = (sfx: string) => [...toOnnx(`bias_ih_l${k}${sfx}`).data, ...toOnnx(`bias_hh_l${k}${sfx}`).data];
      o.set(`B_l${k}`, { shape: [2, 32], data: Float32Array.from([...b(''), ...b('_reverse')]) });
    }
    checkAgainstFixture('lstm_i3_h4_t6_l2_bi', 'onnx', o);
  });

  it('PyTorch names with a module prefix and canonical peepholes (p_i,p_f,p_o) reproduce an ONNX peephole fixture', () => {
    const H = 3;
    const t = tensorsOf('lstm_peephole_i5_h3_t7_h0');
    const drop = (n: string) => ({ shape: t.get(n)!.shape.slice(1), data: t.get(n)!.data });
    const B = t.get('B_l0')!.data;
    const P = t.get('P_l0')!.data; // p_i, p_o, p_f
    const fromOnnx = (x: NamedTensor) => blocks(x, H, [0, 2, 3, 1]); // i,o,f,c → i,f,g,o
    const p: TensorMap = new Map([
      ['model.rnn.weight_ih_l0', fromOnnx(drop('W_l0'))],
      ['model.rnn.weight_hh_l0', fromOnnx(drop('R_l0'))],
      ['model.rnn.bias_ih_l0', fromOnnx({ shape: [12], data: B.slice(0, 12) })],
      ['model.rnn.bias_hh_l0', fromOnnx({ shape: [12], data: B.slice(12) })],
      ['model.rnn.peephole_l0', { shape: [9], data: Float32Array.from([...P.slice(0, 3), ...P.slice(6, 9), ...P.slice(3, 6)]) }],
    ]);
    checkAgainstFixture('lstm_peephole_i5_h3_t7_h0', 'pytorch', p);
  });

  it('a declared gateOrder (rows o,i,g,f) is honoured: shuffled PyTorch rows still reproduce the fixture', () => {
    const H = 4;
    const t = tensorsOf('lstm_i3_h4_t5');
    const order = [3, 0, 2, 1]; // stored block b holds canonical gate order[b]: o, i, g, f
    const shuffled: TensorMap = new Map([...t].map(([n, x]) => [n, blocks(x, H, order)]));
    checkAgainstFixture('lstm_i3_h4_t5', 'pytorch', shuffled, { gateOrder: ['o', 'i', 'g', 'f'] });
    assert.throws(() => checkAgainstFixture('lstm_i3_h4_t5', 'pytorch', shuffled), /scaled error/); // without it: wrong
  });

  it('the JSON weights form (nested arrays and {shape, data}) reproduces the fixture it was written from', () => {
    const name = 'lstm_proj_i4_h6_p3_t6_h0';
    const doc = readFixture(name);
    const tensors: Record<string, unknown> = {};
    let i = 0;
    for (const [n, t] of tensorsOf(name)) {
      const rowsOf = () => Array.from({ length: t.shape[0] }, (_, r) => Array.from(t.data.subarray((r * t.data.length) / t.shape[0], ((r + 1) * t.data.length) / t.shape[0])));
      tensors[n] = i++ % 2 ? { shape: t.shape, data: Array.from(t.data) } : t.shape.length === 2 ? rowsOf() : Array.from(t.data);
    }
    const bytes = new TextEncoder().encode(JSON.stringify({ format: 'unroll-weights', version: 1, convention: 'pytorch', tensors }));
    const spec = parseSpec(doc);
    const net = networkFromSpec(spec, { name: 'w.json', bytes });
    compareAll(doc.expected, toExpected(runNetwork(net, spec.x!, { h0: spec.h0, c0: spec.c0 })), doc.tolerance);
  });

  const base = () => readFixture('lstm_i3_h4_t5');
  const errors: [string, () => unknown, RegExp][] = [
    ['an unused tensor (strict)', () => checkAgainstFixture('lstm_i3_h4_t5', 'pytorch', new Map([...tensorsOf('lstm_i3_h4_t5'), ['weight_ih_l1', { shape: [1], data: new Float32Array(1) }]])), /weight_ih_l1 not used by a 1-layer unidirectional LSTM/],
    ['biases when the spec says bias: false', () => checkAgainstFixture('lstm_i3_h4_t5', 'pytorch', tensorsOf('lstm_i3_h4_t5'), { bias: false }), /bias: false but the weights contain/],
    ['an ONNX projection', () => checkAgainstFixture('lstm_proj_i4_h6_p3_t6_h0', 'onnx', new Map()), /ONNX recurrent operators have no projection/],
    ['two recurrent modules in one state_dict', () => networkFromTensors({ cell: parseSpec(base()).cell, shape: parseSpec(base()).shape }, new Map([['a.weight_ih_l0', { shape: [1], data: new Float32Array(1) }], ['b.weight_ih_l0', { shape: [1], data: new Float32Array(1) }]]), 'pytorch'), /several recurrent modules \(a\., b\.\)/],
    ['JSON weights in another convention', () => networkFromSpec(parseSpec(base()), { name: 'w.json', bytes: new TextEncoder().encode('{"convention":"onnx","tensors":{}}') }), /weights are in the onnx convention but the spec says pytorch/],
    ['a ragged JSON tensor', () => networkFromSpec(parseSpec(base()), { name: 'w.json', bytes: new TextEncoder().encode('{"tensors":{"a":[[1,2],[3]]}}') }), /'a'\[1\] is not a rectangular array/],
  ];
  for (const [what, f, re] of errors) {
    it(`rejects ${what}`, () => assert.throws(f, (e: Error) => e instanceof UnrollError && re.test(e.message)));
  }
});

describe('model: spec validation', () => {
  const lstm = readFixture('lstm_i3_h4_t5');
  const contradictions: [string, Record<string, unknown>, RegExp][] = [
    ['rnn_tanh with nonlinearity relu', { ...readFixture('rnn_tanh_i3_h4_t5'), nonlinearity: 'relu' }, /"nonlinearity": "relu" contradicts cell "rnn_tanh"/],
    ['gru with linearBeforeReset 0', { ...readFixture('gru_i3_h4_t5'), linearBeforeReset: 0 }, /"linearBeforeReset": 0 contradicts cell "gru"/],
    ['gru_cho with linearBeforeReset 1', { ...readFixture('gru_cho_i3_h4_t5'), linearBeforeReset: 1 }, /contradicts cell "gru_cho"/],
    ['lstm with peephole', { ...lstm, peephole: true }, /"peephole": true contradicts cell "lstm"/],
    ['lstm_peephole without peephole', { ...readFixture('lstm_peephole_i3_h4_t5'), peephole: false }, /contradicts cell "lstm_peephole"/],
    ['lstm_cifg with inputForget 0', { ...readFixture('lstm_cifg_i3_h4_t5'), inputForget: 0 }, /"inputForget": 0 contradicts cell "lstm_cifg"/],
    ['lstm with a coupling', { ...lstm, coupling: 'keep-input' }, /"coupling": "keep-input" contradicts cell "lstm"/],
    ['lstm with projSize', { ...lstm, projSize: 2 }, /"projSize": 2 contradicts cell "lstm"/],
    ['lstm_proj with projSize 0', { ...lstm, cell: 'lstm_proj', projSize: 0 }, /lstm_proj needs projSize > 0/],
    ['GRU with c0', { ...readFixture('gru_i3_h4_t5'), c0: [[0, 0, 0, 0]] }, /"c0".*only the LSTM family has a cell state/],
    ['GRU with a nonlinearity', { ...readFixture('gru_i3_h4_t5'), nonlinearity: 'tanh' }, /only a plain RNN has one/],
    ['h0 with the wrong number of rows', { ...lstm, h0: [[0, 0, 0, 0], [0, 0, 0, 0]] }, /spec h0 has 2 rows, expected 1/],
    ['numDirections contradicting bidirectional', { ...lstm, numDirections: 2 }, /"numDirections" 2 contradicts "bidirectional": false/],
    ['a negative hidden size', { ...lstm, hiddenSize: -4 }, /"hiddenSize" must be a positive integer/],
    ['an unknown convention', { ...lstm, convention: 'tf' }, /"convention" must be/],
    ['a negative clip', { ...lstm, clip: -1 }, /"clip" must be a positive number/],
    ['a gateOrder naming a gate twice', { ...lstm, gateOrder: ['i', 'i', 'g', 'o'] }, /gateOrder \["i","i","g","o"\] must list each LSTM gate once/],
    ['a GRU gateOrder with an LSTM gate', { ...readFixture('gru_i3_h4_t5'), gateOrder: ['r', 'z', 'o'] }, /must list each GRU gate once/],
  ];
  for (const [what, doc, re] of contradictions) {
    it(`rejects ${what}`, () => assert.throws(() => parseSpec(doc), (e: Error) => e instanceof UnrollError && re.test(e.message)));
  }

  it('names the coupling: ONNX lstm_cifg keeps the input gate, other conventions keep the forget gate, unless told', () => {
    const cifg = readFixture('lstm_cifg_i3_h4_t5');
    assert.strictEqual(parseSpec(cifg).cell.coupling, 'keep-input');
    assert.strictEqual(parseSpec({ ...cifg, convention: 'pytorch' }).cell.coupling, 'keep-forget');
    assert.strictEqual(parseSpec({ ...cifg, coupling: 'keep-forget' }).cell.coupling, 'keep-forget');
  });

  it('keep-forget computes f from its own rows and sets i = 1 − f (the classic CIFG)', () => {
    const spec = parseSpec({ ...readFixture('lstm_cifg_i3_h4_t5'), coupling: 'keep-forget', weights: null });
    const s = runNetwork(randomNetwork(spec.cell, spec.shape, 3), spec.x!).exactStep(2).layers[0].forward;
    s.gates.i!.forEach((v, u) => assert.ok(Math.abs(v + s.gates.f![u] - 1) < 1e-7));
    s.c!.forEach((c, u) => assert.ok(Math.abs(c - (s.gates.f![u] * s.cPrev![u] + s.gates.i![u] * s.gates.g![u])) < 1e-6));
  });
});

describe('model: seeded random weights', () => {
  const cell: CellSpec = { family: 'lstm', nonlinearity: 'tanh', peephole: true, coupling: 'none', resetAfter: true, projSize: 0 };
  const shape = { inputSize: 5, hiddenSize: 16, numLayers: 2, bidirectional: true };

  it('mulberry32 yields the published sequence (values from an independent C-semantics implementation)', () => {
    const r = mulberry32(42);
    assert.deepStrictEqual([r(), r(), r()], [0.6011037519201636, 0.44829055899754167, 0.8524657934904099]);
  });

  it('is reproducible, seed-dependent, and uniform within ±1/√H like PyTorch', () => {
    const a = randomNetwork(cell, shape, 1234);
    assert.deepStrictEqual(randomNetwork(cell, shape, 1234).layers, a.layers);
    assert.notDeepStrictEqual(randomNetwork(cell, shape, 1235).layers[0][0].W, a.layers[0][0].W);
    const all = a.layers.flat().flatMap((w) => [...w.W, ...w.R, ...w.bW, ...w.bR, ...w.P!]);
    const bound = 1 / Math.sqrt(16);
    assert.ok(all.every((v) => Math.abs(v) <= bound));
    const mean = all.reduce((s, v) => s + v, 0) / all.length;
    const meanSq = all.reduce((s, v) => s + v * v, 0) / all.length;
    assert.ok(Math.abs(mean) < 0.01, `mean ${mean}`);
    assert.ok(Math.abs(meanSq - bound ** 2 / 3) < 0.005, `variance ${meanSq}`); // U(−b, b) has variance b²/3
    assert.ok(randomNetwork(cell, shape, 1, false).layers[1][1].bR.every((v) => v === 0));
  });
});

describe('engine: numerics', () => {
  const cell: CellSpec = { family: 'lstm', nonlinearity: 'tanh', peephole: true, coupling: 'none', resetAfter: true, projSize: 0 };
  const shape = { inputSize: 2, hiddenSize: 3, numLayers: 1, bidirectional: false };

  it('ONNX clip bounds every gate pre-activation: σ gates stay within [σ(−clip), σ(clip)] and reach it', () => {
    const x = Float32Array.from([1e3, -1e3, -1e3, 1e3, 500, 500]);
    const clip = 2;
    const s = runNetwork(randomNetwork({ ...cell, clip }, shape, 5), x).exactRange(0, 3).layers[0].forward;
    const all = [...s.gates.i!, ...s.gates.f!, ...s.gates.o!];
    assert.ok(all.every((v) => v >= Math.fround(sigmoid(-clip)) && v <= Math.fround(sigmoid(clip))));
    assert.ok(all.some((v) => v === Math.fround(sigmoid(clip)) || v === Math.fround(sigmoid(-clip))));
    assert.ok(s.gates.g!.every((v) => Math.abs(v) <= Math.fround(Math.tanh(clip))));
  });

  it('a sparse input row (3 of 16 features set) gives the textbook LSTM step, computed here in float64', () => {
    const lstm: CellSpec = { ...cell, peephole: false };
    const sh = { inputSize: 16, hiddenSize: 3, numLayers: 1, bidirectional: false };
    const net = randomNetwork(lstm, sh, 21);
    const x = new Float32Array(16);
    x[2] = 0.5;
    x[7] = -1.25;
    x[15] = 2;
    const h0 = Float32Array.from([0.3, -0.1, 0.2]);
    const c0 = Float32Array.from([1, -0.5, 0.25]);
    const s = runNetwork(net, x, { h0, c0 }).exactStep(0).layers[0].forward;
    const w = net.layers[0][0];
    const pre = (row: number) => {
      let a = w.bW[row] + w.bR[row];
      for (let j = 0; j < 16; j++) a += w.W[row * 16 + j] * x[j];
      for (let j = 0; j < 3; j++) a += w.R[row * 3 + j] * h0[j];
      return a;
    };
    const sig = (a: number) => 1 / (1 + Math.exp(-a));
    for (let u = 0; u < 3; u++) {
      const [i, f, g, o] = [sig(pre(u)), sig(pre(3 + u)), Math.tanh(pre(6 + u)), sig(pre(9 + u))];
      const c = f * c0[u] + i * g;
      assert.ok(Math.abs(s.c![u] - c) < 1e-6 && Math.abs(s.h[u] - o * Math.tanh(c)) < 1e-6, `unit ${u}`);
    }
  });

  it('saturates cleanly at huge pre-activations: gates exactly 0 or 1, no NaN or Infinity', () => {
    const x = Float32Array.from([3e38, -3e38, -3e38, 3e38]);
    const s = runNetwork(randomNetwork(cell, shape, 5), x, { kernel: referenceKernel }).exactRange(0, 2).layers[0].forward;
    for (const v of [...s.gates.i!, ...s.gates.f!, ...s.gates.o!]) assert.ok(v === 0 || v === 1, `gate ${v}`);
    assert.ok([...s.h, ...s.c!].every(Number.isFinite));
    // The default (wasm) kernel clamps exp's argument to [−87, 88]: σ is then 0 to within 1e-37, never NaN.
    const w = runNetwork(randomNetwork(cell, shape, 5), x).exactRange(0, 2).layers[0].forward;
    for (const v of [...w.gates.i!, ...w.gates.f!, ...w.gates.o!]) assert.ok(Math.abs(v - Math.round(v)) < 1e-37, `gate ${v}`);
    assert.ok([...w.h, ...w.c!].every(Number.isFinite));
    assert.strictEqual(sigmoid(-1000), 0);
    assert.strictEqual(sigmoid(1000), 1);
  });
});
