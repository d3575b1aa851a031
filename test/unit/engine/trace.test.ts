/**
 * The Trace: checkpoint recomputation is bit-identical to a straight run, the 8-bit store decodes to
 * within one code of the exact values, transfers round-trip, progress/cancellation/errors behave.
 */
import * as assert from 'assert';
import { topK } from '../../../src/engine/network';
import { CancelledError, type Channel, type Trace, Trace as TraceClass, dequantize, runNetwork, transferList } from '../../../src/engine/trace';
import { type CellSpec, type NetworkShape, UnrollError } from '../../../src/engine/types';
import { WasmKernel, wasmSimdAvailable } from '../../../src/engine/wasm/wasmKernel';
import { mulberry32, randomNetwork } from '../../../src/model/random';
import { loadFixture } from './helpers';

const LSTM: CellSpec = { family: 'lstm', nonlinearity: 'tanh', peephole: false, coupling: 'none', resetAfter: true, projSize: 0 };
const STACK: NetworkShape = { inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true };

function randomInput(T: number, In: number, seed: number, scale = 2): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: T * In }, () => (2 * r() - 1) * scale);
}

function rows(a: Float32Array, width: number, t: number): Float32Array {
  return a.slice(t * width, (t + 1) * width);
}

const VARIANTS: [string, CellSpec][] = [
  ['LSTM', LSTM],
  ['projected peephole LSTM (keep-forget)', { ...LSTM, peephole: true, coupling: 'keep-forget', projSize: 2 }],
  ['Cho GRU', { ...LSTM, family: 'gru', resetAfter: false }],
  ['relu RNN', { ...LSTM, family: 'rnn', nonlinearity: 'relu' }],
];

