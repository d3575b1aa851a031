/**
 * A condition compiled a second time, over intervals instead of exact values: at each step it answers
 * YES, NO or MAYBE from enclosures of every vector (the trace's 8-bit codes, codeBounds.ts). A scan keeps
 * the YES steps, drops the NO steps and recomputes exact float32 values only where the answer is MAYBE,
 * so its hits are exactly those of the exact evaluator while most chunks are never recomputed.
 *
 * Compile the condition with compileCondition first: this assumes a valid, type-checked expression. What
 * it cannot enclose soundly (a computed unit index, which may also fail at run time) makes it give up:
 * compileBounds returns undefined and the scan evaluates every step exactly.
 */
import { parse, type Node } from './parser';
import { ALIASES, type CompileOptions } from './compile';
import { FN, OP, type FnCode, type OpCode } from './typed';
import { argIs, cmpIv, fnIv, MAYBE, NO, opIv, R, reduceIv, type Tri, YES } from './interval';
import { components, type Component, type ExprMeta } from './values';

/** Enclosures of one vector (a layer's and direction's h, f, x, …) at any step. */
export interface BoundLeaf {
  readonly len: number;
  /** lo of every unit at step t into out[0, len), hi into out[len, 2·len). */
  fill(t: number, out: Float64Array): void;
  /** lo, hi of unit i at step t into R (interval.ts). */
  unit(t: number, i: number): void;
  /** Optional shortcut: a reduction (max, mean, …) at step t into R straight from codes; false = not here. */
  reduce?(member: string, t: number): boolean;
  /** Optional shortcut for argmax/argmin(v) == k at step t; undefined = not here. */
  argIs?(member: 'argmax' | 'argmin', t: number, k: number): Tri | undefined;
}

/** Where enclosures come from. */
export interface StepBounds {
  /** undefined: this vector has no enclosure (the condition is then not screened). */
  leaf(layer: number, dir: 0 | 1, name: Component['name']): BoundLeaf | undefined;
  tokenAt(t: number): string;
  /** Tighter but costlier enclosures, consulted only where these leave a step undecided. */
  refined?: StepBounds;
}

export interface BoundsCondition {
  /** YES / NO: the exact condition is certainly true / false at step t; MAYBE: evaluate it exactly. */
  test(t: number): Tri;
}

type B =
  | { type: 'num'; f: (t: number) => Float64Array; konst?: number; argIs?: (t: number, k: number) => Tri }
  | { type: 'bool'; f: (t: number) => Tri }
  | { type: 'str'; f: (t: number) => string }
  | { type: 'vec'; len: number; f: (t: number) => Float64Array; leaf?: BoundLeaf }
  | { type: 'mask'; len: number; f: (t: number) => Uint8Array };
type Num = B & { type: 'num' };
type Vec = B & { type: 'vec' };

class Unsupported extends Error {}

interface Scope {
  layer: number;
  dir: 0 | 1;
}

const BINARY: Record<string, OpCode> = {
  '+': OP.add, '-': OP.sub, '*': OP.mul, '/': OP.div, '%': OP.mod,
  '<': OP.lt, '<=': OP.le, '>': OP.gt, '>=': OP.ge, '==': OP.eq, '!=': OP.ne,
};
const ELEMENTWISE: Record<string, FnCode> = { abs: FN.abs, sqrt: FN.sqrt, exp: FN.exp, log: FN.log, tanh: FN.tanh, sigmoid: FN.sigmoid };
const REDUCERS = new Set(['mean', 'sum', 'min', 'max', 'std', 'norm', 'argmax', 'argmin', 'len']);

