/**
 * Shapes shared by the sequence encoders. Pure: no `vscode` import, no I/O.
 *
 * Tokens are stored as parallel typed arrays (struct of arrays) rather than one object per token: a
 * 1,000,000-token selection then costs a few MB and a hover finds its step by binary search.
 */
import { UnrollError } from '../engine/types';
import { msg } from '../l10n/format';

export { UnrollError };

/** How the selected text becomes x[0..T). */
export type EncodingKind = 'chars' | 'words' | 'numbers' | 'csv';

/** A vocabulary for one-hot (or embedding-id) inputs. */
export interface Vocabulary {
  /** 'char': each symbol is one code point ("\n" for any line break); 'word': whole tokens. */
  level: 'char' | 'word';
  symbols: readonly string[];
  unkId: number;
  /** symbol → id (built once by `makeVocabulary`). */
  index: ReadonlyMap<string, number>;
}

/**
 * What the network on the other side reads; decides which readings fit.
 * - `default`: no model chosen. Text goes to the built-in character model (its vocabulary), words to a
 *   seeded random network over hashed embeddings, numbers to a seeded random network sized to the data.
 * - `vocab`: a model over a vocabulary (one-hot / embedding ids).
 * - `dense`: a model that reads `inputSize` floats per step (a loaded ONNX/PyTorch/random model).
 */
export type InputTarget =
  | {
      kind: 'default';
      charVocab: Vocabulary;
      hashedDim: number;
      seed: number;
      /** Numbers for the random network are z-scored per column; undefined: `standardizeNumbersByDefault()` (the setting). */
      standardize?: boolean;
    }
  | { kind: 'vocab'; vocab: Vocabulary; modelName: string }
  | { kind: 'dense'; inputSize: number; modelName: string; seed?: number };

/** Which network the sequence should run through when the target is `default`. */
export type ModelHint = 'char-model' | 'random-sized-to-data' | 'given';

export interface Truncation {
  /** Steps kept. */
  kept: number;
  /** Why: the hard cap or the person's choice. */
  reason: 'hard-cap' | 'limit';
  /** Characters of the selection that were not read (0 when unknown). */
  unreadChars: number;
}

export interface EncodedSequence {
  encoding: EncodingKind;
  /** One line for people: "characters, 97-symbol vocabulary (3 unknown)". */
  description: string;
  steps: number;
  /** Width of x_t. */
  inputSize: number;
  /** Absolute document offset of token t (UTF-16 code units, the unit of `TextDocument.offsetAt`). */
  offsets: Uint32Array;
  /** Length of token t in the document, code units (a CRLF newline is 2, a non-BMP character 2). */
  lengths: Uint32Array;
  /** One-hot ids (x_t = e_{ids[t]}) when the input is over a vocabulary; otherwise undefined. */
  ids?: Int32Array;
  /** Dense x, T × inputSize row-major, when not one-hot. */
  values?: Float32Array;
  /** 1 where token t fell back to the unknown id (shown marked). */
  unknown?: Uint8Array;
  unknownCount: number;
  /** Column names for multivariate numbers (CSV headers or "column 1", …). */
  featureNames?: string[];
  /** The selection text and its document offset, for token labels (`tokenText`). */
  source: string;
  baseOffset: number;
  truncated?: Truncation;
  /** Which network fits (see `InputTarget`). */
  model: ModelHint;
  /** Extra facts to show (skipped CSV columns, ignored wrapper text, …). */
  notes: string[];
  /**
   * Set when `values` are per-column z-scores of the selected numbers (for the random network): the raw
   * column means and stds, and the notice saying so (also in `notes`). Token texts stay the raw numbers.
   */
  standardized?: { mean: number[]; std: number[]; note: string };
}

/** Options every encoder accepts. */
export interface EncodeOptions {
  /** Document offset of the first character of `text`. */
  baseOffset?: number;
  /** Stop after this many tokens (the hard cap); the rest is reported as truncated. */
  maxTokens?: number;
}