describe('engine: trace checkpoints', function () {
  this.timeout(60_000); // a shared 2-core machine under load: the trained fixtures take seconds, not ms
  for (const [label, cell] of VARIANTS) {
    it(`${label}, 2 layers bidirectional: exactStep at random steps equals a straight run bit for bit`, () => {
      const net = randomNetwork(cell, STACK, 7);
      const T = 53;
      const x = randomInput(T, STACK.inputSize, 11);
      const straight = runNetwork(net, x, { checkpointEvery: T }).exactRange(0, T);
      const trace = runNetwork(net, x, { checkpointEvery: 7 });
      const pick = mulberry32(3);
      const steps = [0, 6, 7, 52, ...Array.from({ length: 8 }, () => Math.floor(pick() * T))];
      for (const t of steps) {
        const s = trace.exactStep(t);
        for (let k = 0; k < 2; k++) {
          for (const dir of ['forward', 'reverse'] as const) {
            const full = straight.layers[k][dir]!;
            const got = s.layers[k][dir]!;
            const Out = trace.meta.outputSize;
            assert.deepStrictEqual(got.h, rows(full.h, Out, t), `h layer ${k} ${dir} t=${t}`);
            const prev = dir === 'forward' ? t - 1 : t + 1;
            const prevH = prev < 0 || prev >= T ? new Float32Array(Out) : rows(full.h, Out, prev);
            assert.deepStrictEqual(got.hPrev, prevH, `hPrev layer ${k} ${dir} t=${t}`);
            for (const [g, a] of Object.entries(full.gates)) assert.deepStrictEqual(got.gates[g as 'i'], rows(a!, 5, t), `${g} layer ${k} ${dir} t=${t}`);
            if (full.c) assert.deepStrictEqual(got.c, rows(full.c, 5, t));
            if (full.m) assert.deepStrictEqual(got.m, rows(full.m, 5, t));
          }
        }
        // layer 1 input = [forward h ; reverse h] of layer 0
        const below = s.layers[0];
        assert.deepStrictEqual(s.layers[1].forward.x, Float32Array.from([...below.forward.h, ...below.reverse!.h]));
      }
    });
  }

  it('with the wasm-simd kernel too: chunked recompute equals a straight run bit for bit', function () {
    if (!wasmSimdAvailable()) this.skip();
    const kernel = new WasmKernel();
    const cell: CellSpec = { ...LSTM, peephole: true };
    const net = randomNetwork(cell, { ...STACK, hiddenSize: 9 }, 7);
    const T = 300;
    const x = randomInput(T, STACK.inputSize, 11);
    const straight = runNetwork(net, x, { checkpointEvery: T, kernel }).exactRange(0, T);
    const trace = runNetwork(net, x, { checkpointEvery: 16, kernel });
    for (const t of [0, 15, 16, 17, 150, 299]) {
      const s = trace.exactStep(t);
      for (const dir of ['forward', 'reverse'] as const) {
        assert.deepStrictEqual(s.layers[1][dir]!.h, rows(straight.layers[1][dir]!.h, 9, t), `h layer 1 ${dir} t=${t}`);
        assert.deepStrictEqual(s.layers[0][dir]!.c, rows(straight.layers[0][dir]!.c!, 9, t), `c layer 0 ${dir} t=${t}`);
      }
    }
  });

  it('exactRange across chunk borders equals the straight run', () => {
    const net = randomNetwork(LSTM, STACK, 9);
    const x = randomInput(40, 3, 5);
    const a = runNetwork(net, x, { checkpointEvery: 40 }).exactRange(5, 33);
    const b = runNetwork(net, x, { checkpointEvery: 6 }).exactRange(5, 33);
    assert.deepStrictEqual(b, a);
  });

  it('keeps its own copy of the weights: changing the network afterwards (training) does not change exact values', () => {
    const net = randomNetwork(LSTM, STACK, 9);
    const x = randomInput(20, 3, 5);
    const trace = runNetwork(net, x, { checkpointEvery: 4 });
    const want = runNetwork(net, x, { checkpointEvery: 20 }).exactStep(13);
    for (const w of net.layers.flat()) w.R.fill(0.5);
    assert.deepStrictEqual(trace.exactStep(13), want); // chunk 3 was never computed before the change
  });

  it('given h0/c0 become the first step\'s previous state', () => {
    const shape = { ...STACK, numLayers: 1, bidirectional: false };
    const net = randomNetwork(LSTM, shape, 2);
    const h0 = Float32Array.from([0.1, -0.2, 0.3, -0.4, 0.5]);
    const c0 = Float32Array.from([1, -1, 2, -2, 0]);
    const s = runNetwork(net, randomInput(4, 3, 1), { h0, c0, checkpointEvery: 2 }).exactStep(0);
    assert.deepStrictEqual(s.layers[0].forward.hPrev, h0);
    assert.deepStrictEqual(s.layers[0].forward.cPrev, c0);
  });
});

function assertWindowsDecode(trace: Trace): void {
  const { meta } = trace;
  const all = trace.exactRange(0, meta.steps);
  for (let k = 0; k < meta.shape.numLayers; k++) {
    for (let d = 0; d < meta.numDirections; d++) {
      const exact = d === 0 ? all.layers[k].forward : all.layers[k].reverse!;
      for (const ch of meta.channels) {
        const w = trace.window(k, d, ch, 0, meta.steps);
        const values = ch === 'h' ? exact.h : ch === 'c' ? exact.c! : ch === 'm' ? exact.m! : exact.gates[ch as 'i']!;
        assert.strictEqual(w.data.length, values.length, `${ch} window size`);
        const step = (w.hi - w.lo) / 255;
        let min = Infinity;
        let max = -Infinity;
        for (let i = 0; i < values.length; i++) {
          min = Math.min(min, values[i]);
          max = Math.max(max, values[i]);
          // one code of the overall range (half for the chunk code, half for the re-mapping), plus float slack
          const err = Math.abs(dequantize(w.data[i], w.lo, w.hi) - values[i]);
          assert.ok(err <= step + 1e-6, `${ch} layer ${k} dir ${d} [${i}]: code ${w.data[i]} decodes to ${dequantize(w.data[i], w.lo, w.hi)}, exact ${values[i]}`);
        }
        assert.ok(w.lo <= min + 1e-6 && w.hi >= max - 1e-6, `${ch} range [${w.lo}, ${w.hi}] covers [${min}, ${max}]`);
      }
    }
  }
}

