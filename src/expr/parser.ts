/**
 * Tokenizer and recursive-descent parser of the Unroll expression language (see docs/expressions.md).
 * Pure and bounded: the text length, number/string literal sizes and nesting depth are all capped, so
 * hostile input (1 MB of text, 10,000 nested parentheses, 1e999999) fails fast with a column-accurate error.
 */
import { msg } from '../l10n/format';
import { ExprError } from './errors';

export const LIMITS = {
  /** Longest expression accepted, in characters. */
  maxLength: 4096,
  /** Deepest nesting of parentheses, unary operators, calls and indexes. */
  maxDepth: 64,
  /** Longest number literal, in characters. */
  maxNumberChars: 40,
  /** Longest string literal, in characters (tokens are short). */
  maxStringChars: 256,
  /** Most tokens (numbers, names, operators) in one expression. */
  maxTokens: 2048,
} as const;

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '<' | '<=' | '>' | '>=' | '==' | '!=' | '&&' | '||';
export type UnaryOp = '-' | '+' | '!';

/**
 * Offsets are 0-based: `start` is the node's first character, `end` one past its last, and `pos` its
 * anchor (an operator, a function name, the '[' of an index) where errors about it point.
 */
interface NodeBase {
  start: number;
  pos: number;
  end: number;
}
export type Node =
  | (NodeBase & { kind: 'num'; value: number })
  | (NodeBase & { kind: 'str'; value: string })
  | (NodeBase & { kind: 'name'; name: string })
  | (NodeBase & { kind: 'unary'; op: UnaryOp; arg: Node })
  | (NodeBase & { kind: 'binary'; op: BinaryOp; left: Node; right: Node })
  | (NodeBase & { kind: 'call'; fn: string; args: Node[] })
  | (NodeBase & { kind: 'member'; object: Node; member: string; memberPos: number })
  | (NodeBase & { kind: 'index'; object: Node; index: Node })
  /** `l1.…`, `rev.…`, `l1.rev.(…)`: the body is read in that layer/direction. */
  | (NodeBase & { kind: 'scope'; layer?: number; dir?: 0 | 1; body: Node });

type TokKind = 'num' | 'str' | 'ident' | 'op' | 'eof';
interface Tok {
  kind: TokKind;
  text: string;
  pos: number;
  value?: number | string;
}

const OPS = ['&&', '||', '==', '!=', '<=', '>=', '<', '>', '+', '-', '*', '/', '%', '!', '(', ')', '[', ']', ',', '.'];
const COMBINING_TILDE = '\u0303';
const WORD_OPS: Record<string, string> = { and: '&&', or: '||', not: '!' };

function isIdentStart(ch: string): boolean {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch === '_';
}
function isDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9';
}

export function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
      continue;
    }
    const start = i;
    if (isDigit(ch) || (ch === '.' && isDigit(src[i + 1] ?? ''))) {
      while (isDigit(src[i] ?? '')) i++;
      if (src[i] === '.' && isDigit(src[i + 1] ?? '')) {
        i++;
        while (isDigit(src[i] ?? '')) i++;
      } else if (src[i] === '.' && !isIdentStart(src[i + 1] ?? '')) {
        i++; // "1." is a number; "x.mean" is a member
      }
      if ((src[i] === 'e' || src[i] === 'E') && (isDigit(src[i + 1] ?? '') || (/[+-]/.test(src[i + 1] ?? '') && isDigit(src[i + 2] ?? '')))) {
        i += 2;
        while (isDigit(src[i] ?? '')) i++;
      }
      const text = src.slice(start, i);
      if (text.length > LIMITS.maxNumberChars) {
        throw new ExprError(msg('number literal is too long ({0} characters; at most {1})', text.length, LIMITS.maxNumberChars), start + 1, text.length);
      }
      const value = Number(text);
      if (!Number.isFinite(value)) throw new ExprError(msg('number {0} is too large for float64', text), start + 1, text.length);
      if (isIdentStart(src[i] ?? '')) throw new ExprError(msg('unexpected \'{0}\' right after the number {1}', src[i], text), i + 1);
      toks.push({ kind: 'num', text, pos: start, value });
      continue;
    }
    if (isIdentStart(ch)) {
      while (i < src.length && (isIdentStart(src[i]) || isDigit(src[i]) || src[i] === COMBINING_TILDE)) i++;
      const text = src.slice(start, i);
      if (Object.hasOwn(WORD_OPS, text)) throw new ExprError(msg('\'{0}\' is not an operator here: use \'{1}\'', text, WORD_OPS[text]), start + 1, text.length);
      toks.push({ kind: 'ident', text, pos: start });
      continue;
    }
    if (ch === '"' || ch === "'") {
      i++;
      let value = '';
      for (;;) {
        if (i >= src.length) throw new ExprError(msg('string is not closed: add the matching quote'), start + 1);
        const c = src[i];
        if (c === ch) break;
        if (c === '\\') {
          const e = src[i + 1];
          const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", s: ' ' };
          if (e === undefined || !(e in map)) throw new ExprError(msg("unknown escape '\\{0}' (use \\n \\t \\r \\s \\\\ \\\" \\')", e ?? ''), i + 1, 2);
          value += map[e];
          i += 2;
        } else {
          value += c;
          i++;
        }
        if (value.length > LIMITS.maxStringChars) {
          throw new ExprError(msg('string literal is too long (at most {0} characters)', LIMITS.maxStringChars), start + 1);
        }
      }
      i++;
      toks.push({ kind: 'str', text: src.slice(start, i), pos: start, value });
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (op) {
      toks.push({ kind: 'op', text: op, pos: start });
      i += op.length;
      continue;
    }
    const hints: Record<string, () => string> = {
      '=': () => msg("use '==' to compare"),
      '&': () => msg("use '&&' (and)"),
      '|': () => msg("use '||' (or)"),
      '^': () => msg('there is no power operator; use exp/log/sqrt'),
    };
    const shownChar = ch.codePointAt(0)! > 0x7e || ch < ' ' ? `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` : `'${ch}'`;
    const hint = Object.hasOwn(hints, ch) ? hints[ch] : undefined;
    throw new ExprError(hint ? msg('unexpected character {0}: {1}', shownChar, hint()) : msg('unexpected character {0}', shownChar), start + 1);
  }
  toks.push({ kind: 'eof', text: '', pos: src.length });
  return toks;
}