export const HARD_CAP_TOKENS = 1_000_000;
export const DEFAULT_TOKEN_LIMIT = 100_000;

/** 1-based line and column of `offset` in `text` (columns count UTF-16 units, like VS Code). */
export function lineCol(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

/** "line 3, column 7" for an offset inside the selection text. */
export function where(text: string, offset: number): string {
  const { line, column } = lineCol(text, offset);
  return msg('line {0}, column {1}', line, column);
}

/** The document text of step t. */
/** What tokenText reads: the text and where each token lies in it (the worker gets only this). */
export type TokenTable = Pick<EncodedSequence, 'source' | 'baseOffset' | 'offsets' | 'lengths'>;

export function tokenText(seq: TokenTable, t: number): string {
  const start = seq.offsets[t] - seq.baseOffset;
  return seq.source.slice(start, start + seq.lengths[t]);
}

/** A short, visible label for step t: line breaks and tabs are drawn, not printed. */
export function tokenLabel(seq: EncodedSequence, t: number): string {
  const s = tokenText(seq, t);
  if (s === '\r\n' || s === '\n' || s === '\r') return '⏎';
  if (s === '\t') return '⇥';
  if (s === ' ') return '␠';
  return s.length > 24 ? `${s.slice(0, 23)}…` : s;
}

/**
 * The step whose token covers document offset `offset`, or -1. Offsets are increasing, so binary search:
 * O(log T) even for a million steps.
 */
export function stepAtOffset(seq: EncodedSequence, offset: number): number {
  let lo = 0;
  let hi = seq.steps - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const start = seq.offsets[mid];
    if (offset < start) hi = mid - 1;
    else if (offset >= start + seq.lengths[mid]) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** x as a dense T × inputSize array (one-hot rows for vocabulary inputs). */
export function toDense(seq: EncodedSequence): Float32Array {
  if (seq.values) return seq.values;
  const x = new Float32Array(seq.steps * seq.inputSize);
  const ids = seq.ids!;
  for (let t = 0; t < seq.steps; t++) x[t * seq.inputSize + ids[t]] = 1;
  return x;
}

/** The first `n` steps of a sequence (used when the person chooses to truncate at the limit). */
export function truncateSequence(seq: EncodedSequence, n: number): EncodedSequence {
  if (n >= seq.steps) return seq;
  const unreadFrom = seq.offsets[n] - seq.baseOffset;
  let unknownCount = 0;
  const unknown = seq.unknown?.slice(0, n);
  if (unknown) for (let t = 0; t < n; t++) unknownCount += unknown[t];
  return {
    ...seq,
    steps: n,
    offsets: seq.offsets.slice(0, n),
    lengths: seq.lengths.slice(0, n),
    ids: seq.ids?.slice(0, n),
    values: seq.values?.slice(0, n * seq.inputSize),
    unknown,
    unknownCount,
    truncated: { kept: n, reason: 'limit', unreadChars: seq.source.length - unreadFrom },
  };
}

/** Grow-on-demand token span buffers, shared by the encoders. */
export class SpanBuilder {
  offsets: Uint32Array;
  lengths: Uint32Array;
  count = 0;
  constructor(capacityHint: number) {
    const cap = Math.max(16, capacityHint);
    this.offsets = new Uint32Array(cap);
    this.lengths = new Uint32Array(cap);
  }
  push(offset: number, length: number): void {
    if (this.count === this.offsets.length) {
      const grow = (a: Uint32Array) => {
        const b = new Uint32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.offsets = grow(this.offsets);
      this.lengths = grow(this.lengths);
    }
    this.offsets[this.count] = offset;
    this.lengths[this.count] = length;
    this.count++;
  }
  finish(): { offsets: Uint32Array; lengths: Uint32Array } {
    return { offsets: this.offsets.slice(0, this.count), lengths: this.lengths.slice(0, this.count) };
  }
}

/** Format a count for messages: 1000000 → "1,000,000". */
export function fmtCount(n: number): string {
  return n.toLocaleString('en-US');
}
