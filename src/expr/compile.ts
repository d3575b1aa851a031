/**
 * Type-checks an expression against a network's shape and compiles it to a tree of closures.
 * Everything a person can get wrong — unknown names, gates the cell lacks, units beyond the hidden size,
 * layers or directions the network does not have, type mix-ups — is reported here, before any step runs.
 */
import { parse, type Node } from './parser';
import { msg } from '../l10n/format';
import { ExprError, didYouMean } from './errors';
import { call, reduce } from './builtins';
import { binary, fail, FN, OP, type OpCode, type Operand, type Typed, typeWord, unary } from './typed';
import { components, directionCount, type Component, type ExprMeta, type ExprValue, type StepValues } from './values';

export interface CompileOptions {
  /** Layer that unqualified names read (default 0). */
  layer?: number;
  /** Direction that unqualified names read: 0 forward (default), 1 reverse. */
  dir?: 0 | 1;
  /** 'condition': the result must be true/false (breakpoints); 'value': anything (watch, logs). */
  expect?: 'condition' | 'value';
}

export interface CompiledExpr {
  readonly source: string;
  /** num | bool | str | vec | mask */
  readonly type: Typed['type'];
  /** Vector length (vec/mask). */
  readonly length?: number;
  /** The vectors it reads (readKey); a StepSource may leave every other vector stale. */
  readonly reads: ReadonlySet<string>;
  evaluate(step: StepValues): ExprValue;
}

export interface CompiledCondition extends CompiledExpr {
  test(step: StepValues): boolean;
}

/** Alternative spellings of names (bounds.ts resolves names the same way). */
export const ALIASES: Record<string, string> = { C: 'c', C_prev: 'c_prev', 'C\u0303': 'cand', step: 't' };

function allNames(meta: ExprMeta): string[] {
  const base = components(meta, 0).map((c) => c.name as string);
  return [...base, 'cand', 't', 'token', ...(meta.steps !== undefined ? ['T'] : [])];
}

interface Scope {
  layer: number;
  dir: 0 | 1;
  /** The whole expression text, for naming values in messages. */
  src: string;
  /** Every vector the expression reads, as readKey(layer, dir, name): scans build only these. */
  reads: Set<string>;
}

/** How a scan names one vector of one layer and direction. */
export function readKey(layer: number, dir: 0 | 1, name: string): string {
  return `${layer}/${dir}/${name}`;
}

function resolveName(node: Node & { kind: 'name' }, meta: ExprMeta, scope: Scope): Typed {
  const at = node;
  const raw = node.name;
  let name = ALIASES[raw] ?? raw;
  if (name === 't') return { type: 'num', f: (s) => s.t, pos: at.pos, end: at.end, what: raw };
  if (name === 'token') return { type: 'str', f: (s) => s.token, pos: at.pos, end: at.end, what: 'token' };
  if (name === 'T' && meta.steps !== undefined) {
    const T = meta.steps;
    return { type: 'num', f: () => T, konst: T, pos: at.pos, end: at.end, what: 'T' };
  }
  const family = meta.cell.family;
  if (name === 'cand') {
    if (family === 'rnn') fail(at, msg('\'{0}\' is a candidate gate, but a plain RNN cell has no gates (it has x, h_prev, h)', raw));
    name = family === 'lstm' ? 'g' : 'n';
  }
  const comps = components(meta, scope.layer);
  const comp = comps.find((c) => c.name === name);
  if (!comp) {
    const all = ['i', 'f', 'g', 'o', 'r', 'z', 'n', 'c', 'c_prev', 'm'];
    const have = comps.map((c) => c.name).join(', ');
    const cellWord = family === 'lstm' ? (meta.cell.projSize > 0 ? 'projected LSTM' : 'LSTM') : family === 'gru' ? 'GRU' : 'RNN';
    if (all.includes(name)) {
      const why = name === 'm' ? msg('{0} cells without a projection have no m (m_t exists only when proj_size > 0)', cellWord) : msg("the {0} cell has no '{1}'", cellWord, raw);
      fail(at, msg('{0}; it has {1}', why, have));
    }
    fail(at, msg('unknown name \'{0}\'{1}; names are {2}', raw, didYouMean(raw, allNames(meta)), [...comps.map((c) => c.name), 't', 'token'].join(', ')));
  }
  return vectorOf(comp, scope, at);
}

