/**
 * Tracing with codes made inside the wasm kernel's memory (Kernel.runDirectionCoded) must store exactly what
 * the JavaScript store (quantize.ts) makes from the same kernel's float32 records: every code, every chunk
 * range, every checkpoint — across chunk borders, reverse directions, stacks, ±inf and both thread counts.
 */
import * as assert from 'assert';
import type { Kernel } from '../../../src/engine/kernel';
import { runNetwork, type Trace } from '../../../src/engine/trace';
import type { CellSpec, NetworkShape } from '../../../src/engine/types';
import { duoTeam } from '../../../src/engine/wasm/team';
import { WasmKernel } from '../../../src/engine/wasm/wasmKernel';
import { mulberry32, randomNetwork } from '../../../src/model/random';
import { spec } from './random';

/** The same kernel without its coding entry point: the Trace then quantises in JavaScript. */
function jsCoded(k: WasmKernel): Kernel {
  return { name: k.name, runDirection: (c, w, r, o) => k.runDirection(c, w, r, o) };
}

function input(T: number, In: number, seed: number, scale: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: T * In }, () => (2 * r() - 1) * scale);
}

function assertSameStore(a: Trace, b: Trace): void {
  assert.deepStrictEqual(a.meta, b.meta);
  const [ta, tb] = [a.toTransfer(), b.toTransfer()];
  assert.strictEqual(ta.buffers.length, tb.buffers.length);
  ta.buffers.forEach((buf, i) => assert.ok(Buffer.compare(Buffer.from(buf as ArrayBuffer), Buffer.from(tb.buffers[i] as ArrayBuffer)) === 0, `buffer ${i} differs`));
}

describe('wasm kernel: codes made in wasm memory equal the JavaScript store bit for bit', function () {
  this.timeout(60_000);
  // Tiny chunks: many kernel chunks per span, each a whole number of K-row blocks.
  const solo = new WasmKernel(undefined, { chunkBytes: 512 });
  const duo = new WasmKernel(duoTeam(), { chunkBytes: 512, minUnitsPerThread: 1 });
  after(() => duo.dispose());
  const shape: NetworkShape = { inputSize: 3, hiddenSize: 6, numLayers: 2, bidirectional: true };
  const cases: [string, CellSpec, number][] = [
    ['LSTM', spec('lstm'), 2],
    ['projected peephole LSTM (keep-input)', spec('lstm', { peephole: true, projSize: 4, coupling: 'keep-input' }), 6],
    ['GRU', spec('gru'), 2],
    ['Cho GRU', spec('gru', { resetAfter: false }), 2],
    ['tanh RNN', spec('rnn'), 2],
    ['relu RNN (unbounded h)', spec('rnn', { nonlinearity: 'relu' }), 30],
  ];
  for (const [label, cell, scale] of cases) {
    for (const K of [1, 7, 16]) {
      it(`${label}, 2-layer bidirectional, 75 steps, K = ${K}`, () => {
        const net = randomNetwork(cell, shape, 11);
        const x = input(75, 3, K + 3, scale);
        const js = runNetwork(net, x, { kernel: jsCoded(solo), checkpointEvery: K });
        assertSameStore(runNetwork(net, x, { kernel: solo, checkpointEvery: K }), js);
        assertSameStore(runNetwork(net, x, { kernel: duo, checkpointEvery: K }), js);
      });
    }
  }

  // Codes of fixed-range channels are made in the step loop: rows of whole 4-unit blocks (H = 8) and ragged ones.
  for (const [label, cell] of [['LSTM', spec('lstm')], ['GRU', spec('gru')], ['Cho GRU', spec('gru', { resetAfter: false })], ['tanh RNN', spec('rnn')]] as const) {
    for (const H of [8, 13]) {
      it(`${label}, H = ${H}, 1 layer bidirectional, 130 steps, K = 64: fused codes as the JavaScript store`, () => {
        const net = randomNetwork(cell, { inputSize: 5, hiddenSize: H, numLayers: 1, bidirectional: true }, H);
        const x = input(130, 5, H, 3);
        const js = runNetwork(net, x, { kernel: jsCoded(solo) });
        assertSameStore(runNetwork(net, x, { kernel: solo }), js);
        assertSameStore(runNetwork(net, x, { kernel: duo }), js);
      });
    }
  }

  it('LSTM with overflowing pre-activations (±inf, NaN gates): fused codes as the JavaScript store', () => {
    const cell = spec('lstm');
    const one: NetworkShape = { inputSize: 2, hiddenSize: 8, numLayers: 1, bidirectional: false };
    const x = input(40, 2, 5, 1);
    x[20] = 3e38;
    x[21] = 3e38; // both columns: +inf and −inf products meet in one sum → NaN
    const net = randomNetwork(cell, one, 4);
    net.layers[0][0].W.forEach((v, i, w) => (w[i] = v * 100));
    const js = runNetwork(net, x, { kernel: jsCoded(solo), checkpointEvery: 8 });
    const coded = runNetwork(net, x, { kernel: solo, checkpointEvery: 8 });
    const gates = js.exactRange(0, 40).layers[0].forward.gates;
    assert.ok(Object.values(gates).some((g) => g!.some((v) => Number.isNaN(v))), 'the input should make some gate NaN');
    assertSameStore(coded, js);
  });

  it('relu overflow to ±inf: ranges fall back to the finite values, as in JavaScript', () => {
    const cell = spec('rnn', { nonlinearity: 'relu' });
    const one: NetworkShape = { inputSize: 2, hiddenSize: 5, numLayers: 1, bidirectional: false };
    const x = input(40, 2, 9, 1);
    x[20] = 3e38; // step 10 overflows to ±inf (and NaN after it: inf − inf)
    const net = randomNetwork(cell, one, 3);
    net.layers[0][0].W.forEach((v, i, w) => (w[i] = v * 100)); // 3e38 × 100 overflows float32
    const js = runNetwork(net, x, { kernel: jsCoded(solo), checkpointEvery: 8 });
    const coded = runNetwork(net, x, { kernel: solo, checkpointEvery: 8 });
    assert.ok(coded.exactRange(0, 40).layers[0].forward.h.some((v) => v === Infinity), 'the input should overflow h');
    assertSameStore(coded, js);
    assert.ok(coded.meta.ranges[0][0].h!.every(Number.isFinite));
  });
});
