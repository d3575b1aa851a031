/**
 * Typed closures: what the compiler turns each node into. Vectors write into buffers allocated once at
 * compile time, so evaluating a condition at 100,000 steps allocates nothing.
 */
import type { StepValues } from './values';
import { msg } from '../l10n/format';
import { ExprError } from './errors';

export type NumFn = (s: StepValues) => number;
export type BoolFn = (s: StepValues) => boolean;
export type StrFn = (s: StepValues) => string;
export type VecFn = (s: StepValues) => ArrayLike<number>;
export type MaskFn = (s: StepValues) => Uint8Array;

/** `what` is the source text of the value (for messages); `pos`/`end` locate it in the source. */
interface Base {
  pos: number;
  end: number;
  what: string;
}
export type Typed =
  | (Base & { type: 'num'; f: NumFn; konst?: number })
  | (Base & { type: 'bool'; f: BoolFn })
  | (Base & { type: 'str'; f: StrFn })
  | (Base & { type: 'vec'; len: number; f: VecFn })
  | (Base & { type: 'mask'; len: number; f: MaskFn });

export function typeWord(t: Typed): string {
  switch (t.type) {
    case 'num':
      return msg('a number');
    case 'bool':
      return msg('a true/false value');
    case 'str':
      return msg('a string');
    case 'vec':
      return msg('a vector of {0} units', t.len);
    case 'mask':
      return msg('a true/false vector of {0} units', t.len);
  }
}

export function fail(at: { pos: number; end: number }, reason: string): never {
  throw new ExprError(reason, at.pos + 1, at.end - at.pos);
}

/** Lengths of two vectors must agree for elementwise work. */
export function sameLength(a: Typed & { len: number }, b: Typed & { len: number }, at: { pos: number; end: number }): void {
  if (a.len !== b.len) fail(at, msg('{0} has {1} units but {2} has {3}: elementwise operations need equal sizes', a.what, a.len, b.what, b.len));
}

/** Per-element reader for a number or vector operand (a number broadcasts to every unit). */
export type Operand = (Typed & { type: 'num' }) | (Typed & { type: 'vec' });

/**
 * Binary operators as small integer codes: one monomorphic `apply` with a switch keeps the vector loops
 * fast (a different closure per operator would make every loop megamorphic).
 */
export const OP = { add: 0, sub: 1, mul: 2, div: 3, mod: 4, min: 5, max: 6, lt: 7, le: 8, gt: 9, ge: 10, eq: 11, ne: 12 } as const;
export type OpCode = (typeof OP)[keyof typeof OP];

export function apply(op: OpCode, x: number, y: number): number {
  switch (op) {
    case 0: return x + y;
    case 1: return x - y;
    case 2: return x * y;
    case 3: return x / y;
    case 4: return x % y;
    case 5: return x < y || x !== x ? x : y; // NaN propagates, like Math.min
    case 6: return x > y || x !== x ? x : y;
    case 7: return x < y ? 1 : 0;
    case 8: return x <= y ? 1 : 0;
    case 9: return x > y ? 1 : 0;
    case 10: return x >= y ? 1 : 0;
    case 11: return x === y ? 1 : 0;
    default: return x !== y ? 1 : 0;
  }
}

/** Elementwise loops writing into `out` (a Float64Array for values, a Uint8Array for comparisons). */
function loopVV(op: OpCode, x: ArrayLike<number>, y: ArrayLike<number>, out: Float64Array | Uint8Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = apply(op, x[i], y[i]);
}
function loopVS(op: OpCode, x: ArrayLike<number>, y: number, out: Float64Array | Uint8Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = apply(op, x[i], y);
}
function loopSV(op: OpCode, x: number, y: ArrayLike<number>, out: Float64Array | Uint8Array, n: number): void {
  for (let i = 0; i < n; i++) out[i] = apply(op, x, y[i]);
}

/** Build `a op b` over number/vector operands; comparisons (op ≥ lt) give bool or mask. */
export function binary(a: Operand, b: Operand, op: OpCode, at: { pos: number; end: number }, what: string): Typed {
  const isCmp = op >= OP.lt;
  if (a.type === 'num' && b.type === 'num') {
    const fa = a.f, fb = b.f;
    if (isCmp) return { type: 'bool', f: (s) => apply(op, fa(s), fb(s)) === 1, pos: at.pos, end: at.end, what };
    if (a.konst !== undefined && b.konst !== undefined) {
      const k = apply(op, a.konst, b.konst);
      return { type: 'num', f: () => k, konst: k, pos: at.pos, end: at.end, what };
    }
    return { type: 'num', f: (s) => apply(op, fa(s), fb(s)), pos: at.pos, end: at.end, what };
  }
  if (a.type === 'vec' && b.type === 'vec') sameLength(a, b, at);
  const len = a.type === 'vec' ? a.len : (b as { len: number }).len;
  const out = isCmp ? new Uint8Array(len) : new Float64Array(len);
  let f: (s: StepValues) => Float64Array | Uint8Array;
  if (a.type === 'vec' && b.type === 'vec') {
    const fa = a.f, fb = b.f;
    f = (s) => (loopVV(op, fa(s), fb(s), out, len), out);
  } else if (a.type === 'vec') {
    const fa = a.f, fb = (b as Typed & { type: 'num' }).f;
    f = (s) => (loopVS(op, fa(s), fb(s), out, len), out);
  } else {
    const fa = (a as Typed & { type: 'num' }).f, fb = (b as Typed & { type: 'vec' }).f;
    f = (s) => (loopSV(op, fa(s), fb(s), out, len), out);
  }
  return isCmp
    ? { type: 'mask', len, f: f as MaskFn, pos: at.pos, end: at.end, what }
    : { type: 'vec', len, f: f as VecFn, pos: at.pos, end: at.end, what };
}

/** Unary numeric functions as codes, for the same reason as OP. */
export const FN = { neg: 0, abs: 1, sqrt: 2, exp: 3, log: 4, tanh: 5, sigmoid: 6 } as const;
export type FnCode = (typeof FN)[keyof typeof FN];

export function apply1(fn: FnCode, x: number): number {
  switch (fn) {
    case 0: return -x;
    case 1: return Math.abs(x);
    case 2: return Math.sqrt(x);
    case 3: return Math.exp(x);
    case 4: return Math.log(x);
    case 5: return Math.tanh(x);
    default: return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)); // no overflow either way
  }
}

/** Map a number or vector through a unary function. */
export function unary(a: Operand, fn: FnCode, at: { pos: number; end: number }, what: string): Typed {
  if (a.type === 'num') {
    const fa = a.f;
    if (a.konst !== undefined) {
      const k = apply1(fn, a.konst);
      return { type: 'num', f: () => k, konst: k, pos: at.pos, end: at.end, what };
    }
    return { type: 'num', f: (s) => apply1(fn, fa(s)), pos: at.pos, end: at.end, what };
  }
  const len = a.len;
  const out = new Float64Array(len);
  const fa = a.f;
  return {
    type: 'vec',
    len,
    f: (s) => {
      const v = fa(s);
      for (let i = 0; i < len; i++) out[i] = apply1(fn, v[i]);
      return out;
    },
    pos: at.pos,
    end: at.end,
    what,
  };
}
