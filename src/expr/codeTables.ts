/**
 * Which float32 values an 8-bit code can stand for, exactly. The store (quantize.ts, and the wasm
 * quantizer with the same arithmetic) codes v as ToUint8Clamp((v − lo) · scale) in float64, scale =
 * 255 / (hi − lo): round half to even, a non-decreasing function of v. So the float32 values of code q
 * form one run [first, last]; we find its ends by evaluating that same function a few ulps around the
 * real boundary. Exact ends matter: round thresholds (0.1, 0.5, 0.9 on a gate, 0 on h) fall exactly
 * between two codes, and only exact ends tell that code 25 means "below 0.1" and 26 "above it".
 */
import { QMAX } from '../engine/quantize';

const F = new Float32Array(1);
const U = new Uint32Array(F.buffer);

/** float32 ↔ an integer in the same order (…, −tiny → −1, ±0 → 0, tiny → 1, …). */
function ord(x: number): number {
  F[0] = x;
  const b = U[0];
  return b >= 0x80000000 ? -(b & 0x7fffffff) : b;
}
function fromOrd(k: number): number {
  U[0] = k >= 0 ? k : (-k | 0x80000000) >>> 0;
  return F[0];
}

/** The store's code of v: ToUint8Clamp((v − lo) · scale), as Uint8ClampedArray and f64.nearest compute it. */
export function codeOf(v: number, lo: number, scale: number): number {
  const y = (v - lo) * scale;
  if (!(y > 0)) return 0;
  if (y >= QMAX) return QMAX;
  const f = Math.floor(y);
  const d = y - f;
  return d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
}

/**
 * The smallest float32 in (lo, hi] whose code is at least q (1 <= q <= 255): from the real
 * boundary's float32, widening steps in float32 order until the boundary is bracketed, then bisection
 * (usually two or three evaluations; near 0 many float32s share a code, and bisection keeps it short).
 */
function firstAtLeast(q: number, lo: number, hi: number, scale: number): number {
  // lo codes 0 and hi codes 255, so for 1 <= q <= 255 the answer lies in (lo, hi].
  const kLo = ord(lo), kHi = ord(hi);
  let g = Math.min(kHi, Math.max(kLo + 1, ord(Math.fround(lo + (q - 0.5) / scale))));
  let below: number, above: number; // code(below) < q <= code(above)
  if (codeOf(fromOrd(g), lo, scale) >= q) {
    above = g;
    for (let step = 1; ; step *= 2) {
      const k = Math.max(kLo, above - step);
      if (k === kLo || codeOf(fromOrd(k), lo, scale) < q) { below = k; break; }
      above = k;
    }
  } else {
    below = g;
    for (let step = 1; ; step *= 2) {
      const k = Math.min(kHi, below + step);
      if (k === kHi || codeOf(fromOrd(k), lo, scale) >= q) { above = k; break; }
      below = k;
    }
  }
  while (above - below > 1) {
    g = Math.floor((above + below) / 2);
    if (codeOf(fromOrd(g), lo, scale) >= q) above = g;
    else below = g;
  }
  return fromOrd(above);
}

/**
 * lutLo[q], lutHi[q]: the least and greatest float32 in [lo, hi] coded q (lo, hi float32 with lo < hi).
 * A code no float32 maps to gets a point (it never occurs).
 */
export function exactTables(lo: number, hi: number, lutLo: Float64Array, lutHi: Float64Array): void {
  const scale = QMAX / (hi - lo);
  let start = lo;
  for (let q = 0; q <= QMAX; q++) {
    const next = q === QMAX ? Infinity : firstAtLeast(q + 1, lo, hi, scale);
    const last = next === Infinity ? hi : fromOrd(ord(next) - 1);
    lutLo[q] = start;
    lutHi[q] = last >= start ? last : start;
    if (next !== Infinity) start = Math.max(start, next);
    else start = hi;
  }
}