function vectorOf(comp: Component, scope: Scope, at: { pos: number; end: number }): Typed {
  const { layer, dir } = scope;
  const key = comp.name;
  const side = dir === 1 ? 'reverse' : 'forward';
  scope.reads.add(readKey(layer, dir, key));
  const what = `${scope.layer > 0 ? `l${layer}.` : ''}${dir === 1 ? 'rev.' : ''}${key}`;
  const pos = at.pos, end = at.end, len = comp.length;
  switch (key) {
    case 'h_prev':
      return { type: 'vec', len, f: (s) => s.layers[layer][side]!.hPrev, pos, end, what };
    case 'c_prev':
      return { type: 'vec', len, f: (s) => s.layers[layer][side]!.cPrev!, pos, end, what };
    case 'x':
    case 'h':
    case 'c':
    case 'm':
      return { type: 'vec', len, f: (s) => s.layers[layer][side]![key]!, pos, end, what };
    default:
      return { type: 'vec', len, f: (s) => s.layers[layer][side]!.gates[key]!, pos, end, what };
  }
}

const BINARY: Record<string, OpCode> = {
  '+': OP.add, '-': OP.sub, '*': OP.mul, '/': OP.div, '%': OP.mod,
  '<': OP.lt, '<=': OP.le, '>': OP.gt, '>=': OP.ge, '==': OP.eq, '!=': OP.ne,
};

function asNumeric(t: Typed, op: string): Operand {
  if (t.type === 'num' || t.type === 'vec') return t;
  if (t.type === 'bool' || t.type === 'mask') {
    return fail(t, msg("'{0}' needs numbers or vectors, but {1} is {2} (true/false values cannot be added or compared by size; use count(...) to turn them into a number)", op, t.what, typeWord(t)));
  }
  return fail(t, msg("'{0}' needs numbers or vectors, but {1} is {2}", op, t.what, typeWord(t)));
}

/** Compile a node; its value is named in messages by exactly the text the person typed. */
function compileNode(node: Node, meta: ExprMeta, scope: Scope): Typed {
  const t = compileInner(node, meta, scope);
  const text = scope.src.slice(node.start, node.end).trim();
  return { ...t, pos: node.start, end: node.end, what: text.length > 40 ? text.slice(0, 39) + '…' : text };
}