export function compileBounds(source: string, meta: ExprMeta, opts: CompileOptions, src: StepBounds): BoundsCondition | undefined {
  try {
    const scope = { layer: opts.layer ?? 0, dir: opts.dir ?? 0 };
    const ast = parse(source);
    const b = node(ast, meta, scope, src);
    if (b.type !== 'bool') return undefined;
    const fine = src.refined ? node(ast, meta, scope, src.refined) : undefined;
    if (fine?.type !== 'bool') return { test: b.f };
    const coarse = b.f, refined = fine.f;
    return { test: (t) => { const r = coarse(t); return r === MAYBE ? refined(t) : r; } };
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
}

function konst(k: number): Num {
  const v = Float64Array.of(k, k);
  return { type: 'num', f: () => v, konst: k };
}

function node(n: Node, meta: ExprMeta, scope: Scope, src: StepBounds): B {
  switch (n.kind) {
    case 'num':
      return konst(n.value);
    case 'str': {
      const k = n.value;
      return { type: 'str', f: () => k };
    }
    case 'name':
      return name(n.name, meta, scope, src);
    case 'scope':
      return node(n.body, meta, { layer: n.layer ?? scope.layer, dir: n.dir ?? scope.dir }, src);
    case 'unary': {
      const a = node(n.arg, meta, scope, src);
      if (n.op === '+') return a;
      if (n.op === '-') return unary(a as Num | Vec, FN.neg);
      if (a.type === 'bool') {
        const f = a.f;
        return { type: 'bool', f: (t) => { const x = f(t); return x === MAYBE ? MAYBE : ((1 - x) as Tri); } };
      }
      if (a.type === 'mask') {
        const f = a.f, len = a.len, out = new Uint8Array(len);
        return { type: 'mask', len, f: (t) => { const m = f(t); for (let i = 0; i < len; i++) out[i] = m[i] === MAYBE ? MAYBE : 1 - m[i]; return out; } };
      }
      throw new Unsupported();
    }
    case 'binary': {
      const l = node(n.left, meta, scope, src), r = node(n.right, meta, scope, src);
      if (n.op === '&&' || n.op === '||') return logical(n.op === '&&', l, r);
      if (l.type === 'str' || l.type === 'bool') return sameKind(n.op === '==', l, r);
      return binary(l as Num | Vec, r as Num | Vec, BINARY[n.op]);
    }
    case 'member':
      return reduce(node(n.object, meta, scope, src), n.member);
    case 'index':
      return index(node(n.object, meta, scope, src), node(n.index, meta, scope, src));
    case 'call':
      return call(n.fn, n.args.map((a) => node(a, meta, scope, src)));
  }
}

function name(raw: string, meta: ExprMeta, scope: Scope, src: StepBounds): B {
  let nm = ALIASES[raw] ?? raw;
  if (nm === 't') {
    const v = new Float64Array(2);
    return { type: 'num', f: (t) => ((v[0] = v[1] = t), v) };
  }
  if (nm === 'token') return { type: 'str', f: (t) => src.tokenAt(t) };
  if (nm === 'T' && meta.steps !== undefined) return konst(meta.steps);
  if (nm === 'cand') nm = meta.cell.family === 'lstm' ? 'g' : 'n';
  const comp = components(meta, scope.layer).find((c) => c.name === nm);
  const leaf = comp && src.leaf(scope.layer, scope.dir, comp.name);
  if (!comp || !leaf || leaf.len !== comp.length) throw new Unsupported();
  const out = new Float64Array(2 * leaf.len);
  return { type: 'vec', len: leaf.len, f: (t) => (leaf.fill(t, out), out), leaf };
}

function unary(a: Num | Vec, fn: FnCode): B {
  if (a.type === 'num') {
    const f = a.f, v = new Float64Array(2);
    return { type: 'num', f: (t) => { const x = f(t); fnIv(fn, x[0], x[1]); v[0] = R.lo; v[1] = R.hi; return v; } };
  }
  const f = a.f, n = a.len, out = new Float64Array(2 * n);
  return {
    type: 'vec', len: n,
    f: (t) => {
      const x = f(t);
      for (let i = 0; i < n; i++) {
        fnIv(fn, x[i], x[n + i]);
        out[i] = R.lo;
        out[n + i] = R.hi;
      }
      return out;
    },
  };
}

function binary(a: Num | Vec, b: Num | Vec, op: OpCode): B {
  const cmp = op >= OP.lt;
  if (a.type === 'num' && b.type === 'num') {
    const fa = a.f, fb = b.f;
    // argmax(v) == k: whether k can be the extreme unit at all.
    const arg = a.argIs && b.konst !== undefined ? [a.argIs, b.konst] as const : b.argIs && a.konst !== undefined ? [b.argIs, a.konst] as const : undefined;
    if (arg && (op === OP.eq || op === OP.ne)) {
      const [is, k] = arg;
      return { type: 'bool', f: (t) => { const r = is(t, k); return r === MAYBE || op === OP.eq ? r : ((1 - r) as Tri); } };
    }
    if (cmp) return { type: 'bool', f: (t) => { const x = fa(t), y = fb(t); return cmpIv(op, x[0], x[1], y[0], y[1]); } };
    const v = new Float64Array(2);
    return { type: 'num', f: (t) => { const x = fa(t), y = fb(t); opIv(op, x[0], x[1], y[0], y[1]); v[0] = R.lo; v[1] = R.hi; return v; } };
  }
  const n = a.type === 'vec' ? a.len : (b as Vec).len;
  // Scalars are read as a 1-unit vector with stride 0 (broadcast).
  const sa = a.type === 'vec' ? 1 : 0, sb = b.type === 'vec' ? 1 : 0;
  const na = a.type === 'vec' ? n : 1, nb = b.type === 'vec' ? n : 1;
  const fa = a.f, fb = b.f;
  if (cmp) {
    const out = new Uint8Array(n);
    return {
      type: 'mask', len: n,
      f: (t) => {
        const x = fa(t), y = fb(t);
        for (let i = 0; i < n; i++) out[i] = cmpIv(op, x[i * sa], x[na + i * sa], y[i * sb], y[nb + i * sb]);
        return out;
      },
    };
  }
  const out = new Float64Array(2 * n);
  return {
    type: 'vec', len: n,
    f: (t) => {
      const x = fa(t), y = fb(t);
      for (let i = 0; i < n; i++) {
        opIv(op, x[i * sa], x[na + i * sa], y[i * sb], y[nb + i * sb]);
        out[i] = R.lo;
        out[n + i] = R.hi;
      }
      return out;
    },
  };
}

/** Kleene logic; a scalar truth broadcasts over a mask (as in the exact evaluator). */
function and(x: number, y: number): Tri {
  return x === NO || y === NO ? NO : x === YES && y === YES ? YES : MAYBE;
}
function or(x: number, y: number): Tri {
  return x === YES || y === YES ? YES : x === NO && y === NO ? NO : MAYBE;
}

function logical(isAnd: boolean, l: B, r: B): B {
  const op = isAnd ? and : or;
  if (l.type === 'bool' && r.type === 'bool') {
    const fl = l.f, fr = r.f;
    // Short-circuit like the exact evaluator: the right side is not needed once the left decides.
    return isAnd ? { type: 'bool', f: (t) => { const x = fl(t); return x === NO ? NO : and(x, fr(t)); } } : { type: 'bool', f: (t) => { const x = fl(t); return x === YES ? YES : or(x, fr(t)); } };
  }
  const n = l.type === 'mask' ? l.len : (r as { len: number }).len;
  const out = new Uint8Array(n);
  const fl = l.f as (t: number) => Uint8Array | Tri, fr = r.f as (t: number) => Uint8Array | Tri;
  return {
    type: 'mask', len: n,
    f: (t) => {
      const a = fl(t), b = fr(t);
      for (let i = 0; i < n; i++) out[i] = op(typeof a === 'number' ? a : a[i], typeof b === 'number' ? b : b[i]);
      return out;
    },
  };
}

/** == / != between strings (exact) or true/false values. */
function sameKind(eq: boolean, l: B, r: B): B {
  if (l.type === 'str' && r.type === 'str') {
    const fl = l.f, fr = r.f;
    return { type: 'bool', f: (t) => ((fl(t) === fr(t)) === eq ? YES : NO) };
  }
  if (l.type !== 'bool' || r.type !== 'bool') throw new Unsupported();
  const fl = l.f, fr = r.f;
  return {
    type: 'bool',
    f: (t) => {
      const x = fl(t), y = fr(t);
      if (x === MAYBE || y === MAYBE) return MAYBE;
      return (x === y) === eq ? YES : NO;
    },
  };
}

function reduce(a: B, member: string): B {
  if (a.type === 'vec' && REDUCERS.has(member)) {
    const f = a.f, n = a.len, v = new Float64Array(2), leaf = a.leaf;
    const num: Num = leaf?.reduce
      ? { type: 'num', f: (t) => { if (!leaf.reduce!(member, t)) reduceIv(member, f(t), n); v[0] = R.lo; v[1] = R.hi; return v; } }
      : { type: 'num', f: (t) => { reduceIv(member, f(t), n); v[0] = R.lo; v[1] = R.hi; return v; } };
    if (member === 'argmax' || member === 'argmin') num.argIs = leaf?.argIs ? (t, k) => leaf.argIs!(member, t, k) ?? argIs(member, f(t), n, k) : (t, k) => argIs(member, f(t), n, k);
    return num;
  }
  if (a.type === 'mask') {
    const f = a.f, n = a.len;
    if (member === 'len') return konst(n);
    if (member === 'count') {
      const v = new Float64Array(2);
      return {
        type: 'num',
        f: (t) => {
          const m = f(t);
          let yes = 0, maybe = 0;
          for (let i = 0; i < n; i++) m[i] === YES ? yes++ : m[i] === MAYBE ? maybe++ : 0;
          v[0] = yes;
          v[1] = yes + maybe;
          return v;
        },
      };
    }
    if (member === 'any' || member === 'all') {
      const any = member === 'any';
      return {
        type: 'bool',
        f: (t) => {
          const m = f(t);
          let acc: Tri = any ? NO : YES;
          for (let i = 0; i < n; i++) acc = any ? or(acc, m[i]) : and(acc, m[i]);
          return acc;
        },
      };
    }
  }
  throw new Unsupported();
}

function index(obj: B, idx: B): B {
  if (idx.type !== 'num' || idx.konst === undefined) throw new Unsupported(); // computed: may fail at run time
  const k = idx.konst;
  if (obj.type === 'vec') {
    const v = new Float64Array(2);
    if (obj.leaf) {
      const leaf = obj.leaf;
      return { type: 'num', f: (t) => (leaf.unit(t, k), (v[0] = R.lo), (v[1] = R.hi), v) };
    }
    const f = obj.f, n = obj.len;
    return { type: 'num', f: (t) => { const x = f(t); v[0] = x[k]; v[1] = x[n + k]; return v; } };
  }
  if (obj.type === 'mask') {
    const f = obj.f;
    return { type: 'bool', f: (t) => f(t)[k] as Tri };
  }
  throw new Unsupported();
}

function call(fn: string, args: B[]): B {
  if (ELEMENTWISE[fn] !== undefined) return unary(args[0] as Num | Vec, ELEMENTWISE[fn]);
  if ((fn === 'min' || fn === 'max') && args.length > 1) {
    let acc = args[0] as Num | Vec;
    for (let k = 1; k < args.length; k++) acc = binary(acc, args[k] as Num | Vec, fn === 'min' ? OP.min : OP.max) as Num | Vec;
    return acc;
  }
  if (fn === 'count' || fn === 'any' || fn === 'all') {
    const a = args[0];
    if (a.type === 'bool') {
      if (fn !== 'count') return a;
      const f = a.f, v = new Float64Array(2);
      return { type: 'num', f: (t) => { const x = f(t); v[0] = x === YES ? 1 : 0; v[1] = x === NO ? 0 : 1; return v; } };
    }
  }
  return reduce(args[0], fn);
}
