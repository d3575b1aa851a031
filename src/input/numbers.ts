/**
 * Numbers → a univariate or multivariate sequence.
 * Reads plain lists (comma / semicolon / space / newline separated) and array literals as written in
 * JSON, Python and TypeScript (nested lists → T × features, trailing commas, `_` digit separators,
 * comments, tuples, and wrappers such as `x = np.array([...], dtype=np.float32)` or
 * `const xs: number[] = [...] as const;`). Anything that is not a finite float32 is an error that names
 * its line and column.
 */
import { EncodeOptions, EncodedSequence, HARD_CAP_TOKENS, SpanBuilder, UnrollError, fmtCount, where } from './types';
import { msg } from '../l10n/format';

/** A parsed number table: rows = time steps. Spans are relative to the parsed text. */
export interface NumberTable {
  rows: number;
  cols: number;
  values: Float32Array;
  starts: number[];
  ends: number[];
  /** How it was read, for the description ("JSON/Python/TypeScript array", "list"). */
  form: 'array' | 'list';
  notes: string[];
  /** Where reading stopped (< text.length when the hard cap cut it). */
  end: number;
}

const WORDISH = /[+-]?[\p{L}\p{N}_.$'"()]+/uy;
const NOT_FINITE = /^[+-]?(?:nan|inf|infinity|none|null|undefined)$|(?:np|numpy|math|torch)\.(?:nan|inf)|float\(\s*['"][+-]?(?:nan|inf)|number\.(?:nan|positive_infinity|negative_infinity)/i;
const FLOAT32_MAX = 3.4028234663852886e38;

function isWordChar(c: number): boolean {
  if (c < 128) return (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 122) || c === 95 || c === 46;
  return /[\p{L}\p{N}]/u.test(String.fromCharCode(c));
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isHex = (c: number) => isDigit(c) || ((c | 32) >= 97 && (c | 32) <= 102);

/** Digits with single "_" separators between them (Python/TypeScript); returns the end index. */
function scanDigits(text: string, j: number, digit: (c: number) => boolean): number {
  while (digit(text.charCodeAt(j)) || (text.charCodeAt(j) === 95 && digit(text.charCodeAt(j - 1)) && digit(text.charCodeAt(j + 1)))) j++;
  return j;
}

/**
 * The end of a number literal starting at i (i itself when there is none): [+-] then hex (0x1F) or
 * decimal digits with an optional fraction and exponent. Hand-written: a regex per value was the
 * bottleneck on million-value selections.
 */
function scanNumber(text: string, i: number): number {
  let j = i;
  const s = text.charCodeAt(j);
  if (s === 43 || s === 45) j++;
  if (text.charCodeAt(j) === 48 && (text.charCodeAt(j + 1) | 32) === 120 && isHex(text.charCodeAt(j + 2))) return scanDigits(text, j + 2, isHex);
  const intEnd = scanDigits(text, j, isDigit);
  let end = intEnd;
  if (text.charCodeAt(end) === 46) {
    const fracEnd = scanDigits(text, end + 1, isDigit);
    if (fracEnd > end + 1 || intEnd > j) end = fracEnd;
  }
  if (end === j) return i;
  if ((text.charCodeAt(end) | 32) === 101) {
    let k = end + 1;
    const e = text.charCodeAt(k);
    if (e === 43 || e === 45) k++;
    const expEnd = scanDigits(text, k, isDigit);
    if (expEnd > k) end = expEnd;
  }
  return end;
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * Clinger's fast path: a decimal with ≤ 15 significant digits and a power of ten ≤ 22 is one exact
 * integer times or divided by one exact power of ten, so a single IEEE operation gives the correctly
 * rounded double — the same value as Number(), without a string copy. Undefined when it does not apply.
 */
function fastDecimal(text: string, i: number, end: number): number | undefined {
  let j = i;
  let neg = false;
  const s = text.charCodeAt(j);
  if (s === 45 || s === 43) {
    neg = s === 45;
    j++;
  }
  let mant = 0;
  let digits = 0;
  let scale = 0;
  let seenDot = false;
  for (; j < end; j++) {
    const c = text.charCodeAt(j);
    if (c >= 48 && c <= 57) {
      if (digits > 0 || c !== 48) digits++;
      mant = mant * 10 + (c - 48);
      if (seenDot) scale--;
    } else if (c === 46) seenDot = true;
    else if ((c | 32) === 101) break;
    else return undefined; // "_" or hex: the general path
  }
  if (digits > 15) return undefined;
  if (j < end) {
    let k = j + 1;
    let eneg = false;
    const e = text.charCodeAt(k);
    if (e === 45 || e === 43) {
      eneg = e === 45;
      k++;
    }
    let exp = 0;
    for (; k < end; k++) {
      exp = exp * 10 + (text.charCodeAt(k) - 48);
      if (exp > 400) return undefined;
    }
    scale += eneg ? -exp : exp;
  }
  if (scale < -22 || scale > 22) return undefined;
  const v = scale < 0 ? mant / POW10[-scale] : mant * POW10[scale];
  if (v > FLOAT32_MAX) return undefined;
  return neg ? -v : v;
}

/** Read one number at i, or throw naming the place. Returns the end index and the value. */
function readNumber(text: string, i: number): { end: number; value: number } {
  const end = scanNumber(text, i);
  // A number glued to letters, digits or a second "." (1.2.3, 12abc) is malformed as a whole.
  if (end === i || (end < text.length && isWordChar(text.charCodeAt(end)))) {
    WORDISH.lastIndex = i;
    const w = WORDISH.exec(text);
    const word = w ? w[0] : text.slice(i, i + 1);
    if (NOT_FINITE.test(word)) {
      throw UnrollError.of('{0}: "{1}" is not a finite number; Unroll needs finite values — remove it or replace it with a number.', where(text, i), word);
    }
    throw UnrollError.of('{0}: "{1}" is not a number; numbers look like 3, -0.5 or 1e-3.', where(text, i), word);
  }
  const fast = fastDecimal(text, i, end);
  if (fast !== undefined) return { end, value: fast };
  let raw = text.slice(i, end);
  if (raw.includes('_')) raw = raw.replace(/_/g, '');
  const neg = raw.charCodeAt(0) === 45;
  const body = neg || raw.charCodeAt(0) === 43 ? raw.slice(1) : raw;
  const value = (body.charCodeAt(1) | 32) === 120 ? (neg ? -1 : 1) * parseInt(body.slice(2), 16) : Number(raw);
  if (!Number.isFinite(value) || Math.abs(value) > FLOAT32_MAX) {
    throw UnrollError.of('{0}: {1} is too large for a float32 (max ±3.4e38).', where(text, i), text.slice(i, end));
  }
  return { end, value };
}

/** Skip whitespace and comments (#, //, /* *\/). */
function skip(text: string, i: number): number {
  for (;;) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') i++;
    else if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? text.length : close + 2;
    } else return i;
  }
}

/** True when the text looks like a number list at all (used by reading detection; cheap). */
export function looksNumeric(text: string): boolean {
  let sample = text.length > 4096 ? text.slice(0, 4096) : text;
  // A CSV header line is words: judge by the lines after it.
  const firstBreak = sample.search(/\r|\n/);
  if (firstBreak >= 0 && sample.slice(firstBreak).trim()) sample = sample.slice(firstBreak);
  const digits = (sample.match(/\d/g) ?? []).length;
  const letters = (sample.match(/\p{L}/gu) ?? []).length;
  return digits > 0 && digits * 2 >= letters;
}

/** A plain separated list: `1, 2, 3`, `1 2 3`, one per line, `1; 2; 3`. */
export function parseNumberList(text: string, maxTokens = HARD_CAP_TOKENS): NumberTable {
  const values: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let i = 0;
  let lastSep = true;
  while (i < text.length && values.length < maxTokens) {
    i = skip(text, i);
    if (i >= text.length) break;
    const c = text[i];
    if (c === ',' || c === ';') {
      if (lastSep && values.length > 0) throw UnrollError.of('{0}: empty value between two separators; delete one "{1}".', where(text, i), c);
      lastSep = true;
      i++;
      continue;
    }
    const { end, value } = readNumber(text, i);
    values.push(value);
    starts.push(i);
    ends.push(end);
    lastSep = false;
    i = end;
  }
  if (values.length === 0) throw UnrollError.of('The selection has no numbers.');
  return { rows: values.length, cols: 1, values: Float32Array.from(values), starts, ends, form: 'list', notes: [], end: skip(text, i) };
}

type Node = { start: number; end: number; value?: number; items?: Node[] };

/** Where the array literal starts: after an assignment's "=", else the first "[" that is not a type's "[]". */
function literalStart(text: string): number {
  const eq = text.search(/(?<![=!<>])=(?!=)/);
  const firstDigit = text.search(/\d/);
  if (eq >= 0 && (firstDigit < 0 || eq < firstDigit)) {
    const b = text.indexOf('[', eq);
    if (b >= 0) return b;
  }
  const re = /\[(?!\s*\])/g;
  const m = re.exec(text);
  return m ? m.index : -1;
}

const WRAP_PREFIX = /^\s*(?:(?:export\s+)?(?:const|let|var|final)\s+)?(?:[\p{L}_$][\p{L}\p{N}_$.]*\s*(?::[^=]*)?=\s*)?(?:new\s+)?(?:[\p{L}_$][\p{L}\p{N}_$.]*(?:<[^>]*>)?\s*\(\s*)*$/u;
const WRAP_SUFFIX = /^[\s)]*(?:,[^\n]*\))?[\s)]*(?:\.\s*[\p{L}_$][\p{L}\p{N}_$]*\s*\([^)]*\)\s*)*(?:as\s+const\b)?[\s;]*$/u;

