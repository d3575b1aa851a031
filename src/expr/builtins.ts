/**
 * Reductions (`h.mean`, `mean(h)`) and functions (abs, sqrt, …) of the expression language.
 * Reductions accumulate in float64 over the exact float32 values.
 */
import type { Node } from './parser';
import { binary, fail, FN, type FnCode, OP, type MaskFn, type Operand, type Typed, typeWord, unary, type VecFn } from './typed';
import { msg } from '../l10n/format';
import { didYouMean } from './errors';

type Reducer = (v: ArrayLike<number>, n: number) => number;

function sum(v: ArrayLike<number>, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += v[i];
  return s;
}
/** Index of the largest unit (first on ties); NaN units are skipped so one NaN does not hide the real extreme. */
function argmax(v: ArrayLike<number>, n: number): number {
  let best = 0;
  while (best < n - 1 && v[best] !== v[best]) best++;
  let bestV = v[best];
  for (let i = best + 1; i < n; i++) {
    const x = v[i];
    if (x > bestV) {
      best = i;
      bestV = x;
    }
  }
  return best;
}
function argmin(v: ArrayLike<number>, n: number): number {
  let best = 0;
  while (best < n - 1 && v[best] !== v[best]) best++;
  let bestV = v[best];
  for (let i = best + 1; i < n; i++) {
    const x = v[i];
    if (x < bestV) {
      best = i;
      bestV = x;
    }
  }
  return best;
}

export const VECTOR_REDUCERS: Record<string, Reducer> = {
  mean: (v, n) => sum(v, n) / n,
  sum,
  min: (v, n) => v[argmin(v, n)],
  max: (v, n) => v[argmax(v, n)],
  std: (v, n) => {
    const mu = sum(v, n) / n;
    let s = 0;
    for (let i = 0; i < n; i++) s += (v[i] - mu) * (v[i] - mu);
    return Math.sqrt(s / n);
  },
  norm: (v, n) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += v[i] * v[i];
    return Math.sqrt(s);
  },
  argmax,
  argmin,
  len: (_v, n) => n,
};

/** Separate from `sum` so that loop only ever sees float arrays (keeps it fast). */
function countMask(m: Uint8Array, n: number): number {
  let c = 0;
  for (let i = 0; i < n; i++) c += m[i];
  return c;
}

const MASK_REDUCERS: Record<string, (m: Uint8Array, n: number) => number | boolean> = {
  count: countMask,
  any: (m, n) => {
    for (let i = 0; i < n; i++) if (m[i]) return true;
    return false;
  },
  all: (m, n) => {
    for (let i = 0; i < n; i++) if (!m[i]) return false;
    return true;
  },
  len: (_m, n) => n,
};

/** `value.member` (and the function form `member(value)`). */
export function reduce(obj: Typed, member: string, at: { pos: number; end: number }): Typed {
  const what = `${obj.what}.${member}`;
  if (obj.type === 'vec') {
    const r = VECTOR_REDUCERS[member];
    if (!r) {
      const hint = MASK_REDUCERS[member] ? msg(" ('.{0}' applies to comparisons such as (h > 0).{0})", member) : didYouMean(member, Object.keys(VECTOR_REDUCERS));
      fail(at, msg('unknown reduction \'.{0}\'{1}; vectors have {2}', member, hint, Object.keys(VECTOR_REDUCERS).map((k) => '.' + k).join(' ')));
    }
    const f = obj.f as VecFn;
    const n = obj.len;
    return { type: 'num', f: (s) => r(f(s), n), pos: at.pos, end: at.end, what };
  }
  if (obj.type === 'mask') {
    const r = MASK_REDUCERS[member];
    if (!r) fail(at, msg('unknown reduction \'.{0}\' for a true/false vector{1}; use .count .any .all .len', member, didYouMean(member, Object.keys(MASK_REDUCERS))));
    const f = obj.f as MaskFn;
    const n = obj.len;
    if (member === 'any' || member === 'all') return { type: 'bool', f: (s) => r(f(s), n) as boolean, pos: at.pos, end: at.end, what };
    return { type: 'num', f: (s) => r(f(s), n) as number, pos: at.pos, end: at.end, what };
  }
  return fail(at, msg('\'.{0}\' needs a vector, but {1} is {2}', member, obj.what, typeWord(obj)));
}

