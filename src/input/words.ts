/**
 * Words/tokens → vocabulary ids, or hashed seeded embeddings for random models.
 *
 * Tokenisation is whitespace and punctuation aware and works for prose and code alike:
 * - a number (digits with inner "." or "," groups and an exponent: 3.14, 1,000, 2e-5) is one token;
 * - a word is a run of letters, marks, digits and "_" (identifiers stay whole: `hidden_size`, `naïve`),
 *   with inner apostrophes kept (don't, l'eau);
 * - every other non-space code point is its own token (punctuation, operators, emoji);
 * - whitespace, including line breaks, separates tokens and is not a token.
 */
import { mulberry32 } from '../model/random';
import { EncodeOptions, EncodedSequence, HARD_CAP_TOKENS, SpanBuilder, UnrollError, Vocabulary, fmtCount } from './types';
import { msg } from '../l10n/format';

const TOKEN = /\p{N}+(?:[.,]\p{N}+)*(?:[eE][+-]?\p{N}+)?|[\p{L}\p{M}\p{N}_]+(?:['’][\p{L}\p{M}]+)*|\S/uy;

/** Token spans (offsets relative to `text`) up to `maxTokens`; `end` is where reading stopped. */
export function tokenizeWords(text: string, maxTokens = HARD_CAP_TOKENS): { starts: number[]; ends: number[]; end: number } {
  const starts: number[] = [];
  const ends: number[] = [];
  let i = 0;
  const n = text.length;
  while (i < n && starts.length < maxTokens) {
    const c = text.charCodeAt(i);
    // Skip ASCII whitespace fast; other Unicode spaces fall to the regex check below.
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11) {
      i++;
      continue;
    }
    if (/\s/u.test(text[i])) {
      i++;
      continue;
    }
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(text);
    const len = m ? m[0].length : 1;
    starts.push(i);
    ends.push(i + len);
    i += len;
  }
  // Report trailing whitespace as read.
  while (i < n && /\s/u.test(text[i])) i++;
  return { starts, ends, end: i };
}

/** FNV-1a over UTF-16 code units, seeded: a stable 32-bit hash on every machine. */
export function hashToken(token: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < token.length; i++) {
    h ^= token.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

// One PRNG for the whole project: the seeded random weights use the same documented mulberry32.
export { mulberry32 };

/**
 * The embedding of a token for random models: N(0, 1) per component (PyTorch's nn.Embedding default),
 * drawn by Box–Muller from mulberry32 seeded with hash(token, seed). Equal tokens get equal vectors.
 */
export function hashedEmbedding(token: string, dim: number, seed: number): Float32Array {
  const rand = mulberry32(hashToken(token, seed));
  const v = new Float32Array(dim);
  for (let k = 0; k < dim; k += 2) {
    const u1 = Math.max(rand(), 1e-12);
    const u2 = rand();
    const r = Math.sqrt(-2 * Math.log(u1));
    v[k] = r * Math.cos(2 * Math.PI * u2);
    if (k + 1 < dim) v[k + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return v;
}

function spansOf(text: string, opts: EncodeOptions) {
  const base = opts.baseOffset ?? 0;
  const { starts, ends, end } = tokenizeWords(text, opts.maxTokens ?? HARD_CAP_TOKENS);
  const spans = new SpanBuilder(starts.length);
  for (let t = 0; t < starts.length; t++) spans.push(base + starts[t], ends[t] - starts[t]);
  return { base, starts, ends, end, ...spans.finish() };
}

function truncationNote(seq: EncodedSequence, text: string, end: number): void {
  if (end < text.length) {
    seq.truncated = { kept: seq.steps, reason: 'hard-cap', unreadChars: text.length - end };
    seq.notes.push(msg('Truncated to the first {0} words (the hard cap); the last {1} characters were not read.', fmtCount(seq.steps), fmtCount(text.length - end)));
  }
}

/** How many distinct unknown words the note names. */
const UNKNOWN_SHOWN = 5;

/** Words → ids of a word-level vocabulary (exact match, then lower case, else the unknown id, marked). */
export function encodeWordIds(text: string, vocab: Vocabulary, opts: EncodeOptions = {}): EncodedSequence {
  if (vocab.level !== 'word') {
    throw UnrollError.of('This model reads characters, not words; choose the "characters" reading.');
  }
  const s = spansOf(text, opts);
  const T = s.starts.length;
  const ids = new Int32Array(T);
  const unknown = new Uint8Array(T);
  let unknownCount = 0;
  const unknownSeen = new Set<string>(); // the first few distinct unknown words, named in the note
  for (let t = 0; t < T; t++) {
    const w = text.slice(s.starts[t], s.ends[t]);
    const id = vocab.index.get(w) ?? vocab.index.get(w.toLowerCase()) ?? vocab.unkId;
    ids[t] = id;
    if (id === vocab.unkId) {
      unknown[t] = 1;
      unknownCount++;
      if (unknownSeen.size <= UNKNOWN_SHOWN) unknownSeen.add(w);
    }
  }
  const shown = [...unknownSeen].slice(0, UNKNOWN_SHOWN).map((w) => JSON.stringify(w)).join(', ') + (unknownSeen.size > UNKNOWN_SHOWN ? ', …' : '');
  const seq: EncodedSequence = {
    encoding: 'words',
    description: unknownCount
      ? msg('words, {0}-word vocabulary ({1} unknown)', fmtCount(vocab.symbols.length), fmtCount(unknownCount))
      : msg('words, {0}-word vocabulary', fmtCount(vocab.symbols.length)),
    steps: T,
    inputSize: vocab.symbols.length,
    offsets: s.offsets,
    lengths: s.lengths,
    ids,
    unknown,
    unknownCount,
    source: text,
    baseOffset: s.base,
    model: 'given',
    notes: unknownCount === 0 ? [] : [unknownCount === 1
      ? msg("1 word is not in the model's vocabulary and reads as its unknown token (marked): {0}.", shown)
      : msg("{0} words are not in the model's vocabulary and read as its unknown token (marked): {1}.", fmtCount(unknownCount), shown)],
  };
  truncationNote(seq, text, s.end);
  return seq;
}

/** Words → hashed seeded embeddings of width `dim` (for random models, which have no vocabulary). */
export function encodeWordEmbeddings(text: string, dim: number, seed: number, opts: EncodeOptions = {}): EncodedSequence {
  if (!Number.isInteger(dim) || dim < 1) throw UnrollError.of('Embedding width must be a positive whole number, got {0}.', dim);
  const s = spansOf(text, opts);
  const T = s.starts.length;
  const values = new Float32Array(T * dim);
  const cache = new Map<string, Float32Array>();
  for (let t = 0; t < T; t++) {
    const w = text.slice(s.starts[t], s.ends[t]);
    let v = cache.get(w);
    if (!v) {
      v = hashedEmbedding(w, dim, seed);
      cache.set(w, v);
    }
    values.set(v, t * dim);
  }
  const seq: EncodedSequence = {
    encoding: 'words',
    description: msg('words, hashed embeddings (width {0}, seed {1}, {2} distinct)', dim, seed, fmtCount(cache.size)),
    steps: T,
    inputSize: dim,
    offsets: s.offsets,
    lengths: s.lengths,
    values,
    unknownCount: 0,
    source: text,
    baseOffset: s.base,
    model: 'random-sized-to-data',
    notes: [],
  };
  truncationNote(seq, text, s.end);
  return seq;
}