const QUALIFIER = /^(l(\d{1,3})|fwd|rev)$/;

/** Parse an expression into a tree, or throw an ExprError pointing at the offending character. */
export function parse(src: string): Node {
  if (src.length > LIMITS.maxLength) {
    throw new ExprError(msg('expression is too long ({0} characters; at most {1})', src.length, LIMITS.maxLength), LIMITS.maxLength + 1);
  }
  if (src.trim() === '') throw new ExprError(msg('expression is empty'), 1);
  const toks = tokenize(src);
  if (toks.length - 1 > LIMITS.maxTokens) throw new ExprError(msg('expression has too many parts (at most {0})', LIMITS.maxTokens), toks[LIMITS.maxTokens].pos + 1);
  let k = 0;
  let depth = 0;
  const peek = (): Tok => toks[k];
  const isOp = (text: string): boolean => toks[k].kind === 'op' && toks[k].text === text;
  const describe = (t: Tok): string => (t.kind === 'eof' ? msg('the end of the expression') : `'${t.text}'`);
  const expect = (text: string, why: string): Tok => {
    if (!isOp(text)) throw new ExprError(msg('expected \'{0}\' {1}, found {2}', text, why, describe(peek())), peek().pos + 1, Math.max(1, peek().text.length));
    return toks[k++];
  };
  const enter = (at: Tok): void => {
    if (++depth > LIMITS.maxDepth) throw new ExprError(msg('expression is nested too deeply (more than {0} levels)', LIMITS.maxDepth), at.pos + 1);
  };

  const binaryLevel = (ops: readonly string[], next: () => Node, chainable: boolean): (() => Node) => () => {
    let left = next();
    while (peek().kind === 'op' && ops.includes(peek().text)) {
      const opTok = toks[k++];
      const right = next();
      left = { kind: 'binary', op: opTok.text as BinaryOp, left, right, start: left.start, pos: opTok.pos, end: right.end };
      if (!chainable && peek().kind === 'op' && ops.includes(peek().text)) {
        throw new ExprError(msg('comparisons cannot be chained: write (a {0} b) && (b {1} c)', opTok.text, peek().text), peek().pos + 1, peek().text.length);
      }
    }
    return left;
  };
  const parseUnary = (): Node => {
    const t = peek();
    if (t.kind === 'op' && (t.text === '-' || t.text === '+' || t.text === '!')) {
      k++;
      enter(t);
      const arg = parseUnary();
      depth--;
      return { kind: 'unary', op: t.text as UnaryOp, arg, start: t.pos, pos: t.pos, end: arg.end };
    }
    return parsePostfix();
  };
  const parseMul = binaryLevel(['*', '/', '%'], parseUnary, true);
  const parseAdd = binaryLevel(['+', '-'], parseMul, true);
  const parseRel = binaryLevel(['<', '<=', '>', '>='], parseAdd, false);
  const parseEq = binaryLevel(['==', '!='], parseRel, false);
  const parseAnd = binaryLevel(['&&'], parseEq, true);
  const parseOr = binaryLevel(['||'], parseAnd, true);
  const parseTop = (): Node => {
    const saved = depth;
    const n = parseOr();
    depth = saved;
    return n;
  };

  function parsePostfix(): Node {
    let node = parsePrimary();
    for (;;) {
      if (isOp('.')) {
        k++;
        const nameTok = peek();
        if (nameTok.kind !== 'ident') {
          throw new ExprError(msg('expected a reduction name after \'.\' (mean, min, max, sum, std, norm, argmax, argmin), found {0}', describe(nameTok)), nameTok.pos + 1);
        }
        k++;
        node = { kind: 'member', object: node, member: nameTok.text, memberPos: nameTok.pos, start: node.start, pos: nameTok.pos, end: nameTok.pos + nameTok.text.length };
      } else if (isOp('[')) {
        const open = toks[k++];
        enter(open);
        const index = parseTop();
        const close = expect(']', msg('to close the index'));
        depth--;
        node = { kind: 'index', object: node, index, start: node.start, pos: open.pos, end: close.pos + 1 };
      } else {
        return node;
      }
    }
  }

  function parsePrimary(): Node {
    const t = peek();
    if (t.kind === 'num') {
      k++;
      return { kind: 'num', value: t.value as number, start: t.pos, pos: t.pos, end: t.pos + t.text.length };
    }
    if (t.kind === 'str') {
      k++;
      return { kind: 'str', value: t.value as string, start: t.pos, pos: t.pos, end: t.pos + t.text.length };
    }
    if (t.kind === 'ident') {
      k++;
      const q = QUALIFIER.exec(t.text);
      if (q && isOp('.')) return parseScope(t, q);
      if (isOp('(')) {
        enter(toks[k]);
        k++;
        const args: Node[] = [];
        if (!isOp(')')) {
          for (;;) {
            args.push(parseTop());
            if (isOp(',')) {
              k++;
              continue;
            }
            break;
          }
        }
        const close = expect(')', msg('to close the call of {0}(', t.text));
        depth--;
        return { kind: 'call', fn: t.text, args, start: t.pos, pos: t.pos, end: close.pos + 1 };
      }
      return { kind: 'name', name: t.text, start: t.pos, pos: t.pos, end: t.pos + t.text.length };
    }
    if (isOp('(')) {
      enter(t);
      k++;
      const inner = parseTop();
      const close = expect(')', msg('to close the parenthesis'));
      depth--;
      return { ...inner, start: t.pos, end: close.pos + 1 };
    }
    if (t.kind === 'eof') throw new ExprError(msg('expression ends too early: a value is missing here'), t.pos + 1);
    throw new ExprError(msg('expected a number, a name or \'(\' but found \'{0}\'', t.text), t.pos + 1, t.text.length);
  }

  /** `l1.rev.h`, `rev.(h - h_prev).norm`: qualifiers then one name or parenthesised body. */
  function parseScope(first: Tok, firstMatch: RegExpExecArray): Node {
    let layer: number | undefined;
    let dir: 0 | 1 | undefined;
    const apply = (tok: Tok, m: RegExpExecArray): void => {
      if (m[2] !== undefined) {
        if (layer !== undefined) throw new ExprError(msg('layer given twice (\'{0}\')', tok.text), tok.pos + 1, tok.text.length);
        layer = Number(m[2]);
      } else {
        if (dir !== undefined) throw new ExprError(msg('direction given twice (\'{0}\')', tok.text), tok.pos + 1, tok.text.length);
        dir = tok.text === 'rev' ? 1 : 0;
      }
    };
    apply(first, firstMatch);
    for (;;) {
      expect('.', msg('after the qualifier'));
      const t = peek();
      const m = t.kind === 'ident' ? QUALIFIER.exec(t.text) : null;
      if (m && toks[k + 1].kind === 'op' && toks[k + 1].text === '.') {
        k++;
        apply(t, m);
        continue;
      }
      if (t.kind === 'ident' || isOp('(')) {
        // The qualifier binds to one primary (a name, a call or a parenthesised group); reductions and
        // indexes after it apply to that value.
        enter(t);
        const body = parsePostfix();
        depth--;
        return { kind: 'scope', layer, dir, body, start: first.pos, pos: first.pos, end: body.end };
      }
      throw new ExprError(msg('expected a name or \'(\' after the qualifier \'{0}.\', found {1}', first.text, describe(t)), t.pos + 1);
    }
  }
  const root = parseTop();
  if (peek().kind !== 'eof') {
    const t = peek();
    const unmatched = t.kind === 'op' && t.text === ')';
    throw new ExprError(
      unmatched ? msg('unexpected {0} after a complete expression: this parenthesis has no matching (', describe(t)) : msg('unexpected {0} after a complete expression', describe(t)),
      t.pos + 1,
      Math.max(1, t.text.length),
    );
  }
  return root;
}
