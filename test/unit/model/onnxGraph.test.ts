/**
 * ONNX graphs beyond the fixtures: variants checked against onnxruntime itself (clip, Gemm decoder,
 * constant non-zero initial state, batch-first transposes), and every refusal names node, attribute, value.
 */
import * as assert from 'assert';
import { runNetwork } from '../../../src/engine/trace';
import { UnrollError } from '../../../src/engine/types';
import { loadOnnxNetwork } from '../../../src/model/onnx/graph';
import { encodeOnnxModel, type ModelInput, type NodeInput } from '../../../src/model/onnx/writer';
import { assertClose } from './fixtureHelpers';

/** Deterministic pseudo-random values in [-a, a] (mulberry32), so failures reproduce. */
function rand(n: number, seed: number, a = 0.8): number[] {
  let s = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out.push(((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * a);
  }
  return out;
}

function recurrentModel(op: 'LSTM' | 'GRU' | 'RNN', opts: { H: number; I: number; D?: number; attrs?: NodeInput['attrs']; extraNodes?: NodeInput[]; outputs?: ModelInput['outputs']; peephole?: boolean; initialH?: string; inputs?: ModelInput['inputs']; initializers?: ModelInput['initializers']; xName?: string }): Uint8Array {
  const G = op === 'LSTM' ? 4 : op === 'GRU' ? 3 : 1;
  const D = opts.D ?? 1;
  const { H, I } = opts;
  const inits = [
    { name: 'W', dims: [D, G * H, I], data: rand(D * G * H * I, 1) },
    { name: 'R', dims: [D, G * H, H], data: rand(D * G * H * H, 2) },
    { name: 'B', dims: [D, 2 * G * H], data: rand(D * 2 * G * H, 3) },
    ...(opts.peephole ? [{ name: 'P', dims: [D, 3 * H], data: rand(D * 3 * H, 4) }] : []),
    ...(opts.initializers ?? []),
  ];
  const ins = ['X', 'W', 'R', 'B', '', opts.initialH ?? '', '', ...(opts.peephole ? ['P'] : [])];
  while (ins[ins.length - 1] === '') ins.pop();
  return encodeOnnxModel({
    nodes: [{ op, name: 'rec', inputs: opts.xName ? [opts.xName, ...ins.slice(1)] : ins, outputs: ['Y', 'Y_h'], attrs: { hidden_size: H, ...(D === 2 ? { direction: 'bidirectional' } : {}), ...opts.attrs } }, ...(opts.extraNodes ?? [])],
    initializers: inits,
    inputs: opts.inputs ?? [{ name: 'X', dims: [null, 1, I] }],
    outputs: opts.outputs ?? [{ name: 'Y' }, { name: 'Y_h' }],
  });
}

function refusal(bytes: Uint8Array, ...parts: RegExp[]): void {
  assert.throws(
    () => loadOnnxNetwork(bytes, 'm.onnx'),
    (e: unknown) => {
      assert.ok(e instanceof UnrollError, `not an UnrollError: ${e}`);
      assert.ok(!e.message.includes('\n'), 'one line');
      for (const p of parts) assert.match(e.message, p);
      return true;
    },
  );
}

describe('ONNX graph walk: variants agree with onnxruntime', function () {
  this.timeout(20000);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');

  async function runOrt(bytes: Uint8Array, feeds: Record<string, { data: number[]; dims: number[] }>): Promise<Record<string, Float32Array>> {
    const session = await ort.InferenceSession.create(bytes);
    const input: Record<string, InstanceType<typeof ort.Tensor>> = {};
    for (const [k, v] of Object.entries(feeds)) input[k] = new ort.Tensor('float32', Float32Array.from(v.data), v.dims);
    const out = await session.run(input);
    const res: Record<string, Float32Array> = {};
    for (const [k, v] of Object.entries(out)) res[k] = v.data as Float32Array;
    return res;
  }

  it('LSTM with clip, peepholes, input_forget, a constant initial state and a Gemm decoder (transB, alpha, beta)', async () => {
    const H = 3, I = 2, T = 6, V = 5;
    const bytes = recurrentModel('LSTM', {
      H, I, peephole: true, attrs: { clip: 0.7, input_forget: 1 }, initialH: 'h_init',
      initializers: [
        { name: 'h_init', dims: [1, 1, H], data: [0.3, -0.2, 0.5] },
        { name: 'Wd', dims: [V, H], data: rand(V * H, 9) },
        { name: 'bd', dims: [V], data: rand(V, 10) },
        { name: 'axes', dims: [2], data: [1, 2], type: 'int64' },
      ],
      extraNodes: [
        { op: 'Squeeze', name: 'sq', inputs: ['Y', 'axes'], outputs: ['Ys'] },
        { op: 'Gemm', name: 'dec', inputs: ['Ys', 'Wd', 'bd'], outputs: ['logits'], attrs: { transB: 1, alpha: 0.5, beta: { float: 2 } } },
      ],
      outputs: [{ name: 'Y' }, { name: 'logits' }],
    });
    const x = rand(T * I, 11, 2);
    const ortOut = await runOrt(bytes, { X: { data: x, dims: [T, 1, I] } });
    const loaded = loadOnnxNetwork(bytes, 'm.onnx');
    assert.strictEqual(loaded.network.cell.clip, Math.fround(0.7));
    assert.strictEqual(loaded.network.cell.coupling, 'keep-input');
    assert.deepStrictEqual(loaded.info.decoder, { kind: 'Gemm', nodes: ['dec'] });
    assert.ok(loaded.h0, 'the constant initial state is kept');
    const trace = runNetwork(loaded.network, new Float32Array(x), { h0: loaded.h0 });
    const r = trace.exactRange(0, T);
    assertClose(r.layers[0].forward.h, Array.from(ortOut.Y), 1e-5, 'h vs onnxruntime Y');
    assertClose(r.logits!, Array.from(ortOut.logits), 1e-5, 'logits vs onnxruntime Gemm');
  });

  it('bidirectional GRU (linear_before_reset=0) read through batch-first Transposes, MatMul+Add decoder', async () => {
    const H = 4, I = 3, T = 5, V = 3;
    const bytes = recurrentModel('GRU', {
      H, I, D: 2, xName: 'Xt', inputs: [{ name: 'xb', dims: [1, null, I] }],
      initializers: [
        { name: 'shape', dims: [3], data: [0, 0, -1], type: 'int64' },
        { name: 'Wd', dims: [2 * H, V], data: rand(2 * H * V, 21) },
        { name: 'bd', dims: [V], data: rand(V, 22) },
      ],
      extraNodes: [
        { op: 'Transpose', name: 'tin', inputs: ['xb'], outputs: ['Xt'], attrs: { perm: [1, 0, 2] } },
        { op: 'Transpose', name: 'tout', inputs: ['Y'], outputs: ['Yt'], attrs: { perm: [0, 2, 1, 3] } },
        { op: 'Reshape', name: 'rs', inputs: ['Yt', 'shape'], outputs: ['Yr'] },
        { op: 'MatMul', name: 'mm', inputs: ['Yr', 'Wd'], outputs: ['mmo'] },
        { op: 'Add', name: 'add', inputs: ['bd', 'mmo'], outputs: ['logits'] },
      ],
      outputs: [{ name: 'Y' }, { name: 'logits' }],
    });
    const x = rand(T * I, 23, 2);
    const ortOut = await runOrt(bytes, { xb: { data: x, dims: [1, T, I] } });
    const loaded = loadOnnxNetwork(bytes, 'm.onnx');
    assert.strictEqual(loaded.inputName, 'xb');
    assert.strictEqual(loaded.network.cell.resetAfter, false);
    assert.deepStrictEqual(loaded.info.decoder, { kind: 'MatMul+Add', nodes: ['mm', 'add'] });
    const r = runNetwork(loaded.network, new Float32Array(x)).exactRange(0, T);
    // ORT Y is [T, D, 1, H]: split it per direction.
    const fwd: number[] = [], rev: number[] = [];
    for (let t = 0; t < T; t++) {
      fwd.push(...ortOut.Y.subarray((t * 2) * H, (t * 2 + 1) * H));
      rev.push(...ortOut.Y.subarray((t * 2 + 1) * H, (t * 2 + 2) * H));
    }
    assertClose(r.layers[0].forward.h, fwd, 1e-5, 'forward h');
    assertClose(r.layers[0].reverse!.h, rev, 1e-5, 'reverse h');
    assertClose(r.logits!, Array.from(ortOut.logits), 1e-5, 'logits');
  });

  it('an embedding (Gather on a constant table) is folded into layer 0: one-hot tokens give ORT\'s outputs for the ids', async () => {
    const V = 7, E = 3, H = 4, T = 6;
    const bytes = recurrentModel('LSTM', {
      H, I: E, xName: 'emb', inputs: [{ name: 'ids', dims: [null, 1], type: 'int64' }],
      initializers: [{ name: 'table', dims: [V, E], data: rand(V * E, 41, 1.5) }],
      extraNodes: [{ op: 'Gather', name: 'embedding', inputs: ['table', 'ids'], outputs: ['emb'] }],
    });
    const ids = [3, 0, 6, 6, 2, 5];
    const session = await ort.InferenceSession.create(bytes);
    const out = await session.run({ ids: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [T, 1]) });
    const loaded = loadOnnxNetwork(bytes, 'm.onnx');
    assert.deepStrictEqual(loaded.embedding, { name: 'embedding', vocabSize: V, dim: E });
    assert.strictEqual(loaded.inputName, 'ids');
    assert.strictEqual(loaded.network.shape.inputSize, V);
    const x = new Float32Array(T * V);
    ids.forEach((id, t) => (x[t * V + id] = 1));
    const r = runNetwork(loaded.network, x).exactRange(0, T);
    assertClose(r.layers[0].forward.h, Array.from(out.Y.data as Float32Array), 1e-5, 'h vs onnxruntime on token ids');
  });

  it('float16 weights behind a Cast node are read as constants', async () => {
    const H = 2, I = 2;
    const half = (v: number) => {
      // exact halves for the test values below (multiples of 1/8)
      const f = new Float32Array([v]);
      const u = new Uint32Array(f.buffer)[0];
      return ((u >> 16) & 0x8000) | ((((u >> 23) & 0xff) - 112) << 10) | ((u >> 13) & 0x3ff);
    };
    const wValues = Array.from({ length: H * I }, (_, k) => (k + 1) / 8);
    const bytes = encodeOnnxModel({
      nodes: [
        { op: 'Cast', name: 'castW', inputs: ['W16'], outputs: ['W'], attrs: { to: 1 } },
        { op: 'RNN', name: 'rec', inputs: ['X', 'W', 'R'], outputs: ['Y'], attrs: { hidden_size: H } },
      ],
      initializers: [{ name: 'R', dims: [1, H, H], data: [0.5, -0.25, 0.125, 0.75] }],
      inputs: [{ name: 'X', dims: [null, 1, I] }],
      outputs: [{ name: 'Y' }],
    });
    // Add the float16 initializer by hand (the writer stores float/double/int64 only).
    const { onnxType } = await import('../../../src/model/onnx/schema');
    const Model = onnxType('ModelProto');
    const m = Model.decode(bytes) as unknown as { graph: { initializer: unknown[] } };
    m.graph.initializer.push({ name: 'W16', dims: [1, H, I], data_type: 10, int32_data: wValues.map(half) });
    const withHalf = Model.encode(Model.fromObject(m)).finish();
    const loaded = loadOnnxNetwork(withHalf, 'm.onnx');
    assert.deepStrictEqual(Array.from(loaded.network.layers[0][0].W), wValues);
  });

  it('RNN with Relu activations in both directions', async () => {
    const bytes = recurrentModel('RNN', { H: 3, I: 2, D: 2, attrs: { activations: ['Relu', 'Relu'] } });
    const x = rand(4 * 2, 31, 2);
    const ortOut = await runOrt(bytes, { X: { data: x, dims: [4, 1, 2] } });
    const loaded = loadOnnxNetwork(bytes, 'm.onnx');
    assert.strictEqual(loaded.network.cell.nonlinearity, 'relu');
    const r = runNetwork(loaded.network, new Float32Array(x)).exactRange(0, 4);
    assertClose(r.layers[0].forward.h, [0, 1, 2, 3].flatMap((t) => Array.from(ortOut.Y.subarray(t * 6, t * 6 + 3))), 1e-5, 'forward h');
  });
});

