/**
 * Whole safetensors models: every fixture's weights, detected from names and shapes alone and run with
 * the fixture's cell (chosen the way a person would: quick pick or sidecar), reproduce the expected
 * values; Keras-named models (real Keras paths, Dense head) too; sidecars decide and contradictions fail.
 */
import * as assert from 'assert';
import { runNetwork } from '../../../src/engine/trace';
import { UnrollError, type CellName } from '../../../src/engine/types';
import { loadModel, requireNetwork, type ModelIO } from '../../../src/model/load';
import { readSafetensors, writeSafetensors, type TensorMap } from '../../../src/model/safetensors';
import { assertClose, assertTraceMatches, fixtureIndex, fixtureJson, flat, readFixtureFile } from './fixtureHelpers';

const noSiblings: ModelIO = { readSibling: () => undefined };
const siblings = (files: Record<string, string>): ModelIO => ({
  readSibling: (p) => (p in files ? new TextEncoder().encode(files[p]) : undefined),
});

function runFixture(name: string, bytes: Uint8Array, io: ModelIO, cell?: CellName, file = `${name}.safetensors`): void {
  const fx = fixtureJson(name);
  const model = loadModel(file, bytes, io, cell ? { cell } : {});
  const trace = runNetwork(requireNetwork(model), new Float32Array(flat(fx.x)), {
    ...(fx.h0 ? { h0: new Float32Array(flat(fx.h0)) } : {}),
    ...(fx.c0 ? { c0: new Float32Array(flat(fx.c0)) } : {}),
  });
  assertTraceMatches(trace, fx, name);
}

describe('safetensors models: detection + the chosen cell reproduce every fixture', () => {
  for (const e of fixtureIndex()) {
    it(e.name, () => {
      const bytes = readFixtureFile(e.files.safetensors);
      const model = loadModel(e.files.safetensors, bytes, noSiblings);
      // The person picks the fixture's cell when the file is ambiguous (quick pick / sidecar).
      runFixture(e.name, bytes, noSiblings, model.candidates.length > 1 ? (e.cell as CellName) : undefined);
    });
  }
});

