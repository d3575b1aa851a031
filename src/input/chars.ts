/**
 * Characters → one-hot ids over a model's character vocabulary.
 * A token is one Unicode code point (a surrogate pair is one token, never two halves), except that
 * every line break ("\r\n", "\n", a lone "\r") is one token read as the vocabulary's "\n".
 */
import {
  EncodeOptions,
  EncodedSequence,
  HARD_CAP_TOKENS,
  SpanBuilder,
  UnrollError,
  Vocabulary,
  fmtCount,
} from './types';
import { msg } from '../l10n/format';

/** Build a vocabulary from its symbols; the unknown id must be inside it. */
export function makeVocabulary(symbols: readonly string[], unkId: number, level: 'char' | 'word'): Vocabulary {
  if (!Number.isInteger(unkId) || unkId < 0 || unkId >= symbols.length) {
    throw UnrollError.of('The vocabulary\'s unknown id {0} is outside its {1} symbols; fix "unkId" in the vocabulary file.', unkId, symbols.length);
  }
  const index = new Map<string, number>();
  symbols.forEach((s, i) => {
    if (i !== unkId && !index.has(s)) index.set(s, i);
  });
  return { level, symbols, unkId, index };
}

/**
 * The built-in character model's vocabulary (the fixtures' char vocab): id 0 = "\n", ids 1..95 = ASCII
 * 32..126, id 96 = <unk>.
 */
export function defaultCharVocabulary(): Vocabulary {
  const symbols = ['\n'];
  for (let c = 32; c <= 126; c++) symbols.push(String.fromCharCode(c));
  symbols.push('<unk>');
  return makeVocabulary(symbols, 96, 'char');
}

/** Parse a `{"vocab": [...], "unkId": n}` file (the fixtures' NAME.vocab.json format). */
export function parseVocabularyJson(json: string, fileName: string): Vocabulary {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (e) {
    throw UnrollError.of('{0} is not valid JSON ({1}); expected {"vocab": [...], "unkId": n}.', fileName, (e as Error).message);
  }
  const o = data as { vocab?: unknown; unkId?: unknown };
  if (!o || !Array.isArray(o.vocab) || !o.vocab.every((s) => typeof s === 'string') || typeof o.unkId !== 'number') {
    throw UnrollError.of('{0} must look like {"vocab": ["a", "b", ...], "unkId": n}.', fileName);
  }
  const symbols = o.vocab as string[];
  const level = symbols.every((s, i) => i === o.unkId || [...s].length === 1) ? 'char' : 'word';
  return makeVocabulary(symbols, o.unkId, level);
}

/** How many distinct unknown characters the note names. */
const UNKNOWN_SHOWN = 5;

export function encodeChars(text: string, vocab: Vocabulary, opts: EncodeOptions = {}): EncodedSequence {
  if (vocab.level !== 'char') {
    throw UnrollError.of('This model reads whole words, not characters; choose the "words" reading.');
  }
  const base = opts.baseOffset ?? 0;
  const maxTokens = opts.maxTokens ?? HARD_CAP_TOKENS;
  const newlineId = vocab.index.get('\n') ?? vocab.unkId;
  // ASCII fast path: one table lookup per character instead of a Map lookup.
  const ascii = new Int32Array(128).fill(vocab.unkId);
  for (let c = 0; c < 128; c++) ascii[c] = vocab.index.get(String.fromCharCode(c)) ?? vocab.unkId;

  const cap = Math.min(text.length, maxTokens);
  const spans = new SpanBuilder(cap);
  const ids = new Int32Array(cap);
  const unknown = new Uint8Array(cap);
  let unknownCount = 0;
  // The first few distinct unknown characters, to name in the note (one more = "there are others").
  const unknownSeen = new Set<string>();
  let i = 0;
  let t = 0;
  while (i < text.length && t < maxTokens) {
    const c = text.charCodeAt(i);
    let len = 1;
    let id: number;
    if (c === 13 || c === 10) {
      if (c === 13 && text.charCodeAt(i + 1) === 10) len = 2;
      id = newlineId;
    } else if (c < 128) {
      id = ascii[c];
    } else {
      // A high surrogate followed by a low one is one code point.
      if (c >= 0xd800 && c <= 0xdbff) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) len = 2;
      }
      id = vocab.index.get(text.slice(i, i + len)) ?? vocab.unkId;
    }
    if (id === vocab.unkId) {
      unknown[t] = 1;
      unknownCount++;
      if (unknownSeen.size <= UNKNOWN_SHOWN) unknownSeen.add(text.slice(i, i + len));
    }
    ids[t] = id;
    spans.push(base + i, len);
    i += len;
    t++;
  }
  const { offsets, lengths } = spans.finish();
  const seq: EncodedSequence = {
    encoding: 'chars',
    description: unknownCount
      ? msg('characters, {0}-symbol vocabulary ({1} unknown → <unk>)', vocab.symbols.length, fmtCount(unknownCount))
      : msg('characters, {0}-symbol vocabulary', vocab.symbols.length),
    steps: t,
    inputSize: vocab.symbols.length,
    offsets,
    lengths,
    ids: ids.slice(0, t),
    unknown: unknown.slice(0, t),
    unknownCount,
    source: text,
    baseOffset: base,
    model: 'char-model',
    notes: [],
  };
  if (i < text.length) {
    seq.truncated = { kept: t, reason: 'hard-cap', unreadChars: text.length - i };
    seq.notes.push(msg('Truncated to the first {0} characters (the hard cap); the last {1} characters were not read.', fmtCount(t), fmtCount(text.length - i)));
  }
  if (unknownCount) {
    // Name them: a person can then tell a stray tab or a curly quote from text the model was never meant to read.
    const shown = [...unknownSeen].slice(0, UNKNOWN_SHOWN).map((ch) => JSON.stringify(ch)).join(', ') + (unknownSeen.size > UNKNOWN_SHOWN ? ', …' : '');
    seq.notes.push(unknownCount === 1
      ? msg("1 character is not in the model's vocabulary and reads as <unk> (marked): {0}.", shown)
      : msg("{0} characters are not in the model's vocabulary and read as <unk> (marked): {1}.", fmtCount(unknownCount), shown));
  }
  return seq;
}