describe('ONNX graph walk: clear refusals', () => {
  it('unsupported activations name the node, the attribute and the value', () => {
    refusal(recurrentModel('LSTM', { H: 2, I: 2, attrs: { activations: ['Sigmoid', 'Relu', 'Tanh'] } }), /LSTM node 'rec'/, /activations=\["Sigmoid","Relu","Tanh"\]/);
    refusal(recurrentModel('RNN', { H: 2, I: 2, attrs: { activations: ['Sigmoid'] } }), /RNN node 'rec'/, /activations=\["Sigmoid"\]/, /Tanh or Relu/);
  });
  it('layout=1', () => refusal(recurrentModel('GRU', { H: 2, I: 2, attrs: { layout: 1 } }), /GRU node 'rec'/, /layout=1/));
  it('direction=reverse', () => refusal(recurrentModel('GRU', { H: 2, I: 2, attrs: { direction: 'reverse' } }), /direction="reverse"/));
  it('Scan and Loop recurrences', () => {
    for (const op of ['Scan', 'Loop']) {
      const bytes = encodeOnnxModel({ nodes: [{ op, name: 'body', inputs: ['X'], outputs: ['Y'] }], inputs: [{ name: 'X', dims: [null, 1, 2] }], outputs: [{ name: 'Y' }] });
      refusal(bytes, new RegExp(`${op} node 'body'`), /Scan\/Loop/);
    }
  });
  it('external-data tensors', () => {
    const bytes = recurrentModel('LSTM', { H: 2, I: 2, initializers: [] });
    const ext = encodeOnnxModel({
      nodes: [{ op: 'LSTM', name: 'rec', inputs: ['X', 'Wx', 'R'], outputs: ['Y'], attrs: { hidden_size: 2 } }],
      initializers: [{ name: 'Wx', dims: [1, 8, 2], data: [], external: 'weights.bin' }, { name: 'R', dims: [1, 8, 2], data: rand(16, 1) }],
      inputs: [{ name: 'X', dims: [null, 1, 2] }],
      outputs: [{ name: 'Y' }],
    });
    assert.ok(loadOnnxNetwork(bytes, 'ok.onnx'));
    refusal(ext, /'Wx'/, /external file \('weights\.bin'\)/);
  });
  it('a graph with no recurrent node', () => {
    const bytes = encodeOnnxModel({ nodes: [{ op: 'Relu', inputs: ['X'], outputs: ['Y'] }], inputs: [{ name: 'X', dims: [2] }], outputs: [{ name: 'Y' }] });
    refusal(bytes, /no LSTM, GRU or RNN node/);
  });
  it('weights computed at run time, an embedding in front, sequence_lens', () => {
    const runtimeW = encodeOnnxModel({
      nodes: [{ op: 'LSTM', name: 'rec', inputs: ['X', 'Win', 'R'], outputs: ['Y'], attrs: { hidden_size: 2 } }],
      initializers: [{ name: 'R', dims: [1, 8, 2], data: rand(16, 1) }],
      inputs: [{ name: 'X', dims: [null, 1, 2] }, { name: 'Win', dims: [1, 8, 2] }],
      outputs: [{ name: 'Y' }],
    });
    refusal(runtimeW, /input W \('Win'\) is computed at run time/);
    const embedded = recurrentModel('GRU', {
      H: 2, I: 2, xName: 'emb', inputs: [{ name: 'ids', dims: [null, 1] }],
      initializers: [{ name: 'table', dims: [10, 2], data: rand(20, 5) }],
      extraNodes: [{ op: 'Gather', name: 'embedding', inputs: ['table', 'ids'], outputs: ['emb'] }],
    });
    // An embedding is folded (see above); a Gather that is not a lookup of a constant table is refused.
    const gatherOfInput = recurrentModel('GRU', {
      H: 2, I: 2, xName: 'emb', inputs: [{ name: 'ids', dims: [null, 1] }, { name: 'table', dims: [10, 2] }],
      extraNodes: [{ op: 'Gather', name: 'lookup', inputs: ['table', 'ids'], outputs: ['emb'] }],
    });
    refusal(gatherOfInput, /computed by Gather node 'lookup'/);
    assert.strictEqual(loadOnnxNetwork(embedded, 'm.onnx').network.shape.inputSize, 10);
    const lens = encodeOnnxModel({
      nodes: [{ op: 'RNN', name: 'rec', inputs: ['X', 'W', 'R', '', 'lens'], outputs: ['Y'], attrs: { hidden_size: 2 } }],
      initializers: [{ name: 'W', dims: [1, 2, 2], data: rand(4, 1) }, { name: 'R', dims: [1, 2, 2], data: rand(4, 2) }],
      inputs: [{ name: 'X', dims: [null, 1, 2] }, { name: 'lens', dims: [1] }],
      outputs: [{ name: 'Y' }],
    });
    refusal(lens, /sequence_lens \('lens'\)/);
  });
  it('weight shapes that contradict hidden_size', () => {
    refusal(recurrentModel('LSTM', { H: 3, I: 2, attrs: { hidden_size: 4 } }), /LSTM node 'rec': input W has shape \[1,12,2\], expected \[1,16,2\]/);
  });
  it('NaN and Inf weights load with a warning naming the tensor and the index', () => {
    const bytes = encodeOnnxModel({
      nodes: [{ op: 'RNN', name: 'rec', inputs: ['X', 'W', 'R'], outputs: ['Y'], attrs: { hidden_size: 2 } }],
      initializers: [{ name: 'W', dims: [1, 2, 2], data: [0.1, NaN, 0.2, 0.3] }, { name: 'R', dims: [1, 2, 2], data: [0, 0, Infinity, 0], typed: true }],
      inputs: [{ name: 'X', dims: [null, 1, 2] }],
      outputs: [{ name: 'Y' }],
    });
    const loaded = loadOnnxNetwork(bytes, 'm.onnx');
    assert.strictEqual(loaded.warnings.length, 2);
    assert.match(loaded.warnings[0], /input W \('W'\) holds NaN at flat index 1/);
    assert.match(loaded.warnings[1], /input R \('R'\) holds Infinity at flat index 2/);
  });
});
