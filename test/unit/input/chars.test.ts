import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { defaultCharVocabulary, encodeChars, makeVocabulary, parseVocabularyJson } from '../../../src/input/chars';
import { REFERENCE as REF } from './paths';
import { stepAtOffset, toDense, tokenLabel, tokenText, UnrollError } from '../../../src/input/types';

const vocabFile = fs.readFileSync(path.join(REF, 'char_lstm_public.vocab.json'), 'utf8');

describe('input/chars', () => {
  const vocab = defaultCharVocabulary();

  it('the default vocabulary is exactly the fixtures’ char vocabulary', () => {
    const ref = JSON.parse(vocabFile);
    assert.deepStrictEqual([...vocab.symbols], ref.vocab);
    assert.strictEqual(vocab.unkId, ref.unkId);
  });

  it('encodes the trained fixture’s held-out text to the fixture’s own token ids', () => {
    const fx = JSON.parse(fs.readFileSync(path.join(REF, 'char_lstm_public.json'), 'utf8'));
    const seq = encodeChars(fx.text, parseVocabularyJson(vocabFile, 'char_lstm_public.vocab.json'));
    assert.deepStrictEqual(Array.from(seq.ids!), fx.tokens);
    assert.strictEqual(seq.steps, fx.tokens.length);
    assert.strictEqual(seq.inputSize, 97);
    // one-hot rows equal the fixture's x
    const dense = toDense(seq);
    for (const t of [0, 17, fx.tokens.length - 1]) assert.deepStrictEqual(Array.from(dense.subarray(t * 97, t * 97 + 97)), fx.x[t]);
  });

  it('CRLF is one newline token of length 2; a lone CR is a newline too', () => {
    const seq = encodeChars('a\r\nb\rc\n', vocab, { baseOffset: 100 });
    assert.deepStrictEqual(Array.from(seq.ids!), [66, 0, 67, 0, 68, 0]);
    assert.deepStrictEqual(Array.from(seq.offsets), [100, 101, 103, 104, 105, 106]);
    assert.deepStrictEqual(Array.from(seq.lengths), [1, 2, 1, 1, 1, 1]);
    assert.strictEqual(tokenLabel(seq, 1), '⏎');
    assert.strictEqual(seq.unknownCount, 0);
  });

  it('tabs and non-ASCII are <unk> and marked; a surrogate pair is one token', () => {
    const text = '\tx😀é';
    const seq = encodeChars(text, vocab);
    assert.strictEqual(seq.steps, 4);
    assert.deepStrictEqual(Array.from(seq.ids!), [96, 89, 96, 96]);
    assert.deepStrictEqual(Array.from(seq.unknown!), [1, 0, 1, 1]);
    assert.strictEqual(seq.unknownCount, 3);
    assert.deepStrictEqual(Array.from(seq.lengths), [1, 1, 2, 1]);
    assert.strictEqual(tokenText(seq, 2), '😀');
    assert.strictEqual(tokenLabel(seq, 0), '⇥');
    assert.match(seq.description, /3 unknown/);
    // The note names them (JSON-quoted, so a tab is visible), once each, in order of appearance.
    assert.deepStrictEqual(seq.notes, ['3 characters are not in the model\'s vocabulary and read as <unk> (marked): "\\t", "😀", "é".']);
    assert.deepStrictEqual(encodeChars('ab\tc', vocab).notes, ['1 character is not in the model\'s vocabulary and reads as <unk> (marked): "\\t".']);
    assert.match(encodeChars('αβγδεζηαβ', vocab).notes[0], /^9 characters .*: "α", "β", "γ", "δ", "ε", …\.$/);
  });

  it('a vocabulary that contains a non-BMP symbol matches it as one token', () => {
    const v = makeVocabulary(['a', '😀', '?'], 2, 'char');
    const seq = encodeChars('a😀b', v);
    assert.deepStrictEqual(Array.from(seq.ids!), [0, 1, 2]);
  });

  it('a lone surrogate is one unknown token, not a crash', () => {
    const seq = encodeChars('a\ud800b', vocab);
    assert.deepStrictEqual(Array.from(seq.ids!), [66, 96, 67]);
  });

  it('empty text gives zero steps', () => {
    assert.strictEqual(encodeChars('', vocab).steps, 0);
  });

  it('stepAtOffset maps document offsets to steps, including inside a CRLF and a surrogate pair', () => {
    const seq = encodeChars('ab\r\n😀z', vocab, { baseOffset: 10 });
    // a@10 b@11 CRLF@12-13 😀@14-15 z@16
    assert.deepStrictEqual([9, 10, 11, 12, 13, 14, 15, 16, 17].map((o) => stepAtOffset(seq, o)), [-1, 0, 1, 2, 2, 3, 3, 4, -1]);
  });

  it('stops at the hard cap and says how much was not read', () => {
    const seq = encodeChars('abcdefghij', vocab, { maxTokens: 4 });
    assert.strictEqual(seq.steps, 4);
    assert.deepStrictEqual(seq.truncated, { kept: 4, reason: 'hard-cap', unreadChars: 6 });
    assert.match(seq.notes.join(' '), /Truncated to the first 4 characters/);
  });

  it('5 MB of text encodes in bounded time, capped at 1,000,000 steps', function () {
    this.timeout(20000);
    const text = 'def f(x):\n    return x * 2  # é\n'.repeat(160_000); // ≈ 5.1 MB
    const t0 = Date.now();
    const seq = encodeChars(text, vocab);
    const ms = Date.now() - t0;
    assert.strictEqual(seq.steps, 1_000_000);
    assert.strictEqual(seq.truncated?.reason, 'hard-cap');
    assert.ok(ms < 1500, `took ${ms} ms`);
  });

  it('bad vocabulary files give one clear line', () => {
    assert.throws(() => parseVocabularyJson('{', 'v.json'), (e: Error) => e instanceof UnrollError && /v\.json is not valid JSON/.test(e.message));
    assert.throws(() => parseVocabularyJson('{"vocab": [1,2], "unkId": 0}', 'v.json'), /must look like/);
    assert.throws(() => parseVocabularyJson('{"vocab": ["a"], "unkId": 3}', 'v.json'), /unknown id 3 is outside its 1 symbols/);
  });

  it('a word-level vocabulary is refused with the fix', () => {
    const words = parseVocabularyJson('{"vocab": ["the", "cat", "<unk>"], "unkId": 2}', 'w.json');
    assert.strictEqual(words.level, 'word');
    assert.throws(() => encodeChars('the', words), /reads whole words.*"words" reading/);
  });
});
