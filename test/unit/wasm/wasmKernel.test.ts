import * as assert from 'assert';
import { WasmKernel } from '../../../src/engine/wasm/wasmKernel';
import type { DirectionWeights } from '../../../src/engine/types';
import { fixtureNames, runFixture } from './fixtures';
import { newRecord, randomDirection, randomRun, spec } from './random';

describe('wasm SIMD kernel: every reference fixture', () => {
  const kernel = new WasmKernel();
  const names = fixtureNames();
  it('finds the fixtures', () => assert.ok(names.length >= 50, `only ${names.length} fixtures`));
  for (const name of names) {
    it(name, function () {
      this.timeout(10000);
      const { mismatches, compared } = runFixture(name, kernel);
      assert.ok(compared > 0);
      assert.deepStrictEqual(mismatches, []);
    });
  }
});

describe('wasm SIMD kernel: packed weights reused by content', () => {
  const cell = spec('lstm', { peephole: true, projSize: 3 });
  const [H, In, T] = [6, 4, 9];
  const run = randomRun(cell, H, In, T, 2);
  const copy = (w: DirectionWeights): DirectionWeights => ({ W: w.W.slice(), R: w.R.slice(), bW: w.bW.slice(), bR: w.bR.slice(), P: w.P!.slice(), Wproj: w.Wproj!.slice() });
  const result = (k: WasmKernel, w: DirectionWeights) => {
    const rec = newRecord(cell, H, T);
    k.runDirection(cell, w, run, rec);
    return rec;
  };

  const check = () => {
    const kernel = new WasmKernel();
    const w = randomDirection(cell, H, In, 5);
    w.bR[3] = 0;
    const first = result(kernel, w);
    assert.deepStrictEqual(result(kernel, copy(w)), first);
    for (const [key, i, v] of [['W', 7, 0.25], ['R', 0, -0.5], ['bW', 2, 1], ['bR', 3, -0], ['P', 4, 0.125], ['Wproj', 5, 2]] as const) {
      const changed = copy(w);
      changed[key]![i] = v;
      assert.deepStrictEqual(result(kernel, changed), result(new WasmKernel(), changed), `${key}[${i}] = ${v}`);
      // (−0 for +0 in a bias sums to the same folded bias: equal to a fresh packing is all that can be asked)
      if (!Object.is(v, -0)) assert.notDeepStrictEqual(result(kernel, changed).h, first.h, `${key}[${i}] = ${v} should change h`);
    }
  };
  it('equal copies give the same records; a copy differing in one value of any tensor (even 0 vs −0) is not mistaken for it', check);
  it('the same without Node\'s Buffer (web hosts compare in JavaScript)', () => {
    const g = globalThis as { Buffer?: unknown };
    const saved = g.Buffer;
    g.Buffer = undefined;
    try {
      check();
    } finally {
      g.Buffer = saved;
    }
  });
});