const ELEMENTWISE: Record<string, FnCode> = { abs: FN.abs, sqrt: FN.sqrt, exp: FN.exp, log: FN.log, tanh: FN.tanh, sigmoid: FN.sigmoid };

export const FUNCTION_NAMES = [...Object.keys(ELEMENTWISE), 'min', 'max', 'mean', 'sum', 'std', 'norm', 'argmax', 'argmin', 'count', 'any', 'all', 'len'];

function numeric(a: Typed, fn: string): Operand {
  if (a.type !== 'num' && a.type !== 'vec') fail(a, msg('{0}() needs numbers or vectors, but {1} is {2}', fn, a.what, typeWord(a)));
  return a;
}

/** Compile a call; `compileArg` compiles each argument node. */
export function call(node: Node & { kind: 'call' }, args: Typed[]): Typed {
  const fn = node.fn;
  const at = node;
  const what = `${fn}(…)`;
  const arity = (min: number, max: number): void => {
    if (args.length < min || args.length > max) {
      const want = min === max ? (min === 1 ? msg('{0} argument', min) : msg('{0} arguments', min)) : max === Infinity ? msg('at least {0} arguments', min) : msg('{0} to {1} arguments', min, max);
      fail(at, msg('{0}() takes {1}, got {2}', fn, want, args.length));
    }
  };
  if (ELEMENTWISE[fn] !== undefined) {
    arity(1, 1);
    return unary(numeric(args[0], fn), ELEMENTWISE[fn], at, what);
  }
  if (fn === 'min' || fn === 'max') {
    arity(1, Infinity);
    if (args.length === 1) {
      if (args[0].type !== 'vec') fail(args[0], msg('{0}(v) with one argument needs a vector, but {1} is {2}; give two or more numbers to compare', fn, args[0].what, typeWord(args[0])));
      return reduce(args[0], fn, at);
    }
    // Several arguments: elementwise min/max with numbers broadcast over vectors.
    const op = fn === 'min' ? OP.min : OP.max;
    let acc = numeric(args[0], fn);
    for (let k = 1; k < args.length; k++) acc = binary(acc, numeric(args[k], fn), op, at, what) as Operand;
    return acc;
  }
  if (fn === 'mean' || fn === 'sum' || fn === 'std' || fn === 'norm' || fn === 'argmax' || fn === 'argmin' || fn === 'len') {
    arity(1, 1);
    if (args[0].type !== 'vec' && !(fn === 'len' && args[0].type === 'mask')) fail(args[0], msg('{0}() needs a vector, but {1} is {2}', fn, args[0].what, typeWord(args[0])));
    return reduce(args[0], fn, at);
  }
  if (fn === 'count' || fn === 'any' || fn === 'all') {
    arity(1, 1);
    if (args[0].type === 'bool') {
      const f = args[0].f;
      return fn === 'count' ? { type: 'num', f: (s) => (f(s) ? 1 : 0), pos: at.pos, end: at.end, what } : args[0];
    }
    if (args[0].type !== 'mask') fail(args[0], msg('{0}() needs a comparison over units such as {0}(f < 0.1), but {1} is {2}', fn, args[0].what, typeWord(args[0])));
    return reduce(args[0], fn, at);
  }
  return fail({ pos: node.pos, end: node.pos + fn.length }, msg('unknown function \'{0}\'{1}; functions are {2}', fn, didYouMean(fn, FUNCTION_NAMES), FUNCTION_NAMES.join(', ')));
}