describe('sidecars', () => {
  const bytes = () => readFixtureFile('rnn_relu_i3_h4_t5.safetensors');
  const side = (doc: unknown) => siblings({ 'm/rnn.unroll.json': JSON.stringify(doc) });

  it('{"cell": …} or a deciding flag settles an ambiguous file', () => {
    assert.strictEqual(loadModel('m/rnn.safetensors', bytes(), side({ cell: 'rnn_relu' })).cell, 'rnn_relu');
    const byFlag = loadModel('m/rnn.safetensors', bytes(), side({ nonlinearity: 'relu' }));
    assert.strictEqual(byFlag.cell, 'rnn_relu');
    assert.strictEqual(byFlag.decidedBy, 'sidecar');
    runFixture('rnn_relu_i3_h4_t5', bytes(), side({ cell: 'rnn_relu' }), undefined, 'm/rnn.safetensors');
  });

  it('without a sidecar nothing is guessed', () => {
    const m = loadModel('m/rnn.safetensors', bytes(), noSiblings);
    assert.strictEqual(m.network, undefined);
    assert.throws(() => requireNetwork(m), /ambiguous.*rnn_tanh or rnn_relu.*rnn\.unroll\.json/);
  });

  it('contradictions are one clear error', () => {
    const cases: [unknown, RegExp][] = [
      [{ cell: 'lstm' }, /"cell": "lstm" contradicts the weights, which hold rnn_tanh or rnn_relu/],
      [{ cell: 'rnn_relu', hiddenSize: 7 }, /"hiddenSize": 7 contradicts the weights \(4\)/],
      [{ cell: 'rnn_relu', convention: 'keras' }, /"convention": "keras" contradicts/],
      [{ cell: 'rnn_relu', nonlinearity: 'tanh' }, /nonlinearity/],
      [{ peephole: true }, /add "cell"/],
      [[1, 2], /must be a JSON object/],
    ];
    for (const [doc, re] of cases) {
      assert.throws(() => loadModel('m/rnn.safetensors', bytes(), side(doc)), (e: unknown) => e instanceof UnrollError && re.test(e.message));
    }
    assert.throws(() => loadModel('m/rnn.safetensors', bytes(), siblings({ 'm/rnn.unroll.json': '{oops' })), /rnn\.unroll\.json: not valid JSON/);
  });

  it('vocabulary sidecar: must list tokens; a decoder size mismatch is a warning', () => {
    const char = readFixtureFile('char_gru_public.safetensors');
    const vocab = fixtureJson('char_gru_public').vocab as string[];
    const ok = loadModel('c.safetensors', char, siblings({ 'c.vocab.json': JSON.stringify({ vocab, unkId: 96 }) }));
    assert.strictEqual(ok.vocab!.vocab.length, 97);
    assert.deepStrictEqual(ok.warnings, []);
    const short = loadModel('c.safetensors', char, siblings({ 'c.vocab.json': JSON.stringify({ vocab: ['a', 'b'] }) }));
    assert.match(short.warnings[0], /2 tokens, but the decoder predicts 97/);
    assert.throws(() => loadModel('c.safetensors', char, siblings({ 'c.vocab.json': '{"vocab": [1, 2]}' })), /c\.vocab\.json: must be \{"vocab"/);
    assert.throws(() => loadModel('c.safetensors', char, siblings({ 'c.vocab.json': JSON.stringify({ vocab, unkId: 500 }) })), /"unkId" 500/);
  });
});

/** Torch state_dict tensors of one fixture → Keras layout: kernel [In, G·H] = Wᵀ with Keras gate columns. */
function toKeras(torch: TensorMap, family: 'lstm' | 'gru', layers: number, bidirectional: boolean): TensorMap {
  const out: TensorMap = new Map();
  // torch rows LSTM i,f,g,o = Keras i,f,c,o; torch GRU r,z,n → Keras z,r,h
  const perm = family === 'lstm' ? [0, 1, 2, 3] : [1, 0, 2];
  const reorderT = (t: { shape: number[]; data: Float32Array }) => {
    const [rows, cols] = t.shape;
    const H = rows / perm.length;
    const res = new Float32Array(rows * cols);
    for (let kb = 0; kb < perm.length; kb++) for (let j = 0; j < H; j++) for (let c = 0; c < cols; c++) res[c * rows + kb * H + j] = t.data[(perm[kb] * H + j) * cols + c];
    return { shape: [cols, rows], data: res };
  };
  const reorder = (v: Float32Array) => {
    const H = v.length / perm.length;
    const res = new Float32Array(v.length);
    perm.forEach((src, k) => res.set(v.subarray(src * H, (src + 1) * H), k * H));
    return res;
  };
  for (let k = 0; k < layers; k++) {
    for (const d of bidirectional ? [0, 1] : [0]) {
      const sfx = `_l${k}${d ? '_reverse' : ''}`;
      const layer = k === 0 ? family : `${family}_${k}`;
      const p = bidirectional ? `bidirectional${k ? `_${k}` : ''}/${d ? 'backward' : 'forward'}_${layer}/${family}_cell/` : `${layer}/${family}_cell/`;
      out.set(`${p}kernel:0`, reorderT(torch.get(`weight_ih${sfx}`)!));
      out.set(`${p}recurrent_kernel:0`, reorderT(torch.get(`weight_hh${sfx}`)!));
      const bih = reorder(torch.get(`bias_ih${sfx}`)!.data);
      const bhh = reorder(torch.get(`bias_hh${sfx}`)!.data);
      if (family === 'gru') out.set(`${p}bias:0`, { shape: [2, bih.length], data: Float32Array.from([...bih, ...bhh]) });
      else out.set(`${p}bias:0`, { shape: [bih.length], data: bih.map((v, j) => v + bhh[j]) });
    }
  }
  return out;
}

describe('Keras-named models', () => {
  it('a 2-layer bidirectional LSTM with real Keras paths', () => {
    const keras = toKeras(readSafetensors(readFixtureFile('lstm_i3_h4_t6_l2_bi.safetensors')), 'lstm', 2, true);
    const bytes = writeSafetensors(keras);
    const m = loadModel('k.safetensors', bytes, noSiblings);
    assert.strictEqual(m.convention, 'keras');
    assert.deepStrictEqual(m.candidates, ['lstm']);
    assert.match(m.ambiguities.join(), /layer order/);
    runFixture('lstm_i3_h4_t6_l2_bi', bytes, noSiblings, undefined, 'k.safetensors');
  });

  it('a reset_after GRU (bias [2, 3H]) and a Dense head become the decoder', () => {
    const torch = readSafetensors(readFixtureFile('char_gru_public.safetensors'));
    const keras = toKeras(torch, 'gru', 1, false);
    const dec = torch.get('decoder.weight')!;
    const [V, H] = dec.shape;
    const kernel = new Float32Array(V * H);
    for (let v = 0; v < V; v++) for (let h = 0; h < H; h++) kernel[h * V + v] = dec.data[v * H + h];
    keras.set('dense/kernel:0', { shape: [H, V], data: kernel });
    keras.set('dense/bias:0', torch.get('decoder.bias')!);
    const bytes = writeSafetensors(keras);
    const m = loadModel('k.safetensors', bytes, noSiblings);
    assert.deepStrictEqual(m.candidates, ['gru']);
    assert.strictEqual(m.vocabSize, V);
    runFixture('char_gru_public', bytes, noSiblings, undefined, 'k.safetensors');
  });
});

describe('prefixed modules and a Linear head', () => {
  it('"rnn." + "fc." names: the only fitting Linear becomes the decoder, said in a warning', () => {
    const t = readSafetensors(readFixtureFile('char_lstm_public.safetensors'));
    const renamed: TensorMap = new Map([...t].map(([n, v]) => [n.startsWith('decoder.') ? n.replace('decoder.', 'fc.') : `rnn.${n}`, v]));
    const bytes = writeSafetensors(renamed);
    const m = loadModel('m.safetensors', bytes, noSiblings);
    assert.strictEqual(m.vocabSize, 97);
    assert.strictEqual(m.warnings.length, 1);
    assert.match(m.warnings[0], /'fc\.weight' \[97,64\] read as the output layer/);
    runFixture('char_lstm_public', bytes, noSiblings, undefined, 'm.safetensors');
  });
});

describe('embeddings', () => {
  it('an nn.Embedding in front of the LSTM is folded: one-hot tokens run exactly like the embedded vectors', () => {
    // A small word model: embedding [V, E] → 1-layer LSTM reading E inputs.
    const V = 11, E = 5, H = 4;
    const r = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7.1 + i * 1.3) * 0.6);
    const table = r(V * E, 1);
    const tensors: TensorMap = new Map([
      ['embedding.weight', { shape: [V, E], data: table }],
      ['lstm.weight_ih_l0', { shape: [4 * H, E], data: r(4 * H * E, 2) }],
      ['lstm.weight_hh_l0', { shape: [4 * H, H], data: r(4 * H * H, 3) }],
      ['lstm.bias_ih_l0', { shape: [4 * H], data: r(4 * H, 4) }],
      ['lstm.bias_hh_l0', { shape: [4 * H], data: r(4 * H, 5) }],
    ]);
    const bytes = writeSafetensors(tensors);
    const m = loadModel('w.safetensors', bytes, noSiblings);
    assert.deepStrictEqual(m.embedding, { name: 'embedding.weight', vocabSize: V, dim: E });
    assert.strictEqual(m.shape.inputSize, V);
    assert.deepStrictEqual(m.warnings, []);
    const ids = [4, 0, 10, 4, 7];
    const onehot = new Float32Array(ids.length * V);
    ids.forEach((id, t) => (onehot[t * V + id] = 1));
    const folded = runNetwork(requireNetwork(m), onehot).exactRange(0, ids.length);
    // The same weights without the embedding, fed the embedded vectors.
    tensors.delete('embedding.weight');
    const plain = requireNetwork(loadModel('p.safetensors', writeSafetensors(tensors), noSiblings));
    const embedded = new Float32Array(ids.length * E);
    ids.forEach((id, t) => embedded.set(table.subarray(id * E, (id + 1) * E), t * E));
    const direct = runNetwork(plain, embedded).exactRange(0, ids.length);
    assertClose(folded.layers[0].forward.h, Array.from(direct.layers[0].forward.h), 1e-6, 'h');
    assertClose(folded.layers[0].forward.c!, Array.from(direct.layers[0].forward.c!), 1e-6, 'c');
  });
});

