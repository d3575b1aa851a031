import * as assert from 'assert';
import { createFastKernel } from '../../../src/engine/wasm';
import { duoTeam } from '../../../src/engine/wasm/team';
import { WasmKernel } from '../../../src/engine/wasm/wasmKernel';
import type { CellSpec } from '../../../src/engine/types';
import { fixtureNames, runFixture } from './fixtures';
import { newRecord, randomDirection, randomRun, spec } from './random';

describe('wasm kernel on two threads (units split, one barrier per step)', () => {
  // minUnitsPerThread 1: split even the tiny fixture cells, so every code path runs on both threads.
  const duo = new WasmKernel(duoTeam(), { minUnitsPerThread: 1, chunkBytes: 4096 });
  const solo = new WasmKernel(undefined, { chunkBytes: 4096 });
  after(() => duo.dispose());

  const cases: [string, CellSpec][] = [
    ['LSTM peephole', spec('lstm', { peephole: true })],
    ['projected LSTM', spec('lstm', { projSize: 9 })],
    ['GRU reset-after', spec('gru')],
    ['GRU reset-before (Cho)', spec('gru', { resetAfter: false })],
    ['RNN tanh', spec('rnn')],
  ];
  for (const [label, cell] of cases) {
    for (const reverse of [false, true]) {
      it(`${label}${reverse ? ', reverse' : ''}: bit-identical to one thread`, () => {
        const w = randomDirection(cell, 37, 11, 40);
        const run = randomRun(cell, 37, 11, 90, 41, reverse);
        const a = newRecord(cell, 37, 90);
        const b = newRecord(cell, 37, 90);
        solo.runDirection(cell, w, run, a);
        duo.runDirection(cell, w, run, b);
        assert.deepStrictEqual(b, a);
      });
    }
  }

  it('passes every reference fixture', function () {
    this.timeout(30000); // 53 fixtures × several steps, each step a barrier: slow only on a loaded machine
    const failed = fixtureNames().filter((n) => runFixture(n, duo).mismatches.length > 0);
    assert.deepStrictEqual(failed, []);
  });
});

describe('createFastKernel', () => {
  it('gives the wasm kernel here (Node 20 has wasm SIMD and shared memory), two-thread when asked', () => {
    const one = createFastKernel();
    const two = createFastKernel({ threads: 2 });
    try {
      assert.strictEqual(one.name, 'wasm-simd');
      assert.strictEqual(two.name, 'wasm-simd'); // same arithmetic: a trace recorded by either is recomputed by either
      assert.strictEqual(two.threads, 2);
      const cell = spec('lstm');
      const w = randomDirection(cell, 8, 3, 60);
      const run = randomRun(cell, 8, 3, 12, 61);
      const a = newRecord(cell, 8, 12);
      const b = newRecord(cell, 8, 12);
      one.runDirection(cell, w, run, a);
      two.runDirection(cell, w, run, b);
      assert.deepStrictEqual(b, a);
    } finally {
      one.dispose();
      two.dispose();
    }
  });
});
