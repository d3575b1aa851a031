/**
 * Numbers → a univariate or multivariate sequence.
 * Reads plain lists (comma / semicolon / space / newline separated) and array literals as written in
 * JSON, Python and TypeScript (nested lists → T × features, trailing commas, `_` digit separators,
 * comments, tuples, and wrappers such as `x = np.array([...], dtype=np.float32)` or
 * `const xs: number[] = [...] as const;`). Anything that is not a finite float32 is an error that names
 * its line and column.
 */
import { EncodeOptions, EncodedSequence, HARD_CAP_TOKENS, SpanBuilder, UnrollError, fmtCount, where } from './types';

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

const NUMBER = /[+-]?(?:0[xX][0-9a-fA-F](?:_?[0-9a-fA-F])*|(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?)/y;
const WORDISH = /[+-]?[\p{L}\p{N}_.$'"()]+/uy;
const NOT_FINITE = /^[+-]?(?:nan|inf|infinity|none|null|undefined)$|(?:np|numpy|math|torch)\.(?:nan|inf)|float\(\s*['"][+-]?(?:nan|inf)|number\.(?:nan|positive_infinity|negative_infinity)/i;
const FLOAT32_MAX = 3.4028234663852886e38;

/** Read one number at i, or throw naming the place. Returns the end index and the value. */
function readNumber(text: string, i: number): { end: number; value: number } {
  NUMBER.lastIndex = i;
  const m = NUMBER.exec(text);
  const end = m ? i + m[0].length : i;
  const next = text.charCodeAt(end);
  // A number glued to letters, digits or a second "." (1.2.3, 12abc) is malformed as a whole.
  const glued = end < text.length && /[\p{L}\p{N}_.]/u.test(String.fromCharCode(next));
  if (!m || m[0] === '+' || m[0] === '-' || glued) {
    WORDISH.lastIndex = i;
    const w = WORDISH.exec(text);
    const word = w ? w[0] : text.slice(i, i + 1);
    if (NOT_FINITE.test(word)) {
      throw new UnrollError(`${where(text, i)}: "${word}" is not a finite number; Unroll needs finite values — remove it or replace it with a number.`);
    }
    throw new UnrollError(`${where(text, i)}: "${word}" is not a number; numbers look like 3, -0.5 or 1e-3.`);
  }
  const raw = m[0].replace(/_/g, '');
  const value = /^[+-]?0x/i.test(raw) ? (raw.startsWith('-') ? -1 : 1) * parseInt(raw.replace(/^[+-]/, ''), 16) : Number(raw);
  if (!Number.isFinite(value) || Math.abs(value) > FLOAT32_MAX) {
    throw new UnrollError(`${where(text, i)}: ${m[0]} is too large for a float32 (max ±3.4e38).`);
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
  const sample = text.length > 4096 ? text.slice(0, 4096) : text;
  const digits = (sample.match(/\d/g) ?? []).length;
  const letters = (sample.match(/\p{L}/gu) ?? []).length;
  return digits > 0 && digits >= letters * 2;
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
      if (lastSep && values.length > 0) throw new UnrollError(`${where(text, i)}: empty value between two separators; delete one "${c}".`);
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
  if (values.length === 0) throw new UnrollError('The selection has no numbers.');
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
  const start = literalStart(text);
  if (start < 0 || !WRAP_PREFIX.test(text.slice(0, start))) return null;
  let capped = false;
  const parse = (i: number, depth: number): Node => {
    i = skip(text, i);
    const c = text[i];
    if (c === '[' || c === '(') {
      if (depth > 2) throw new UnrollError(`${where(text, i)}: lists nested more than 2 deep; Unroll reads a list of steps, each a number or a list of features.`);
      const close = c === '[' ? ']' : ')';
      const items: Node[] = [];
      let j = skip(text, i + 1);
      while (text[j] !== close) {
        if (j >= text.length) throw new UnrollError(`${where(text, i)}: "${c}" is never closed; add "${close}".`);
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
          throw new UnrollError(`${where(text, j)}: expected "," or "${close}" but found "${text[j]}".`);
        }
      }
      return { start: i, end: j + 1, items };
    }
    if (i >= text.length) throw new UnrollError(`${where(text, i)}: the list ends early; a value is missing.`);
    if (c === ',' ) throw new UnrollError(`${where(text, i)}: empty value between two commas; delete one ",".`);
    const { end, value } = readNumber(text, i);
    return { start: i, end, value };
  };
  const root = parse(start, 1);
  const suffix = capped ? '' : text.slice(root.end);
  if (!capped && !WRAP_SUFFIX.test(suffix)) {
    const at = root.end + suffix.search(/\S/);
    throw new UnrollError(`${where(text, at)}: unexpected text after the array; select just the array.`);
  }
  const items = root.items!;
  if (items.length === 0) throw new UnrollError('The array is empty; it needs at least one value.');
  const notes: string[] = [];
  const prefix = text.slice(0, start).trim();
  if (prefix || suffix.trim()) notes.push(`Read the array literal; ignored the code around it (${[prefix, suffix.trim()].filter(Boolean).join(' … ')}).`);
  const nested = items[0].items !== undefined;
  const starts: number[] = [];
  const ends: number[] = [];
  if (!nested) {
    const values = new Float32Array(items.length);
    items.forEach((n, t) => {
      if (n.items) throw new UnrollError(`${where(text, n.start)}: this list mixes numbers and lists; make every step a number or every step a list.`);
      values[t] = n.value!;
      starts.push(n.start);
      ends.push(n.end);
    });
    return { rows: items.length, cols: 1, values, starts, ends, form: 'array', notes, end: capped ? root.end : text.length };
  }
  const cols = items[0].items!.length;
  if (cols === 0) throw new UnrollError(`${where(text, items[0].start)}: the first step is an empty list.`);
  const values = new Float32Array(items.length * cols);
  items.forEach((row, t) => {
    if (!row.items) throw new UnrollError(`${where(text, row.start)}: this list mixes numbers and lists; make every step a list of ${cols}.`);
    if (row.items.length !== cols) {
      throw new UnrollError(`${where(text, row.start)}: step ${t + 1} has ${row.items.length} values but step 1 has ${cols}; every step needs the same number of features.`);
    }
    row.items.forEach((n, k) => {
      if (n.items) throw new UnrollError(`${where(text, n.start)}: lists nested more than 2 deep; Unroll reads a list of steps, each a number or a list of features.`);
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
    seq.notes.push(`Truncated to the first ${fmtCount(table.rows)} steps (the hard cap); the last ${fmtCount(text.length - table.end)} characters were not read.`);
  }
  return seq;
}

/** Numbers (array literal if there is one, else a plain list) → sequence. */
export function encodeNumbers(text: string, opts: EncodeOptions = {}): EncodedSequence {
  const table = parseArrayLiteral(text, opts.maxTokens) ?? parseNumberList(text, opts.maxTokens);
  const shape = table.cols === 1 ? `${fmtCount(table.rows)} values` : `${fmtCount(table.rows)} steps × ${table.cols} features`;
  const form = table.form === 'array' ? 'array literal' : 'number list';
  return tableToSequence(text, table, 'numbers', `numbers, ${form} (${shape})`, opts);
}