/**
 * A JSON / Python / TypeScript array literal, possibly wrapped (`x = np.array([...])`). Returns null
 * when the text is not an array literal at all (so another reading can be tried); throws when it is one
 * but is malformed.
 */
export function parseArrayLiteral(text: string, maxTokens = HARD_CAP_TOKENS): NumberTable | null {
  if (/^\s*\[\s*\]\s*$/.test(text)) throw UnrollError.of('The array is empty; it needs at least one value.');
  const start = literalStart(text);
  if (start < 0 || !WRAP_PREFIX.test(text.slice(0, start))) return null;
  let capped = false;
  const parse = (i: number, depth: number): Node => {
    i = skip(text, i);
    const c = text[i];
    if (c === '[' || c === '(') {
      if (depth > 2) throw UnrollError.of('{0}: lists nested more than 2 deep; Unroll reads a list of steps, each a number or a list of features.', where(text, i));
      const close = c === '[' ? ']' : ')';
      const items: Node[] = [];
      let j = skip(text, i + 1);
      while (text[j] !== close) {
        if (j >= text.length) throw UnrollError.of('{0}: "{1}" is never closed; add "{2}".', where(text, i), c, close);
        if (depth === 1 && items.length >= maxTokens) {
          // The hard cap: stop reading steps; the rest of the text is reported as unread.
          capped = true;
          return { start: i, end: j, items };
        }
        const item = parse(j, depth + 1);
        items.push(item);
        j = skip(text, item.end);
        if (text[j] === ',') j = skip(text, j + 1);
        else if (text[j] !== close && j < text.length) {
          throw UnrollError.of('{0}: expected "," or "{1}" but found "{2}".', where(text, j), close, text[j]);
        }
      }
      return { start: i, end: j + 1, items };
    }
    if (i >= text.length) throw UnrollError.of('{0}: the list ends early; a value is missing.', where(text, i));
    if (c === ',' ) throw UnrollError.of('{0}: empty value between two commas; delete one ",".', where(text, i));
    const { end, value } = readNumber(text, i);
    return { start: i, end, value };
  };
  const root = parse(start, 1);
  const suffix = capped ? '' : text.slice(root.end);
  if (!capped && !WRAP_SUFFIX.test(suffix)) {
    const at = root.end + suffix.search(/\S/);
    throw UnrollError.of('{0}: unexpected text after the array; select just the array.', where(text, at));
  }
  const items = root.items!;
  if (items.length === 0) throw UnrollError.of('The array is empty; it needs at least one value.');
  const notes: string[] = [];
  const prefix = text.slice(0, start).trim();
  if (prefix || suffix.trim()) notes.push(msg('Read the array literal; ignored the code around it ({0}).', [prefix, suffix.trim()].filter(Boolean).join(' … ')));
  const nested = items[0].items !== undefined;
  const starts: number[] = [];
  const ends: number[] = [];
  if (!nested) {
    const values = new Float32Array(items.length);
    items.forEach((n, t) => {
      if (n.items) throw UnrollError.of('{0}: this list mixes numbers and lists; make every step a number or every step a list.', where(text, n.start));
      values[t] = n.value!;
      starts.push(n.start);
      ends.push(n.end);
    });
    return { rows: items.length, cols: 1, values, starts, ends, form: 'array', notes, end: capped ? root.end : text.length };
  }
  const cols = items[0].items!.length;
  if (cols === 0) throw UnrollError.of('{0}: the first step is an empty list.', where(text, items[0].start));
  const values = new Float32Array(items.length * cols);
  items.forEach((row, t) => {
    if (!row.items) throw UnrollError.of('{0}: this list mixes numbers and lists; make every step a list of {1}.', where(text, row.start), cols);
    if (row.items.length !== cols) {
      throw UnrollError.of('{0}: step {1} has {2} values but step 1 has {3}; every step needs the same number of features.', where(text, row.start), t + 1, row.items.length, cols);
    }
    row.items.forEach((n, k) => {
      if (n.items) throw UnrollError.of('{0}: lists nested more than 2 deep; Unroll reads a list of steps, each a number or a list of features.', where(text, n.start));
      values[t * cols + k] = n.value!;
    });
    starts.push(row.start);
    ends.push(row.end);
  });
  return { rows: items.length, cols, values, starts, ends, form: 'array', notes, end: capped ? root.end : text.length };
}