describe('detection errors', () => {
  const write = (entries: [string, number[]][]) => writeSafetensors(new Map(entries.map(([n, shape]) => [n, { shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) }])));
  const cases: [string, [string, number[]][], RegExp][] = [
    ['no recurrent names', [['conv.weight', [3, 3]]], /no recurrent weights recognised.*found conv\.weight/],
    ['gate rows that fit no cell', [['weight_ih_l0', [10, 3]], ['weight_hh_l0', [10, 5]]], /10 gate rows for hidden size 5/],
    ['two recurrent modules', [['a.weight_ih_l0', [4, 2]], ['a.weight_hh_l0', [4, 4]], ['b.weight_ih_l0', [4, 2]], ['b.weight_hh_l0', [4, 4]]], /several recurrent modules \(a\., b\.\)/],
    ['contradicting layer shapes', [['weight_ih_l0', [16, 3]], ['weight_hh_l0', [16, 4]], ['weight_ih_l1', [16, 5]], ['weight_hh_l1', [16, 4]]], /weight_ih_l1' has shape \[16,5\], expected \[16,4\]/],
  ];
  for (const [what, entries, re] of cases) {
    it(what, () => assert.throws(() => requireNetwork(loadModel('x.safetensors', write(entries), noSiblings)), (e: unknown) => e instanceof UnrollError && re.test(e.message)));
  }

  it('NaN/Inf weights load with a warning naming tensor and index', () => {
    const t = readSafetensors(readFixtureFile('gru_i3_h4_t5.safetensors'));
    t.get('weight_hh_l0')!.data[5] = NaN;
    t.get('bias_ih_l0')!.data[2] = -Infinity;
    const m = loadModel('x.safetensors', writeSafetensors(t), noSiblings);
    assert.ok(m.network);
    assert.ok(m.warnings.some((w) => /'weight_hh_l0' holds NaN at flat index 5/.test(w)), m.warnings.join('|'));
    assert.ok(m.warnings.some((w) => /'bias_ih_l0' holds -Infinity at flat index 2/.test(w)), m.warnings.join('|'));
  });
});
