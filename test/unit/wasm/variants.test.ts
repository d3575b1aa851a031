import * as assert from 'assert';
import { referenceKernel } from '../../../src/engine/kernels/reference';
import { WasmKernel } from '../../../src/engine/wasm/wasmKernel';
import type { CellSpec } from '../../../src/engine/types';
import { maxScaledDiff, newRecord, randomDirection, randomRun, spec } from './random';

const TOL = 1e-5;

/** Run `cell` on both kernels with the same seeded weights and inputs; return the worst scaled difference. */
function compare(kernel: WasmKernel, cell: CellSpec, H: number, In: number, T: number, seed: number, reverse = false): number {
  const w = randomDirection(cell, H, In, seed);
  const run = randomRun(cell, H, In, T, seed + 1, reverse);
  const want = newRecord(cell, H, T);
  const got = newRecord(cell, H, T);
  referenceKernel.runDirection(cell, w, run, want);
  kernel.runDirection(cell, w, run, got);
  return maxScaledDiff(got, want);
}

describe('wasm SIMD kernel: variants beyond the fixtures, against the reference kernel', () => {
  const kernel = new WasmKernel();
  const cases: [string, CellSpec][] = [
    ['CIFG keep-forget (i = 1 − f)', spec('lstm', { coupling: 'keep-forget' })],
    ['CIFG keep-forget with peepholes', spec('lstm', { coupling: 'keep-forget', peephole: true })],
    ['LSTM with clip 0.7', spec('lstm', { clip: 0.7, peephole: true })],
    ['GRU reset-after with clip 0.5', spec('gru', { clip: 0.5 })],
    ['GRU reset-before (Cho) with clip 0.5', spec('gru', { resetAfter: false, clip: 0.5 })],
    ['RNN relu with clip 1', spec('rnn', { nonlinearity: 'relu', clip: 1 })],
    ['projected LSTM P = 5, H = 13', spec('lstm', { projSize: 5 })],
  ];
  for (const [label, cell] of cases) {
    it(label, () => assert.ok(compare(kernel, cell, 13, 7, 30, 11) <= TOL));
  }

  it('many kernel chunks forward and reverse (chunks of 7 steps, T = 60)', () => {
    const small = new WasmKernel(undefined, { chunkBytes: 7 * 8 * 64 });
    assert.ok(compare(small, spec('lstm'), 30, 12, 60, 5) <= TOL);
    assert.ok(compare(small, spec('lstm'), 30, 12, 60, 6, true) <= TOL);
    assert.ok(compare(small, spec('gru', { resetAfter: false }), 30, 12, 60, 7, true) <= TOL);
  });

  it('GRU both conventions at H = 70 (not a multiple of 4), reverse', () => {
    assert.ok(compare(kernel, spec('gru'), 70, 33, 40, 8, true) <= TOL);
    assert.ok(compare(kernel, spec('gru', { resetAfter: false }), 70, 33, 40, 9, true) <= TOL);
  });

  // Two steps only: with weights this large the recurrence is chaotic and amplifies float32 rounding.
  it('saturated gates stay finite and exact (weights ±200)', () => {
    const cell = spec('lstm', { peephole: true });
    const w = randomDirection(cell, 9, 5, 3, 200);
    const run = randomRun(cell, 9, 5, 2, 4);
    const want = newRecord(cell, 9, 2);
    const got = newRecord(cell, 9, 2);
    referenceKernel.runDirection(cell, w, run, want);
    kernel.runDirection(cell, w, run, got);
    assert.ok(got.gates.some((v) => v === 0 || v === 1), 'expected saturated gates');
    assert.ok(maxScaledDiff(got, want) <= TOL);
  });

  it('a run split into calls carrying h and C equals one call (how the Trace drives kernels)', () => {
    const cell = spec('lstm');
    const w = randomDirection(cell, 20, 6, 21);
    const run = randomRun(cell, 20, 6, 100, 22);
    const whole = newRecord(cell, 20, 100);
    kernel.runDirection(cell, w, run, whole);
    const first = newRecord(cell, 20, 64);
    kernel.runDirection(cell, w, { ...run, steps: 64, x: run.x.subarray(0, 64 * 6) }, first);
    const rest = newRecord(cell, 20, 36);
    kernel.runDirection(cell, w, { ...run, steps: 36, x: run.x.subarray(64 * 6), h0: first.h.slice(63 * 20), c0: first.c.slice(63 * 20) }, rest);
    assert.deepStrictEqual(rest.h, whole.h.slice(64 * 20));
    assert.deepStrictEqual(rest.c, whole.c.slice(64 * 20));
  });

  it('tracing off returns the same final state as the traced run', () => {
    const cell = spec('gru');
    const w = randomDirection(cell, 24, 8, 31);
    const run = randomRun(cell, 24, 8, 77, 32);
    const rec = newRecord(cell, 24, 77);
    const traced = kernel.run(cell, w, run, rec);
    assert.deepStrictEqual(traced.h, rec.h.slice(76 * 24));
    const k2 = new WasmKernel();
    k2.tracing = false;
    assert.deepStrictEqual(k2.run(cell, w, run).h, traced.h);
  });

  it('bad shapes give one clear error', () => {
    const cell = spec('lstm');
    const w = randomDirection(cell, 4, 3, 1);
    const run = randomRun(cell, 4, 3, 5, 2);
    assert.throws(() => kernel.runDirection(cell, w, { ...run, inputSize: 2 }, newRecord(cell, 4, 5)), /Kernel input W has 48 values, expected 32\./);
    assert.throws(() => kernel.runDirection(cell, w, run, newRecord(cell, 4, 4)), /Kernel record h has room for 16 values, needs 20\./);
  });
});

describe('wasm SIMD kernel: one-hot inputs', () => {
  it('gathering W columns is bit-identical to the GEMM, forward and reverse, across chunks', () => {
    const gather = new WasmKernel(undefined, { chunkBytes: 4096 });
    const gemm = new WasmKernel(undefined, { chunkBytes: 4096, oneHot: false });
    for (const cell of [spec('lstm'), spec('gru'), spec('gru', { resetAfter: false })]) {
      for (const reverse of [false, true]) {
        const w = randomDirection(cell, 21, 9, 70);
        const run = randomRun(cell, 21, 9, 80, 71, reverse);
        run.x = new Float32Array(80 * 9);
        for (let t = 0; t < 80; t++) run.x[t * 9 + ((t * 7) % 9)] = 1;
        const a = newRecord(cell, 21, 80);
        const b = newRecord(cell, 21, 80);
        gemm.runDirection(cell, w, run, a);
        gather.runDirection(cell, w, run, b);
        assert.deepStrictEqual(b, a);
        const ref = newRecord(cell, 21, 80);
        referenceKernel.runDirection(cell, w, run, ref);
        assert.ok(maxScaledDiff(b, ref) <= TOL);
      }
    }
  });

  it('a chunk with one dense row takes the GEMM (same result as the reference)', () => {
    const cell = spec('lstm');
    const w = randomDirection(cell, 10, 5, 72);
    const run = randomRun(cell, 10, 5, 12, 73);
    run.x = new Float32Array(12 * 5);
    for (let t = 0; t < 12; t++) run.x[t * 5 + (t % 5)] = 1;
    run.x[7 * 5 + 1] = 0.5; // row 7: not one-hot
    const a = newRecord(cell, 10, 12);
    const ref = newRecord(cell, 10, 12);
    new WasmKernel().runDirection(cell, w, run, a);
    referenceKernel.runDirection(cell, w, run, ref);
    assert.ok(maxScaledDiff(a, ref) <= TOL);
  });
});
