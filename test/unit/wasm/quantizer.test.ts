import * as assert from 'assert';
import { finiteRange, quantizeRows } from '../../../src/engine/quantize';
import { createSimdQuantizer } from '../../../src/engine/wasm/quantizer';
import { rng } from './random';

describe('SIMD quantizer: bit-identical to the Trace store (src/engine/quantize.ts)', () => {
  const q = createSimdQuantizer();

  /** Rows with normal values plus the awkward ones: exact .5 code boundaries, NaN, outside the range. */
  function data(n: number, seed: number, lo: number, hi: number): Float32Array {
    const r = rng(seed);
    const step = (hi - lo) / 255;
    return Float32Array.from({ length: n }, (_, i) => {
      const k = i % 11;
      if (k === 3) return lo + (Math.floor(r() * 255) + 0.5) * step; // halfway between two codes
      if (k === 5) return NaN;
      if (k === 7) return lo - 1 - r();
      if (k === 9) return hi + 1 + r();
      return lo + r() * (hi - lo);
    });
  }

  for (const [width, stride, off] of [[128, 512, 128], [13, 40, 5], [1, 3, 2], [4, 4, 0], [7, 7, 0]]) {
    it(`codes: width ${width}, stride ${stride}, offset ${off}`, () => {
      const rows = 17;
      const src = data(off + rows * stride, width + stride, -2.5, 3.25);
      const a = new Uint8Array(rows * width + 3);
      const b = new Uint8Array(rows * width + 3);
      quantizeRows(src, rows, width, stride, off, -2.5, 3.25, a, 3);
      q.quantizeRows(src, rows, width, stride, off, -2.5, 3.25, b, 3);
      assert.deepStrictEqual(b, a);
      assert.ok(a.includes(0) && a.includes(255), 'the data should reach both ends of the code range');
    });
    it(`range: width ${width}, stride ${stride}, offset ${off} (NaN ignored)`, () => {
      const src = data(off + 9 * stride, width * 3 + 1, -7, 4);
      assert.deepStrictEqual(q.finiteRange(src, 9, width, stride, off), finiteRange(src, 9, width, stride, off));
    });
  }

  it('range with ±inf falls back to the finite values, like the JS version', () => {
    const src = Float32Array.from([1, Infinity, -3, 2, -Infinity, 0.5, NaN, 4]);
    assert.deepStrictEqual(q.finiteRange(src, 2, 4, 4, 0), [-3, 4]);
    assert.deepStrictEqual(q.finiteRange(Float32Array.from([NaN, NaN]), 1, 2, 2, 0), [0, 0]);
  });

  it('exact ties round half to even, as the JS store does (floor(x + 0.5) would not)', () => {
    // lo 0, hi 255: scale 1, so v is the code itself; 0.5 → 0, 1.5 → 2, 2.5 → 2, 127.5 → 128
    const src = Float32Array.from([0.5, 1.5, 2.5, 3.5, 127.5, 254.5, 7, 8.25]);
    const a = new Uint8Array(8);
    const b = new Uint8Array(8);
    quantizeRows(src, 1, 8, 8, 0, 0, 255, a, 0);
    q.quantizeRows(src, 1, 8, 8, 0, 0, 255, b, 0);
    assert.deepStrictEqual([...a], [0, 2, 2, 4, 128, 254, 7, 8]);
    assert.deepStrictEqual([...b], [...a]);
  });

  it('every float32 within 40 ulps of each code boundary, ±inf and huge values: as in JS (σ, tanh and a data range)', () => {
    for (const [lo, hi] of [[0, 1], [-1, 1], [-3.75, 12.5]]) {
      const vals: number[] = [Infinity, -Infinity, 3e38, -3e38, 1e-45, -1e-45, 0, -0, NaN];
      const bits = new Float32Array(1);
      const int = new Int32Array(bits.buffer);
      for (let k = 0; k <= 255; k++) {
        bits[0] = lo + ((k + 0.5) * (hi - lo)) / 255; // the float32 nearest the boundary between codes k and k + 1
        const mid = int[0];
        for (let u = -40; u <= 40; u++) {
          int[0] = mid + (bits[0] < 0 ? -u : u);
          vals.push(bits[0]);
          int[0] = mid;
        }
      }
      const src = Float32Array.from(vals);
      const a = new Uint8Array(src.length);
      const b = new Uint8Array(src.length);
      quantizeRows(src, 1, src.length, src.length, 0, lo, hi, a, 0);
      q.quantizeRows(src, 1, src.length, src.length, 0, lo, hi, b, 0);
      const bad = a.findIndex((v, i) => v !== b[i]);
      assert.strictEqual(bad, -1, `value ${src[bad]} in [${lo}, ${hi}]: wasm code ${b[bad]}, JS ${a[bad]}`);
    }
  });

  it('an empty range (hi = lo) gives code 0, as in JS', () => {
    const src = Float32Array.from([1, 1, 1, 1, 1]);
    const a = new Uint8Array(5).fill(9);
    q.quantizeRows(src, 1, 5, 5, 0, 1, 1, a, 0);
    assert.deepStrictEqual([...a], [0, 0, 0, 0, 0]);
  });
});
