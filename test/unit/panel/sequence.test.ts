import * as assert from 'assert';
import { capText, capToReading, charTokens, formatCount, tokenLabel, tokenSpans } from '../../../src/panel/sequence';
import { MAX_SEQUENCE_CHARS, unpackTokens } from '../../../src/protocol/messages';
import { encodeSource, sequenceTokens } from '../../../src/panel/traceSession';

describe('sequence: text to time steps', () => {
  it('one token per character, keeping emoji and CJK whole', () => {
    assert.deepStrictEqual(charTokens('h😀中'), ['h', '😀', '中']);
    assert.deepStrictEqual(charTokens(''), []);
  });
  it('labels whitespace and control characters visibly', () => {
    assert.deepStrictEqual([' ', '\n', '\t', '\r', '\u0007', 'a'].map(tokenLabel), ['␣', '↵', '⇥', '␍', '␇', 'a']);
  });
  it('a 5 MB selection is cut to the limit quickly and reports its original length', () => {
    const big = 'abcd'.repeat(5 * 1024 * 1024 / 4);
    const t0 = Date.now();
    const c = capText(big);
    const tokens = charTokens(c.text);
    assert.ok(Date.now() - t0 < 500, 'cutting and tokenizing stays fast');
    assert.strictEqual(c.truncated, true);
    assert.strictEqual(c.originalLength, 5 * 1024 * 1024);
    assert.strictEqual(tokens.length, MAX_SEQUENCE_CHARS);
  });
  it('never splits a surrogate pair at the cut', () => {
    const c = capText('ab😀', 3);
    assert.strictEqual(c.text, 'ab');
    assert.strictEqual(capText('abc', 3).truncated, false);
  });
  it('cut to what the reading covers: a skipped final newline is no truncation, left-out steps are', () => {
    // "0.1 0.2\n": a number list reads 7 characters; the panel must not say the selection was cut.
    assert.deepStrictEqual(capToReading('0.1 0.2\n', 7), { text: '0.1 0.2', originalLength: 7, truncated: false });
    assert.deepStrictEqual(capToReading('a,b\n1,2\n \r\n\t', 7), { text: 'a,b\n1,2', originalLength: 7, truncated: false });
    // Steps past unroll.tokenLimit hold text: that cut is reported with the selection's full length.
    assert.deepStrictEqual(capToReading('abcdef\n', 3), { text: 'abc', originalLength: 7, truncated: true });
    assert.deepStrictEqual(capToReading('ab  x', 2), { text: 'ab', originalLength: 5, truncated: true });
    // The visualizer's own cap still applies when the reading covers more.
    const big = capToReading('x'.repeat(MAX_SEQUENCE_CHARS + 10), MAX_SEQUENCE_CHARS + 10);
    assert.strictEqual(big.truncated, true);
    assert.strictEqual(big.text.length, MAX_SEQUENCE_CHARS);
  });
  it('formats counts with separators', () => {
    assert.strictEqual(formatCount(5242880), '5,242,880');
    assert.strictEqual(formatCount(100), '100');
  });
});

describe('token spans (init without a million label strings)', () => {
  const src = (text: string, startOffset = 7) => ({ text, label: 't', fromCurrentLine: false, originalLength: text.length, startOffset });

  it('the webview unpacks exactly the tokens the host would have sent (CRLF, emoji, CSV rows)', () => {
    for (const [text, reading] of [['ab\r\nc😀d\tz', undefined], ['t,v\n1,2\n3,4\n', 'csv']] as const) {
      const s = { ...src(text), ...(reading ? { reading } : {}) };
      const seq = encodeSource(s);
      const spans = tokenSpans(seq, s)!;
      assert.deepStrictEqual(unpackTokens(s.text, spans), sequenceTokens(seq));
    }
  });

  it('a step outside the text falls back to strings; a million steps cost the host a few ms', () => {
    const s = src('abc');
    const seq = encodeSource(s);
    assert.strictEqual(tokenSpans(seq, { ...s, text: 'ab' }), undefined);
    const big = src('x'.repeat(1_000_000));
    const bigSeq = encodeSource(big);
    // Best of three: the machine is shared; building a million label strings took ~160 ms here.
    let best = Infinity;
    let spans = tokenSpans(bigSeq, big)!;
    for (let k = 0; k < 3; k++) {
      const t0 = performance.now();
      spans = tokenSpans(bigSeq, big)!;
      best = Math.min(best, performance.now() - t0);
    }
    // A hang guard, not a benchmark (no timed targets in unit tests): linear work stays far below a second.
    assert.ok(best < 1000, `${best.toFixed(1)} ms`);
    assert.strictEqual(spans.starts[999_999], 999_999);
  });
});
