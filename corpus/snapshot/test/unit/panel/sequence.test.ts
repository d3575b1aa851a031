import * as assert from 'assert';
import { capText, charTokens, formatCount, tokenLabel } from '../../../src/panel/sequence';
import { MAX_SEQUENCE_CHARS } from '../../../src/protocol/messages';

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
  it('formats counts with separators', () => {
    assert.strictEqual(formatCount(5242880), '5,242,880');
    assert.strictEqual(formatCount(100), '100');
  });
});
