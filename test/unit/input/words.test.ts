import * as assert from 'assert';
import { makeVocabulary } from '../../../src/input/chars';
import { encodeWordEmbeddings, encodeWordIds, hashedEmbedding, tokenizeWords } from '../../../src/input/words';
import { tokenText } from '../../../src/input/types';

const words = (text: string) => {
  const { starts, ends } = tokenizeWords(text);
  return starts.map((s, i) => text.slice(s, ends[i]));
};

describe('input/words', () => {
  it('splits prose on whitespace and punctuation, keeping contractions and numbers whole', () => {
    assert.deepStrictEqual(words("Don't panic, it's 3.14 (roughly)!"), ["Don't", 'panic', ',', "it's", '3.14', '(', 'roughly', ')', '!']);
  });

  it('keeps code identifiers whole and splits operators per character', () => {
    assert.deepStrictEqual(words('def f(hidden_size=128):\n\treturn x!=y'), ['def', 'f', '(', 'hidden_size', '=', '128', ')', ':', 'return', 'x', '!', '=', 'y']);
  });

  it('non-Latin words, combining marks and emoji; CRLF and tabs are separators', () => {
    assert.deepStrictEqual(words('naïve café\r\n\t日本語 👍🏽 x'), ['naïve', 'café', '日本語', '👍', '🏽', 'x']);
  });

  it('word ids: exact, then lower case, else the unknown id, marked', () => {
    const v = makeVocabulary(['<unk>', 'the', 'cat', '.'], 0, 'word');
    const seq = encodeWordIds('The cat sat.', v, { baseOffset: 5 });
    assert.deepStrictEqual(Array.from(seq.ids!), [1, 2, 0, 3]);
    assert.deepStrictEqual(Array.from(seq.unknown!), [0, 0, 1, 0]);
    assert.deepStrictEqual(Array.from(seq.offsets), [5, 9, 13, 16]);
    assert.strictEqual(tokenText(seq, 2), 'sat');
    assert.deepStrictEqual(seq.notes, ['1 word is not in the model\'s vocabulary and reads as its unknown token (marked): "sat".']);
    const many = encodeWordIds('dog sat on the mat , a dog ran far', v);
    assert.deepStrictEqual(many.notes, ['9 words are not in the model\'s vocabulary and read as its unknown token (marked): "dog", "sat", "on", "mat", ",", ….']);
  });

  it('hashed embeddings: equal words get equal vectors, different words and seeds differ, stable values', () => {
    const seq = encodeWordEmbeddings('a b a', 8, 42);
    const row = (t: number) => Array.from(seq.values!.subarray(t * 8, t * 8 + 8));
    assert.deepStrictEqual(row(0), row(2));
    assert.notDeepStrictEqual(row(0), row(1));
    assert.notDeepStrictEqual(Array.from(hashedEmbedding('a', 8, 1)), Array.from(hashedEmbedding('a', 8, 2)));
    // N(0,1): over many words the mean is near 0 and the variance near 1.
    let sum = 0;
    let sq = 0;
    const n = 2000;
    for (let i = 0; i < n; i++) for (const x of hashedEmbedding(`w${i}`, 16, 7)) (sum += x), (sq += x * x);
    const mean = sum / (n * 16);
    assert.ok(Math.abs(mean) < 0.03, `mean ${mean}`);
    assert.ok(Math.abs(sq / (n * 16) - 1) < 0.05, `var ${sq / (n * 16)}`);
  });

  it('an empty selection of words has zero steps', () => {
    assert.strictEqual(encodeWordEmbeddings('  \n ', 4, 0).steps, 0);
  });

  it('stops at the hard cap', () => {
    const seq = encodeWordEmbeddings('a b c d e f', 4, 0, { maxTokens: 2 });
    assert.strictEqual(seq.steps, 2);
    assert.strictEqual(seq.truncated?.unreadChars, 7);
  });
});
