import * as assert from 'assert';
import { argIs, cmpIv, fnIv, MAYBE, NO, opIv, R, reduceIv, YES } from '../../../src/expr/interval';
import { apply, apply1, FN, OP, type FnCode, type OpCode } from '../../../src/expr/typed';
import { VECTOR_REDUCERS } from '../../../src/expr/builtins';
import { mulberry32 } from '../../../src/model/random';
import { codeOf, exactTables } from '../../../src/expr/codeTables';
import { quantizeRows } from '../../../src/engine/quantize';

const rnd = mulberry32(20261127);
/** A float32 in a mix of scales, signs and exact values (0, ±1, tiny, large). */
function value(): number {
  const k = rnd();
  if (k < 0.1) return [0, 1, -1, 0.5, -0.25][Math.floor(rnd() * 5)];
  const mag = k < 0.2 ? 1e-30 : k < 0.3 ? 1e20 : k < 0.6 ? 1 : 8;
  return Math.fround((rnd() * 2 - 1) * mag);
}
/** An interval, a point one time in five, with float32 values inside it. */
function interval(): { lo: number; hi: number; inside: () => number } {
  const a = value();
  const b = rnd() < 0.2 ? a : value();
  const lo = Math.min(a, b), hi = Math.max(a, b);
  return { lo, hi, inside: () => (rnd() < 0.2 ? (rnd() < 0.5 ? lo : hi) : Math.min(hi, Math.max(lo, Math.fround(lo + rnd() * (hi - lo))))) };
}
const contains = (lo: number, hi: number, v: number): boolean => (lo !== lo || hi !== hi ? true : v !== v ? false : lo <= v && v <= hi);

describe('interval arithmetic encloses what the exact evaluator computes', function () {
  this.timeout(30_000); // randomized: thousands of cases, slow on a loaded machine
  it('arithmetic and min/max: every result of values inside lies inside (or the result is poisoned)', () => {
    for (let n = 0; n < 8000; n++) {
      const op = [OP.add, OP.sub, OP.mul, OP.div, OP.mod, OP.min, OP.max][n % 7] as OpCode;
      const a = interval(), b = interval();
      opIv(op, a.lo, a.hi, b.lo, b.hi);
      const lo = R.lo, hi = R.hi;
      for (let k = 0; k < 4; k++) {
        const x = a.inside(), y = b.inside();
        const v = apply(op, x, y);
        assert.ok(contains(lo, hi, v), `op ${op}: [${a.lo}, ${a.hi}] ∘ [${b.lo}, ${b.hi}] = [${lo}, ${hi}] misses ${x} ∘ ${y} = ${v}`);
      }
      if (a.lo === a.hi && b.lo === b.hi) assert.ok(Object.is(lo, apply(op, a.lo, b.lo)) && Object.is(hi, lo), 'points are exact');
    }
  });
  it('comparisons: YES and NO are never wrong; points always decide', () => {
    for (let n = 0; n < 8000; n++) {
      const op = (OP.lt + (n % 6)) as OpCode;
      const a = interval(), b = interval();
      const r = cmpIv(op, a.lo, a.hi, b.lo, b.hi);
      for (let k = 0; k < 4; k++) {
        const x = a.inside(), y = b.inside();
        if (r !== MAYBE) assert.strictEqual(apply(op, x, y), r === YES ? 1 : 0, `op ${op} on ${x}, ${y}`);
      }
      if (a.lo === a.hi && b.lo === b.hi) assert.notStrictEqual(r, MAYBE);
    }
    assert.strictEqual(cmpIv(OP.lt, NaN, NaN, 0, 0), MAYBE, 'poisoned values are undecided');
  });
  it('functions: abs, sqrt, exp, log, tanh, sigmoid, negation', () => {
    for (let n = 0; n < 8000; n++) {
      const fn = (n % 7) as FnCode;
      const a = interval();
      fnIv(fn, a.lo, a.hi);
      const lo = R.lo, hi = R.hi;
      for (let k = 0; k < 4; k++) {
        const x = a.inside();
        assert.ok(contains(lo, hi, apply1(fn, x)), `fn ${fn}: [${a.lo}, ${a.hi}] → [${lo}, ${hi}] misses f(${x}) = ${apply1(fn, x)}`);
      }
    }
    fnIv(FN.log, -1, 2);
    assert.ok(Number.isNaN(R.lo), 'log of a range reaching below 0 may be NaN: poisoned');
  });
  it('reductions (mean, sum, min, max, std, norm, argmax, argmin) and argmax == k over vectors of intervals', () => {
    for (let n = 0; n < 800; n++) {
      const len = 1 + Math.floor(rnd() * 40);
      const ivs = Array.from({ length: len }, interval);
      const v = new Float64Array(2 * len);
      ivs.forEach((iv, i) => ((v[i] = iv.lo), (v[len + i] = iv.hi)));
      const samples = Array.from({ length: 4 }, () => Float64Array.from(ivs, (iv) => iv.inside()));
      for (const m of ['mean', 'sum', 'min', 'max', 'std', 'norm', 'argmax', 'argmin']) {
        reduceIv(m, v, len);
        const lo = R.lo, hi = R.hi;
        for (const s of samples) assert.ok(contains(lo, hi, VECTOR_REDUCERS[m](s, len)), `${m} of ${len}: [${lo}, ${hi}] misses ${VECTOR_REDUCERS[m](s, len)}`);
      }
      for (const m of ['argmax', 'argmin'] as const) {
        for (let k = 0; k < len; k++) {
          const r = argIs(m, v, len, k);
          if (r !== MAYBE) for (const s of samples) assert.strictEqual(VECTOR_REDUCERS[m](s, len) === k, r === YES, `${m} == ${k}`);
        }
      }
    }
    // One unit clearly above the rest: argmax is decided, and not by the hull of the candidates.
    const v = Float64Array.of(0, 0.9, 0.1, 0.2, 0.5, 0.95, 0.3, 0.4);
    assert.strictEqual(argIs('argmax', v, 4, 1), YES);
    assert.strictEqual(argIs('argmax', v, 4, 2), NO);
    assert.strictEqual(argIs('argmax', v, 4, 4.5), NO);
    assert.strictEqual(argIs('argmax', Float64Array.of(0.8, 0.9, 0.92, 0.95), 2, 1), MAYBE);
  });
});

