/**
 * Type-checks an expression against a network's shape and compiles it to a tree of closures.
 * Everything a person can get wrong — unknown names, gates the cell lacks, units beyond the hidden size,
 * layers or directions the network does not have, type mix-ups — is reported here, before any step runs.
 */
import { parse, type Node } from './parser';
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
    if (family === 'rnn') fail(at, `'${raw}' is a candidate gate, but a plain RNN cell has no gates (it has x, h_prev, h)`);
    name = family === 'lstm' ? 'g' : 'n';
  }
  const comps = components(meta, scope.layer);
  const comp = comps.find((c) => c.name === name);
  if (!comp) {
    const all = ['i', 'f', 'g', 'o', 'r', 'z', 'n', 'c', 'c_prev', 'm'];
    const have = comps.map((c) => c.name).join(', ');
    const cellWord = family === 'lstm' ? (meta.cell.projSize > 0 ? 'projected LSTM' : 'LSTM') : family === 'gru' ? 'GRU' : 'RNN';
    if (all.includes(name)) {
      const why = name === 'm' ? `${cellWord} cells without a projection have no m (m_t exists only when proj_size > 0)` : `the ${cellWord} cell has no '${raw}'`;
      fail(at, `${why}; it has ${have}`);
    }
    fail(at, `unknown name '${raw}'${didYouMean(raw, allNames(meta))}; names are ${[...comps.map((c) => c.name), 't', 'token'].join(', ')}`);
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
  const hint = t.type === 'bool' || t.type === 'mask' ? ' (true/false values cannot be added or compared by size; use count(...) to turn them into a number)' : '';
  return fail(t, `'${op}' needs numbers or vectors, but ${t.what} is ${typeWord(t)}${hint}`);
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
        fail({ pos: node.pos, end: node.pos + 1 + String(node.layer).length }, `layer ${node.layer} does not exist: this network has ${layers} layer${layers === 1 ? '' : 's'} (${Array.from({ length: layers }, (_, i) => 'l' + i).join(', ')})`);
      }
      if (node.dir === 1 && directionCount(meta) < 2) fail({ pos: node.pos, end: node.pos + 3 }, `'rev' reads the reverse direction, but this network is not bidirectional`);
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
        return fail(arg, `'!' needs a true/false value, but ${arg.what} is ${typeWord(arg)}; compare it first, e.g. !(x > 0)`);
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
        if (left.type !== right.type) fail(opAt, `'${op}' compares ${left.what} (${typeWord(left)}) with ${right.what} (${typeWord(right)}); both sides must be the same kind`);
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
    if (side.type !== 'bool' && side.type !== 'mask') fail(side, `'${op}' needs true/false on both sides, but ${side.what} is ${typeWord(side)}; compare it, e.g. ${side.what} > 0`);
  }
  if (left.type === 'bool' && right.type === 'bool') {
    const fl = left.f, fr = right.f;
    return op === '&&' ? { type: 'bool', f: (s) => fl(s) && fr(s), ...at, what } : { type: 'bool', f: (s) => fl(s) || fr(s), ...at, what };
  }
  // Elementwise on masks (a true/false scalar broadcasts to every unit).
  const len = left.type === 'mask' ? left.len : (right as { len: number }).len;
  if (left.type === 'mask' && right.type === 'mask' && left.len !== right.len) fail(at, `${left.what} has ${left.len} units but ${right.what} has ${right.len}`);
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
  if (obj.type !== 'vec' && obj.type !== 'mask') return fail(obj, `only vectors can be indexed, but ${obj.what} is ${typeWord(obj)}`);
  if (index.type !== 'num') return fail(index, `an index must be a unit number, but ${index.what} is ${typeWord(index)}`);
  const len = obj.len;
  const name = obj.what;
  const range = `${name} has ${len} unit${len === 1 ? '' : 's'}, numbered 0–${len - 1}`;
  if (index.konst !== undefined) {
    const k = index.konst;
    if (!Number.isInteger(k) || k < 0) fail(index, `unit index must be a whole number ≥ 0, got ${k}`);
    if (k >= len) fail(index, `unit ${k} is beyond the size: ${range}`);
    const f = obj.f;
    return obj.type === 'vec' ? { type: 'num', f: (s) => (f(s) as ArrayLike<number>)[k], ...at, what: `${name}[${k}]` } : { type: 'bool', f: (s) => (f(s) as Uint8Array)[k] !== 0, ...at, what: `${name}[${k}]` };
  }
  // A computed index (e.g. h[argmax(c)]) is checked when it runs; the error still points here.
  const fi = index.f, fo = obj.f;
  const checked = (s: StepValues): number => {
    const k = fi(s);
    if (!Number.isInteger(k) || k < 0 || k >= len) throw new ExprError(`unit index evaluated to ${k} at step ${s.t}: ${range}`, index.pos + 1, index.end - index.pos);
    return k;
  };
  return obj.type === 'vec'
    ? { type: 'num', f: (s) => (fo(s) as ArrayLike<number>)[checked(s)], ...at, what: `${name}[…]` }
    : { type: 'bool', f: (s) => (fo(s) as Uint8Array)[checked(s)] !== 0, ...at, what: `${name}[…]` };
}

function validateScope(meta: ExprMeta, opts: CompileOptions, src: string): Scope {
  const layer = opts.layer ?? 0;
  const dir = opts.dir ?? 0;
  if (!Number.isInteger(layer) || layer < 0 || layer >= meta.shape.numLayers) throw new ExprError(`default layer ${layer} does not exist in this network`, 1);
  if (dir === 1 && directionCount(meta) < 2) throw new ExprError('default direction is reverse, but this network is not bidirectional', 1);
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
    fail(typed, `this gives one true/false per unit (${typed.len} units); a condition needs one answer: wrap it in any(…), all(…) or count(…) > k`);
  }
  if (typed.type !== 'bool') {
    fail(typed, `a condition must be true or false, but this is ${typeWord(typed)}; compare it, e.g. ${typed.type === 'num' ? `${source.trim()} < 0.2` : 'f.mean < 0.2'}`);
  }
  const test = typed.f;
  return { source, type: 'bool', reads: scope.reads, evaluate: test, test };
}

/** Names a person can use in this network, for completion and docs. */
export function availableNames(meta: ExprMeta): string[] {
  return [...new Set([...components(meta, 0).map((c) => c.name), ...(meta.cell.family !== 'rnn' ? ['cand'] : []), 't', 'token', ...(meta.steps !== undefined ? ['T'] : [])])];
}

