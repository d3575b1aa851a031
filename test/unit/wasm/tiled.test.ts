import * as assert from 'assert';
import { referenceKernel } from '../../../src/engine/kernels/reference';
import { tiledKernel } from '../../../src/engine/kernels/tiled';
import type { CellSpec } from '../../../src/engine/types';
import { fixtureNames, runFixture } from './fixtures';
import { maxScaledDiff, newRecord, randomDirection, randomRun, spec } from './random';

describe('tiled TypeScript kernel (fallback without wasm SIMD)', () => {
  for (const name of fixtureNames()) {
    it(`fixture ${name}`, function () {
      this.timeout(10000);
      const { mismatches, compared } = runFixture(name, tiledKernel);
      assert.ok(compared > 0);
      assert.deepStrictEqual(mismatches, []);
    });
  }

  const cases: [string, CellSpec][] = [
    ['CIFG keep-forget with peepholes', spec('lstm', { coupling: 'keep-forget', peephole: true })],
    ['LSTM with clip 0.7', spec('lstm', { clip: 0.7 })],
    ['GRU reset-before (Cho) with clip 0.5', spec('gru', { resetAfter: false, clip: 0.5 })],
    ['projected LSTM P = 5', spec('lstm', { projSize: 5 })],
    ['RNN relu', spec('rnn', { nonlinearity: 'relu' })],
    // no peepholes: the row-pass path with the inline exp
    ['LSTM', spec('lstm')],
    ['LSTM keep-input, clip 1.5', spec('lstm', { coupling: 'keep-input', clip: 1.5 })],
    ['GRU', spec('gru')],
    ['RNN tanh', spec('rnn')],
  ];
  for (const [label, cell] of cases) {
    for (const reverse of [false, true]) {
      // T = 300 crosses the 128-step projection chunks; H = 13 leaves a remainder after the 4-row tiles.
      it(`${label}${reverse ? ', reverse' : ''}: matches the reference kernel over 300 steps`, () => {
        const w = randomDirection(cell, 13, 7, 50);
        const run = randomRun(cell, 13, 7, 300, 51, reverse);
        const a = newRecord(cell, 13, 300);
        const b = newRecord(cell, 13, 300);
        referenceKernel.runDirection(cell, w, run, a);
        tiledKernel.runDirection(cell, w, run, b);
        assert.ok(maxScaledDiff(b, a) <= 1e-5);
      });
    }
  }

  it('saturates at huge pre-activations: σ exactly 0 or 1, tanh exactly ±1, C finite, no NaN', () => {
    for (const cell of [spec('lstm'), spec('gru')]) {
      const w = randomDirection(cell, 8, 3, 9, 0.5);
      const run = randomRun(cell, 8, 3, 20, 10);
      run.x.forEach((_, i, x) => (x[i] = (i % 2 ? 1 : -1) * 1e30));
      const rec = newRecord(cell, 8, 20);
      tiledKernel.runDirection(cell, w, run, rec);
      for (const v of rec.gates) assert.ok(v === 0 || v === 1 || v === -1, `gate ${v}`);
      for (const v of [...rec.h, ...rec.c]) assert.ok(Number.isFinite(v), `state ${v}`);
    }
  });
});