describe('exact code tables: which float32 values each 8-bit code stands for', function () {
  this.timeout(30_000);
  it('the store\'s own quantizer (quantizeRows) codes every value inside its code\'s [first, last], ties included', () => {
    const ranges: [number, number][] = [[0, 1], [-1, 1], [-3.25, 7.5], [Math.fround(0.1), Math.fround(0.10001)], [-1e-30, 1e-30], [Math.fround(1000), Math.fround(1000.5)]];
    for (let k = 0; k < 30; k++) ranges.push([Math.fround(-rnd() * 10 ** (rnd() * 6 - 3)), Math.fround(rnd() * 10 ** (rnd() * 6 - 3))]);
    const lutLo = new Float64Array(256), lutHi = new Float64Array(256);
    for (const [lo, hi] of ranges) {
      exactTables(lo, hi, lutLo, lutHi);
      const vals = Float32Array.from({ length: 4000 }, (_, i) => (i < 256 ? lutLo[i] : i < 512 ? lutHi[i - 256] : lo + rnd() * (hi - lo)));
      vals.set([lo, hi, 0.5, 0.1, 0].filter((v) => v >= lo && v <= hi), 0);
      const codes = new Uint8Array(vals.length);
      quantizeRows(vals, vals.length, 1, 1, 0, lo, hi, codes, 0);
      vals.forEach((v, i) => {
        if (v < lo || v > hi) return;
        assert.strictEqual(codeOf(v, lo, 255 / (hi - lo)), codes[i], `code of ${v} in ${lo}..${hi}`);
        assert.ok(lutLo[codes[i]] <= v && v <= lutHi[codes[i]], `${v} (code ${codes[i]}) outside [${lutLo[codes[i]]}, ${lutHi[codes[i]]}] for ${lo}..${hi}`);
      });
    }
    // Gates (0..1): 0.1 falls between codes 25 and 26, 0.5 is a tie that rounds to 128 (even).
    exactTables(0, 1, lutLo, lutHi);
    assert.ok(lutHi[25] < 0.1 && lutLo[26] > 0.1);
    assert.strictEqual(lutLo[128], 0.5);
    assert.ok(lutHi[127] < 0.5);
  });
});
