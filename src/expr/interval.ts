/**
 * Interval arithmetic for condition pre-screening (bounds.ts). Every result encloses what the exact
 * evaluator (typed.ts, builtins.ts) computes in float64 for any values inside the operand intervals:
 * rounding is covered by widening each computed end outward, and a result that could be NaN is "poisoned"
 * (NaN bounds), which every comparison reads as "unknown" — so a screen never decides a step wrongly.
 * Point intervals (lo === hi, e.g. t, x, constants) go through the exact evaluator's own functions, so
 * they give bit-identical points.
 */
import { apply, apply1, OP, type OpCode, type FnCode, FN } from './typed';
import { VECTOR_REDUCERS } from './builtins';

/** Tri-state truth: definitely false, definitely true, or unknown (needs the exact values). */
export const NO = 0;
export const YES = 1;
export const MAYBE = 2;
export type Tri = 0 | 1 | 2;

/** Result registers of the scalar operations below (no allocation per step). */
export const R = { lo: 0, hi: 0 };

const REL = 1e-15; // > 4 float64 roundings relative to the end's magnitude
const ABS = 1e-300;

export function down(x: number): number {
  return x > -Infinity && x < Infinity ? x - (x < 0 ? -x : x) * REL - ABS : x;
}
export function up(x: number): number {
  return x > -Infinity && x < Infinity ? x + (x < 0 ? -x : x) * REL + ABS : x;
}

function set(lo: number, hi: number): void {
  R.lo = down(lo);
  R.hi = up(hi);
}

/** [alo, ahi] op [blo, bhi] into R for arithmetic ops (add … max). */
export function opIv(op: OpCode, alo: number, ahi: number, blo: number, bhi: number): void {
  if (alo === ahi && blo === bhi) {
    R.lo = R.hi = apply(op, alo, blo);
    return;
  }
  switch (op) {
    case OP.add:
      return set(alo + blo, ahi + bhi);
    case OP.sub:
      return set(alo - bhi, ahi - blo);
    case OP.mul: {
      const p = alo * blo, q = alo * bhi, r = ahi * blo, s = ahi * bhi;
      return set(Math.min(p, q, r, s), Math.max(p, q, r, s));
    }
    case OP.div: {
      if (blo <= 0 && bhi >= 0) return poison(); // ±Infinity or NaN possible
      const p = alo / blo, q = alo / bhi, r = ahi / blo, s = ahi / bhi;
      return set(Math.min(p, q, r, s), Math.max(p, q, r, s));
    }
    case OP.mod: {
      // x % y has the sign of x and |x % y| < |y|, |x % y| <= |x|; fmod itself is exact.
      if ((blo <= 0 && bhi >= 0) || !(alo > -Infinity && ahi < Infinity)) return poison();
      const m = Math.max(-blo, bhi);
      R.lo = alo >= 0 ? 0 : Math.max(alo, -m);
      R.hi = ahi <= 0 ? 0 : Math.min(ahi, m);
      return;
    }
    case OP.min:
      R.lo = Math.min(alo, blo);
      R.hi = Math.min(ahi, bhi);
      return;
    default:
      R.lo = Math.max(alo, blo);
      R.hi = Math.max(ahi, bhi);
      return;
  }
}

export function poison(): void {
  R.lo = NaN;
  R.hi = NaN;
}

/** Comparison (lt … ne) of two intervals as a tri-state; NaN bounds are unknown. */
export function cmpIv(op: OpCode, alo: number, ahi: number, blo: number, bhi: number): Tri {
  if (alo !== alo || ahi !== ahi || blo !== blo || bhi !== bhi) return MAYBE;
  switch (op) {
    case OP.lt:
      return ahi < blo ? YES : alo >= bhi ? NO : MAYBE;
    case OP.le:
      return ahi <= blo ? YES : alo > bhi ? NO : MAYBE;
    case OP.gt:
      return alo > bhi ? YES : ahi <= blo ? NO : MAYBE;
    case OP.ge:
      return alo >= bhi ? YES : ahi < blo ? NO : MAYBE;
    case OP.eq:
      return ahi < blo || alo > bhi ? NO : alo === ahi && blo === bhi ? YES : MAYBE;
    default:
      return ahi < blo || alo > bhi ? YES : alo === ahi && blo === bhi ? NO : MAYBE;
  }
}

/** fn([lo, hi]) into R. */
export function fnIv(fn: FnCode, lo: number, hi: number): void {
  if (lo === hi) {
    R.lo = R.hi = apply1(fn, lo);
    return;
  }
  if (lo !== lo || hi !== hi) return poison();
  switch (fn) {
    case FN.neg:
      R.lo = -hi;
      R.hi = -lo;
      return;
    case FN.abs:
      if (lo >= 0) (R.lo = lo), (R.hi = hi);
      else if (hi <= 0) (R.lo = -hi), (R.hi = -lo);
      else (R.lo = 0), (R.hi = Math.max(-lo, hi));
      return;
    case FN.sqrt:
    case FN.log:
      if (lo < 0) return poison(); // NaN for the negative part
      return set(apply1(fn, lo), apply1(fn, hi));
    default: // exp, tanh, sigmoid: increasing
      return set(apply1(fn, lo), apply1(fn, hi));
  }
}