describe('engine: compact store', function () {
  this.timeout(60_000);
  it('every channel of a peephole projected stack decodes to within one code of the exact value', () => {
    const cell: CellSpec = { ...LSTM, peephole: true, projSize: 2 };
    assertWindowsDecode(runNetwork(randomNetwork(cell, STACK, 4), randomInput(70, 3, 8, 6), { checkpointEvery: 16 }));
  });

  it('unbounded channels (relu h) with very different chunk ranges still decode within one code', () => {
    const cell: CellSpec = { ...LSTM, family: 'rnn', nonlinearity: 'relu' };
    const x = randomInput(64, 3, 2);
    for (let i = 32 * 3; i < x.length; i++) x[i] *= 50; // second half: much larger activations
    assertWindowsDecode(runNetwork(randomNetwork(cell, STACK, 5), x, { checkpointEvery: 8 }));
  });

  it('a window of part of the trace equals that part of the full window', () => {
    const trace = runNetwork(randomNetwork(LSTM, STACK, 1), randomInput(30, 3, 4), { checkpointEvery: 4 });
    const full = trace.window(1, 1, 'c', 0, 30);
    const part = trace.window(1, 1, 'c', 9, 22);
    assert.deepStrictEqual(part.data, full.data.slice(9 * 5, 22 * 5));
    assert.strictEqual(trace.window(0, 0, 'i', 3, 3).data.length, 0);
  });

  it('fixed ranges: σ gates 0..1, tanh candidate −1..1', () => {
    const trace = runNetwork(randomNetwork(LSTM, STACK, 1), randomInput(5, 3, 4));
    assert.deepStrictEqual([trace.window(0, 0, 'f', 0, 5).lo, trace.window(0, 0, 'f', 0, 5).hi], [0, 1]);
    assert.deepStrictEqual([trace.window(0, 0, 'g', 0, 5).lo, trace.window(0, 0, 'g', 0, 5).hi], [-1, 1]);
  });
});

describe('engine: transfer', function () {
  this.timeout(60_000);
  for (const shared of [false, true]) {
    it(`toTransfer → structuredClone → fromTransfer gives the same windows and exact steps (${shared ? 'shared' : 'transferred'} buffers)`, () => {
      const { spec, net } = loadFixture('char_gru_public');
      const trace = runNetwork(net, spec.x!, { checkpointEvery: 16, shared });
      const before = { w: trace.window(0, 0, 'h', 0, trace.steps), s: trace.exactStep(100), meta: structuredClone(trace.meta) };
      const t = trace.toTransfer();
      const moved = structuredClone(t, { transfer: transferList(t) });
      const copy = TraceClass.fromTransfer(moved);
      assert.deepStrictEqual(copy.meta, before.meta);
      assert.deepStrictEqual(copy.window(0, 0, 'h', 0, copy.steps), before.w);
      assert.deepStrictEqual(copy.exactStep(100), before.s);
      assert.strictEqual(copy.meta.inputEncoding, 'one-hot');
    });
  }

  it('a corrupt transfer is one clear error', () => {
    const trace = runNetwork(randomNetwork(LSTM, STACK, 1), randomInput(5, 3, 4));
    const t = trace.toTransfer();
    t.buffers[3] = new ArrayBuffer(3);
    assert.throws(() => TraceClass.fromTransfer(t), (e: Error) => e instanceof UnrollError && /corrupt/.test(e.message));
  });
});

