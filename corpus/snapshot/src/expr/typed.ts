/**
 * Typed closures: what the compiler turns each node into. Vectors write into buffers allocated once at
 * compile time, so evaluating a condition at 100,000 steps allocates nothing.
 */
import type { StepValues } from './values';
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
      return 'a number';
    case 'bool':
      return 'a true/false value';
    case 'str':
      return 'a string';
    case 'vec':
      return `a vector of ${t.len} units`;
    case 'mask':
      return `a true/false vector of ${t.len} units`;
  }
}

export function fail(at: { pos: number; end: number }, reason: string): never {
  throw new ExprError(reason, at.pos + 1, at.end - at.pos);
}

/** Lengths of two vectors must agree for elementwise work. */
export function sameLength(a: Typed & { len: number }, b: Typed & { len: number }, at: { pos: number; end: number }): void {
  if (a.len !== b.len) fail(at, `${a.what} has ${a.len} units but ${b.what} has ${b.len}: elementwise operations need equal sizes`);
}

/** Per-element reader for a number or vector operand (a number broadcasts to every unit). */
export type Operand = (Typed & { type: 'num' }) | (Typed & { type: 'vec' });

/** Build f(a, b) elementwise over number/vector operands. */
export function elementwise(a: Operand, b: Operand, op: (x: number, y: number) => number, at: { pos: number; end: number }, what: string): Typed {
  if (a.type === 'num' && b.type === 'num') {
    const fa = a.f, fb = b.f;
    if (a.konst !== undefined && b.konst !== undefined) {
      const k = op(a.konst, b.konst);
      return { type: 'num', f: () => k, konst: k, pos: at.pos, end: at.end, what };
    }
    return { type: 'num', f: (s) => op(fa(s), fb(s)), pos: at.pos, end: at.end, what };
  }
  const len = a.type === 'vec' ? a.len : (b as { len: number }).len;
  if (a.type === 'vec' && b.type === 'vec') sameLength(a, b, at);
  const out = new Float64Array(len);
  let f: VecFn;
  if (a.type === 'vec' && b.type === 'vec') {
    const fa = a.f, fb = b.f;
    f = (s) => {
      const x = fa(s), y = fb(s);
      for (let i = 0; i < len; i++) out[i] = op(x[i], y[i]);
      return out;
    };
  } else if (a.type === 'vec') {
    const fa = a.f, fb = (b as Operand).f as NumFn;
    f = (s) => {
      const x = fa(s), y = fb(s);
      for (let i = 0; i < len; i++) out[i] = op(x[i], y);
      return out;
    };
  } else {
    const fa = a.f as NumFn, fb = (b as Typed & { type: 'vec' }).f;
    f = (s) => {
      const x = fa(s), y = fb(s);
      for (let i = 0; i < len; i++) out[i] = op(x, y[i]);
      return out;
    };
  }
  return { type: 'vec', len, f, pos: at.pos, end: at.end, what };
}

/** Comparison elementwise: number×number → bool, anything with a vector → mask. */
export function compareElementwise(a: Operand, b: Operand, cmp: (x: number, y: number) => boolean, at: { pos: number; end: number }, what: string): Typed {
  if (a.type === 'num' && b.type === 'num') {
    const fa = a.f, fb = b.f;
    return { type: 'bool', f: (s) => cmp(fa(s), fb(s)), pos: at.pos, end: at.end, what };
  }
  const diff = elementwise(a, b, (x, y) => (cmp(x, y) ? 1 : 0), at, what) as Typed & { type: 'vec' };
  const len = diff.len;
  const mask = new Uint8Array(len);
  const fd = diff.f;
  return {
    type: 'mask',
    len,
    f: (s) => {
      const v = fd(s);
      for (let i = 0; i < len; i++) mask[i] = v[i];
      return mask;
    },
    pos: at.pos,
    end: at.end,
    what,
  };
}

/** Map a number or vector through a scalar function. */
export function mapNumeric(a: Operand, fn: (x: number) => number, at: { pos: number; end: number }, what: string): Typed {
  if (a.type === 'num') {
    const fa = a.f;
    if (a.konst !== undefined) {
      const k = fn(a.konst);
      return { type: 'num', f: () => k, konst: k, pos: at.pos, end: at.end, what };
    }
    return { type: 'num', f: (s) => fn(fa(s)), pos: at.pos, end: at.end, what };
  }
  const len = a.len;
  const out = new Float64Array(len);
  const fa = a.f;
  return {
    type: 'vec',
    len,
    f: (s) => {
      const v = fa(s);
      for (let i = 0; i < len; i++) out[i] = fn(v[i]);
      return out;
    },
    pos: at.pos,
    end: at.end,
    what,
  };
}