/** True when every unit of v (lo at [0, n), hi at [n, 2n)) is a point. */
function allPoints(v: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) if (v[i] !== v[n + i]) return false;
  return true;
}

function hasNaN(v: Float64Array, n: number): boolean {
  for (let i = 0; i < 2 * n; i++) if (v[i] !== v[i]) return true;
  return false;
}

/** Float64 summation error bound for n terms whose magnitudes sum to `abs`. */
function sumSlack(n: number, abs: number): number {
  return abs * n * 2.3e-16 + ABS;
}

/** A reduction (.mean, .max, argmax, …) of an interval vector into R. */
export function reduceIv(member: string, v: Float64Array, n: number): void {
  if (member === 'len') {
    R.lo = R.hi = n;
    return;
  }
  if (allPoints(v, n)) {
    R.lo = R.hi = VECTOR_REDUCERS[member](v, n); // same function, same values as the exact evaluator
    return;
  }
  if (hasNaN(v, n)) return poison();
  switch (member) {
    case 'sum':
    case 'mean': {
      let lo = 0, hi = 0, abs = 0;
      for (let i = 0; i < n; i++) {
        lo += v[i];
        hi += v[n + i];
        abs += Math.max(Math.abs(v[i]), Math.abs(v[n + i]));
      }
      const e = sumSlack(n, abs);
      if (member === 'sum') return set(lo - e, hi + e);
      return set((lo - e) / n, (hi + e) / n);
    }
    case 'max':
    case 'min': {
      let lo = v[0], hi = v[n];
      for (let i = 1; i < n; i++) {
        if (member === 'max') (lo = Math.max(lo, v[i])), (hi = Math.max(hi, v[n + i]));
        else (lo = Math.min(lo, v[i])), (hi = Math.min(hi, v[n + i]));
      }
      R.lo = lo;
      R.hi = hi;
      return;
    }
    case 'argmax':
    case 'argmin': {
      // Candidates: units that can reach the extreme another unit is sure to reach; ties pick the first.
      const max = member === 'argmax';
      let best = max ? -Infinity : Infinity;
      for (let i = 0; i < n; i++) best = max ? Math.max(best, v[i]) : Math.min(best, v[n + i]);
      let first = -1, last = -1;
      for (let i = 0; i < n; i++) {
        if (max ? v[n + i] >= best : v[i] <= best) {
          if (first < 0) first = i;
          last = i;
        }
      }
      R.lo = first;
      R.hi = last;
      return;
    }
    case 'norm': {
      let lo = 0, hi = 0;
      for (let i = 0; i < n; i++) {
        const a = v[i], b = v[n + i];
        const m = Math.max(a * a, b * b);
        hi += m;
        if (a > 0) lo += a * a;
        else if (b < 0) lo += b * b;
      }
      const e = sumSlack(n, hi);
      return set(Math.sqrt(Math.max(0, lo - e)), Math.sqrt(hi + e));
    }
    default: {
      // std = sqrt(Σ(v − μ)² / n) with μ the mean: loose (μ's interval is reused per unit) but enclosing.
      reduceIv('mean', v, n);
      const mlo = R.lo, mhi = R.hi;
      let lo = 0, hi = 0;
      for (let i = 0; i < n; i++) {
        const dlo = v[i] - mhi, dhi = v[n + i] - mlo;
        hi += Math.max(dlo * dlo, dhi * dhi);
        if (dlo > 0) lo += dlo * dlo;
        else if (dhi < 0) lo += dhi * dhi;
      }
      const e = sumSlack(n, hi) + hi * 1e-14;
      return set(Math.sqrt(Math.max(0, lo - e) / n), Math.sqrt((hi + e) / n));
    }
  }
}

/**
 * Is argmax (argmin) of v unit k? YES when k is the only unit that can be the extreme, NO when it cannot
 * be (sharper than comparing the index's enclosure: candidates need not be contiguous).
 */
export function argIs(member: 'argmax' | 'argmin', v: Float64Array, n: number, k: number): Tri {
  if (!Number.isInteger(k) || k < 0 || k >= n) return NO;
  if (allPoints(v, n)) return VECTOR_REDUCERS[member](v, n) === k ? YES : NO;
  if (hasNaN(v, n)) return MAYBE;
  // Unit i can be the extreme when its enclosure reaches the best bound some unit is sure of.
  if (member === 'argmax') {
    let best = -Infinity;
    for (let i = 0; i < n; i++) if (v[i] > best) best = v[i];
    if (!(v[n + k] >= best)) return NO;
    for (let i = 0; i < n; i++) if (i !== k && v[n + i] >= best) return MAYBE;
    return YES;
  }
  let best = Infinity;
  for (let i = 0; i < n; i++) if (v[n + i] < best) best = v[n + i];
  if (!(v[k] <= best)) return NO;
  for (let i = 0; i < n; i++) if (i !== k && v[i] <= best) return MAYBE;
  return YES;
}