/** Turn a parsed table into an encoded sequence (offsets made absolute). */
export function tableToSequence(text: string, table: NumberTable, encoding: 'numbers' | 'csv', description: string, opts: EncodeOptions & { featureNames?: string[] } = {}): EncodedSequence {
  const base = opts.baseOffset ?? 0;
  const spans = new SpanBuilder(table.rows);
  for (let t = 0; t < table.rows; t++) spans.push(base + table.starts[t], table.ends[t] - table.starts[t]);
  const seq: EncodedSequence = {
    encoding,
    description,
    steps: table.rows,
    inputSize: table.cols,
    ...spans.finish(),
    values: table.values,
    unknownCount: 0,
    featureNames: opts.featureNames,
    source: text,
    baseOffset: base,
    model: 'random-sized-to-data',
    notes: [...table.notes],
  };
  if (table.end < text.length && text.slice(table.end).trim()) {
    seq.truncated = { kept: table.rows, reason: 'hard-cap', unreadChars: text.length - table.end };
    seq.notes.push(msg('Truncated to the first {0} steps (the hard cap); the last {1} characters were not read.', fmtCount(table.rows), fmtCount(text.length - table.end)));
  }
  return seq;
}

/** Numbers (array literal if there is one, else a plain list) → sequence. */
export function encodeNumbers(text: string, opts: EncodeOptions = {}): EncodedSequence {
  const table = parseArrayLiteral(text, opts.maxTokens) ?? parseNumberList(text, opts.maxTokens);
  const shape = table.cols === 1 ? msg('{0} values', fmtCount(table.rows)) : msg('{0} steps × {1} features', fmtCount(table.rows), table.cols);
  const description = table.form === 'array' ? msg('numbers, array literal ({0})', shape) : msg('numbers, number list ({0})', shape);
  return tableToSequence(text, table, 'numbers', description, opts);
}

const isSpaceCode = (c: number) => c === 32 || c === 9;

/**
 * The finite number spelled by text[start, end) (surrounding spaces allowed), or undefined. Reads in
 * place — no substring per cell — for CSV columns of a million cells.
 */
export function numberInRange(text: string, start: number, end: number): number | undefined {
  let s = start;
  let e = end;
  while (s < e && isSpaceCode(text.charCodeAt(s))) s++;
  while (e > s && isSpaceCode(text.charCodeAt(e - 1))) e--;
  if (s === e || scanNumber(text, s) !== e) return undefined;
  const fast = fastDecimal(text, s, e);
  if (fast !== undefined) return fast;
  try {
    const v = readNumber(text.slice(s, e), 0).value;
    return v;
  } catch {
    return undefined;
  }
}
