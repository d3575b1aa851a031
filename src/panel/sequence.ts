/**
 * Turning the editor's text into the visualizer's time steps. Pure (no `vscode`), so it is unit-tested in Node.
 * Until the input encoders land, one token = one character (a Unicode code point, so emoji and CJK
 * characters stay whole).
 */
import { MAX_SEQUENCE_CHARS, type SequenceSource } from '../protocol/messages';
import type { EncodedSequence } from '../input';

export interface CappedText {
  text: string;
  originalLength: number;
  truncated: boolean;
}

/**
 * Cuts text to the visualizer's limit without splitting a surrogate pair. Reading only a prefix
 * is what keeps a 5 MB selection from freezing the host: nothing past the cap is tokenized or posted.
 */
export function capText(text: string, max = MAX_SEQUENCE_CHARS): CappedText {
  if (text.length <= max) return { text, originalLength: text.length, truncated: false };
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1; // high surrogate: keep the pair together
  return { text: text.slice(0, end), originalLength: text.length, truncated: true };
}

/**
 * The selection cut to the characters its reading covers (at most `max`). Trailing whitespace the reading
 * skipped (the last newline of a number list or CSV file) is not a cut the panel reports: only text left out
 * that holds something (the visualizer's cap, the steps past unroll.tokenLimit) counts as truncated.
 */
export function capToReading(text: string, covered: number, max = MAX_SEQUENCE_CHARS): CappedText {
  const capped = capText(text, Math.min(covered, max));
  if (!capped.truncated) return capped;
  const rest = /\S/g;
  rest.lastIndex = capped.text.length;
  return rest.test(text) ? capped : { ...capped, originalLength: capped.text.length, truncated: false };
}

/** Character tokens (code points). */
export function charTokens(text: string): string[] {
  return Array.from(text);
}

/** Visible label of a token: whitespace and control characters get a printable stand-in. */
export function tokenLabel(token: string): string {
  switch (token) {
    case ' ': return '␣';
    case '\n': return '↵';
    case '\r': return '␍';
    case '\t': return '⇥';
    case '\r\n': return '↵';
    default: {
      const c = token.codePointAt(0) ?? 0;
      if (c < 0x20) return String.fromCodePoint(0x2400 + c); // Control Pictures block
      if (c === 0x7f) return '␡';
      return token;
    }
  }
}

/** Thousands separators for notices, independent of the host's locale. */
export function formatCount(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * The steps as places in source.text (typed arrays: cheap to build and to post for a million steps), or
 * undefined when a step lies outside the text (then the token strings are sent).
 */
export function tokenSpans(seq: EncodedSequence, source: SequenceSource): { starts: Uint32Array; lengths: Uint32Array } | undefined {
  const base = source.startOffset ?? 0;
  const n = seq.steps;
  if (n === 0) return undefined;
  const starts = new Uint32Array(n);
  for (let t = 0; t < n; t++) {
    const s = seq.offsets[t] - base;
    if (s < 0) return undefined;
    starts[t] = s;
  }
  if (starts[n - 1] + seq.lengths[n - 1] > source.text.length) return undefined;
  return { starts, lengths: seq.lengths.slice(0, n) };
}