describe('engine: decoder, progress, cancellation, errors', function () {
  this.timeout(60_000);
  it('logits of exactStep equal the trained fixture\'s; top-k is sorted softmax', () => {
    const { doc, spec, net } = loadFixture('char_lstm_public');
    const trace = runNetwork(net, spec.x!);
    for (const t of [0, 77, 255]) {
      const got = Array.from(trace.exactStep(t).logits!);
      const want: number[] = doc.expected.logits[t];
      got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) <= doc.tolerance * Math.max(1, Math.abs(want[i])), `logit ${t},${i}`));
      const top = topK(got, 5);
      assert.strictEqual(top[0].id, want.indexOf(Math.max(...want)));
      for (let i = 1; i < top.length; i++) assert.ok(top[i].prob <= top[i - 1].prob);
      const z = want.reduce((s, v) => s + Math.exp(v), 0);
      assert.ok(Math.abs(top[0].prob - Math.exp(want[top[0].id]) / z) < 1e-4);
    }
  });

  it('reports monotone progress ending at layers × directions × steps', () => {
    const seen: number[] = [];
    let total = 0;
    runNetwork(randomNetwork(LSTM, STACK, 1), randomInput(20, 3, 4), { checkpointEvery: 3, onProgress: (p) => { seen.push(p.done); total = p.total; } });
    assert.strictEqual(total, 20 * 2 * 2);
    assert.strictEqual(seen[seen.length - 1], total);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i] > seen[i - 1]);
  });

  it('stops with CancelledError when the signal is aborted mid-run', () => {
    const ac = new AbortController();
    let chunks = 0;
    assert.throws(
      () => runNetwork(randomNetwork(LSTM, STACK, 1), randomInput(100, 3, 4), { checkpointEvery: 5, signal: ac.signal, onProgress: () => { if (++chunks === 3) ac.abort(); } }),
      CancelledError,
    );
    assert.strictEqual(chunks, 3);
  });

  const bad: [string, () => unknown, RegExp][] = [
    ['NaN in x', () => runNetwork(randomNetwork(LSTM, STACK, 1), Float32Array.from([0, NaN, 0])), /x\[0\]\[1\] is NaN/],
    ['−Infinity in x (past the first four values)', () => runNetwork(randomNetwork(LSTM, STACK, 1), Float32Array.from([0, 1, 2, 3, 4, 5, -Infinity, 7, 8])), /x\[2\]\[0\] is -Infinity/],
    ['x not a whole number of steps', () => runNetwork(randomNetwork(LSTM, STACK, 1), new Float32Array(4)), /not a whole number of steps/],
    ['h0 of the wrong size', () => runNetwork(randomNetwork(LSTM, STACK, 1), new Float32Array(3), { h0: new Float32Array(5) }), /h0 has 5 values, expected 4 rows of 5/],
    ['c0 for a GRU', () => runNetwork(randomNetwork({ ...LSTM, family: 'gru' }, STACK, 1), new Float32Array(3), { c0: new Float32Array(20) }), /GRU has no cell state/],
    ['a channel the cell lacks', () => runNetwork(randomNetwork(LSTM, STACK, 1), new Float32Array(3)).window(0, 0, 'z' as Channel, 0, 1), /channel 'z' is not recorded/],
    ['a step past the end', () => runNetwork(randomNetwork(LSTM, STACK, 1), new Float32Array(3)).exactStep(1), /step 1 is outside/],
    ['a reverse direction of a one-way net', () => runNetwork(randomNetwork(LSTM, { ...STACK, bidirectional: false }, 1), new Float32Array(3)).window(0, 1, 'h', 0, 1), /direction 1 does not exist/],
  ];
  for (const [what, f, re] of bad) {
    it(`rejects ${what} with one clear line`, () => {
      assert.throws(f, (e: Error) => e instanceof UnrollError && re.test(e.message) && !e.message.includes('\n'));
    });
  }
});