function compileInner(node: Node, meta: ExprMeta, scope: Scope): Typed {
  const at = { pos: node.pos, end: node.end };
  switch (node.kind) {
    case 'num': {
      const k = node.value;
      return { type: 'num', f: () => k, konst: k, ...at, what: String(k) };
    }
    case 'str': {
      const k = node.value;
      return { type: 'str', f: () => k, ...at, what: JSON.stringify(k) };
    }
    case 'name':
      return resolveName(node, meta, scope);
    case 'scope': {
      const layers = meta.shape.numLayers;
      if (node.layer !== undefined && node.layer >= layers) {
        const names = Array.from({ length: layers }, (_, i) => 'l' + i).join(', ');
        const at = { pos: node.pos, end: node.pos + 1 + String(node.layer).length };
        fail(at, layers === 1 ? msg('layer {0} does not exist: this network has {1} layer ({2})', node.layer, layers, names) : msg('layer {0} does not exist: this network has {1} layers ({2})', node.layer, layers, names));
      }
      if (node.dir === 1 && directionCount(meta) < 2) fail({ pos: node.pos, end: node.pos + 3 }, msg('\'rev\' reads the reverse direction, but this network is not bidirectional'));
      return compileNode(node.body, meta, { ...scope, layer: node.layer ?? scope.layer, dir: node.dir ?? scope.dir });
    }
    case 'unary': {
      const arg = compileNode(node.arg, meta, scope);
      if (node.op === '!') {
        if (arg.type === 'bool') {
          const f = arg.f;
          return { type: 'bool', f: (s) => !f(s), ...at, what: `!${arg.what}` };
        }
        if (arg.type === 'mask') {
          const f = arg.f, len = arg.len, out = new Uint8Array(len);
          return { type: 'mask', len, f: (s) => { const m = f(s); for (let i = 0; i < len; i++) out[i] = m[i] ? 0 : 1; return out; }, ...at, what: `!${arg.what}` };
        }
        return fail(arg, msg('\'!\' needs a true/false value, but {0} is {1}; compare it first, e.g. !(x > 0)', arg.what, typeWord(arg)));
      }
      const operand = asNumeric(arg, node.op);
      if (node.op === '+') return operand;
      return unary(operand, FN.neg, at, `-${arg.what}`);
    }
    case 'binary': {
      const left = compileNode(node.left, meta, scope);
      const right = compileNode(node.right, meta, scope);
      const op = node.op;
      const opAt = { pos: node.pos, end: node.pos + op.length };
      const what = `${left.what} ${op} ${right.what}`;
      if (op === '&&' || op === '||') return logical(op, left, right, opAt, what);
      if ((op === '==' || op === '!=') && (left.type === 'str' || right.type === 'str' || left.type === 'bool' || right.type === 'bool')) {
        if (left.type !== right.type) fail(opAt, msg('\'{0}\' compares {1} ({2}) with {3} ({4}); both sides must be the same kind', op, left.what, typeWord(left), right.what, typeWord(right)));
        const fl = left.f as (s: StepValues) => string | boolean, fr = right.f as (s: StepValues) => string | boolean;
        return op === '==' ? { type: 'bool', f: (s) => fl(s) === fr(s), ...at, what } : { type: 'bool', f: (s) => fl(s) !== fr(s), ...at, what };
      }
      const a = asNumeric(left, op), b = asNumeric(right, op);
      return binary(a, b, BINARY[op], opAt, what);
    }
    case 'member':
      return reduce(compileNode(node.object, meta, scope), node.member, { pos: node.memberPos, end: node.end });
    case 'index':
      return compileIndex(node, compileNode(node.object, meta, scope), compileNode(node.index, meta, scope));
    case 'call':
      return call(node, node.args.map((a) => compileNode(a, meta, scope)));
  }
}

function logical(op: '&&' | '||', left: Typed, right: Typed, at: { pos: number; end: number }, what: string): Typed {
  for (const side of [left, right]) {
    if (side.type !== 'bool' && side.type !== 'mask') fail(side, msg('\'{0}\' needs true/false on both sides, but {1} is {2}; compare it, e.g. {1} > 0', op, side.what, typeWord(side)));
  }
  if (left.type === 'bool' && right.type === 'bool') {
    const fl = left.f, fr = right.f;
    return op === '&&' ? { type: 'bool', f: (s) => fl(s) && fr(s), ...at, what } : { type: 'bool', f: (s) => fl(s) || fr(s), ...at, what };
  }
  // Elementwise on masks (a true/false scalar broadcasts to every unit).
  const len = left.type === 'mask' ? left.len : (right as { len: number }).len;
  if (left.type === 'mask' && right.type === 'mask' && left.len !== right.len) fail(at, msg('{0} has {1} units but {2} has {3}', left.what, left.len, right.what, right.len));
  const get = (t: Typed): ((s: StepValues) => ArrayLike<number> | boolean) => t.f as (s: StepValues) => Uint8Array | boolean;
  const fl = get(left), fr = get(right);
  const out = new Uint8Array(len);
  const and = op === '&&';
  return {
    type: 'mask',
    len,
    f: (s) => {
      const a = fl(s), b = fr(s);
      for (let i = 0; i < len; i++) {
        const x = typeof a === 'boolean' ? a : a[i] !== 0;
        const y = typeof b === 'boolean' ? b : b[i] !== 0;
        out[i] = (and ? x && y : x || y) ? 1 : 0;
      }
      return out;
    },
    ...at,
    what,
  };
}

function compileIndex(node: Node & { kind: 'index' }, obj: Typed, index: Typed): Typed {
  const at = { pos: node.pos, end: node.end };
  if (obj.type !== 'vec' && obj.type !== 'mask') return fail(obj, msg('only vectors can be indexed, but {0} is {1}', obj.what, typeWord(obj)));
  if (index.type !== 'num') return fail(index, msg('an index must be a unit number, but {0} is {1}', index.what, typeWord(index)));
  const len = obj.len;
  const name = obj.what;
  const range = len === 1 ? msg('{0} has {1} unit, numbered 0–{2}', name, len, len - 1) : msg('{0} has {1} units, numbered 0–{2}', name, len, len - 1);
  if (index.konst !== undefined) {
    const k = index.konst;
    if (!Number.isInteger(k) || k < 0) fail(index, msg('unit index must be a whole number ≥ 0, got {0}', k));
    if (k >= len) fail(index, msg('unit {0} is beyond the size: {1}', k, range));
    const f = obj.f;
    return obj.type === 'vec' ? { type: 'num', f: (s) => (f(s) as ArrayLike<number>)[k], ...at, what: `${name}[${k}]` } : { type: 'bool', f: (s) => (f(s) as Uint8Array)[k] !== 0, ...at, what: `${name}[${k}]` };
  }
  // A computed index (e.g. h[argmax(c)]) is checked when it runs; the error still points here.
  const fi = index.f, fo = obj.f;
  const checked = (s: StepValues): number => {
    const k = fi(s);
    if (!Number.isInteger(k) || k < 0 || k >= len) throw new ExprError(msg('unit index evaluated to {0} at step {1}: {2}', k, s.t, range), index.pos + 1, index.end - index.pos);
    return k;
  };
  return obj.type === 'vec'
    ? { type: 'num', f: (s) => (fo(s) as ArrayLike<number>)[checked(s)], ...at, what: `${name}[…]` }
    : { type: 'bool', f: (s) => (fo(s) as Uint8Array)[checked(s)] !== 0, ...at, what: `${name}[…]` };
}

function validateScope(meta: ExprMeta, opts: CompileOptions, src: string): Scope {
  const layer = opts.layer ?? 0;
  const dir = opts.dir ?? 0;
  if (!Number.isInteger(layer) || layer < 0 || layer >= meta.shape.numLayers) throw new ExprError(msg('default layer {0} does not exist in this network', layer), 1);
  if (dir === 1 && directionCount(meta) < 2) throw new ExprError(msg('default direction is reverse, but this network is not bidirectional'), 1);
  return { layer, dir, src, reads: new Set() };
}

/** Compile any expression (watch, Debug Console, log templates). */
export function compileExpression(source: string, meta: ExprMeta, opts: CompileOptions = {}): CompiledExpr {
  const scope = validateScope(meta, opts, source);
  const typed = compileNode(parse(source), meta, scope);
  const f = typed.f as (s: StepValues) => ExprValue;
  return { source, type: typed.type, length: 'len' in typed ? typed.len : undefined, reads: scope.reads, evaluate: f };
}

/** Compile a breakpoint condition: it must be true/false at each step. */
export function compileCondition(source: string, meta: ExprMeta, opts: CompileOptions = {}): CompiledCondition {
  const scope = validateScope(meta, opts, source);
  const typed = compileNode(parse(source), meta, scope);
  if (typed.type === 'mask') {
    fail(typed, msg('this gives one true/false per unit ({0} units); a condition needs one answer: wrap it in any(…), all(…) or count(…) > k', typed.len));
  }
  if (typed.type !== 'bool') {
    fail(typed, msg('a condition must be true or false, but this is {0}; compare it, e.g. {1}', typeWord(typed), typed.type === 'num' ? `${source.trim()} < 0.2` : 'f.mean < 0.2'));
  }
  const test = typed.f;
  return { source, type: 'bool', reads: scope.reads, evaluate: test, test };
}

/** Names a person can use in this network, for completion and docs. */
export function availableNames(meta: ExprMeta): string[] {
  return [...new Set([...components(meta, 0).map((c) => c.name), ...(meta.cell.family !== 'rnn' ? ['cand'] : []), 't', 'token', ...(meta.steps !== undefined ? ['T'] : [])])];
}

