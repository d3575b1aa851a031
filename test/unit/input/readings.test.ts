import * as assert from 'assert';
import { defaultCharVocabulary, makeVocabulary } from '../../../src/input/chars';
import { decideLimit, effectiveLimit } from '../../../src/input/limits';
import { planReadings } from '../../../src/input/readings';
import { resolveSelection } from '../../../src/input/selection';
import { InputTarget, tokenText, truncateSequence, UnrollError } from '../../../src/input/types';
import { encodeChars } from '../../../src/input/chars';

const charVocab = defaultCharVocabulary();
const DEFAULT: InputTarget = { kind: 'default', charVocab, hashedDim: 16, seed: 7 };
const dense = (inputSize: number): InputTarget => ({ kind: 'dense', inputSize, modelName: 'model.onnx' });
const ids = (plan: ReturnType<typeof planReadings>) => plan.fitting.map((r) => r.id);

describe('input/readings: the obvious reading', () => {
  it('a Python function → characters through the built-in character model; words offered', () => {
    const plan = planReadings('def add(a, b):\n    return a + b\n', DEFAULT);
    assert.strictEqual(plan.obvious.id, 'chars');
    assert.strictEqual(plan.problem, undefined);
    assert.deepStrictEqual(ids(plan), ['chars', 'words']);
    const seq = plan.obvious.encode();
    assert.strictEqual(seq.model, 'char-model');
    assert.strictEqual(seq.steps, 32);
  });

  it('a sentence → characters', () => {
    assert.strictEqual(planReadings('The cat sat on the mat.', DEFAULT).obvious.id, 'chars');
  });

  it('a number list → numbers through a random network sized to the data; text readings still offered', () => {
    const plan = planReadings('3, 1, 4, 1, 5, 9, 2, 6', DEFAULT);
    assert.strictEqual(plan.obvious.id, 'numbers');
    assert.match(plan.why, /number list/);
    assert.deepStrictEqual(ids(plan), ['numbers', 'chars', 'words']);
    const seq = plan.obvious.encode();
    assert.strictEqual(seq.steps, 8);
    assert.strictEqual(seq.inputSize, 1);
    assert.strictEqual(seq.model, 'random-sized-to-data');
  });

  it('a CSV block → multivariate rows, each column offered alone', () => {
    const plan = planReadings('t,temp,humidity\n0,21.5,40\n1,22.0,41\n2,22.4,43\n', DEFAULT);
    assert.strictEqual(plan.obvious.id, 'csv');
    assert.match(plan.why, /CSV with a header/);
    assert.deepStrictEqual(ids(plan).slice(0, 4), ['csv', 'csv:0', 'csv:1', 'csv:2']);
    const seq = plan.obvious.encode();
    assert.deepStrictEqual([seq.steps, seq.inputSize], [3, 3]);
    assert.strictEqual(tokenText(seq, 2), '2,22.4,43');
  });

  it('a JSON array of rows → steps × features', () => {
    const plan = planReadings('[[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]', DEFAULT);
    assert.strictEqual(plan.obvious.id, 'numbers');
    assert.match(plan.why, /array literal/);
    assert.strictEqual(plan.obvious.encode().inputSize, 2);
  });

  it('malformed numbers: the problem names line and column; characters still fit', () => {
    const plan = planReadings('1, 2, 3\n4, 5x, 6\n', DEFAULT);
    assert.match(plan.problem!, /^line 2, column 4: column 2 "5x" is not a number; fix that cell or delete the row/);
    // the columns without the bad cell still read on their own
    assert.deepStrictEqual(ids(plan), ['csv:0', 'csv:2', 'chars', 'words']);
  });

  it('NaN in a CSV column is the problem, with its place', () => {
    const plan = planReadings('a,b\n1,2\n3,NaN\n', DEFAULT);
    assert.match(plan.problem!, /^line 3, column 3: b "NaN" is not a finite number/);
  });

  it('5 MB selections (code, number list, CSV) are planned and encoded in bounded CPU time', function () {
    this.timeout(60_000);
    const cases: [string, string, string][] = [
      ['code', 'def f(x):\n    return x * 2  # é\n'.repeat(160_000), 'chars'],
      ['numbers', '0.123456, '.repeat(520_000), 'numbers'],
      ['csv', 'a,b,c\n' + '1.5,2.25,3\n'.repeat(450_000), 'csv'],
    ];
    for (const [name, text, id] of cases) {
      const c0 = process.cpuUsage();
      const plan = planReadings(text, DEFAULT);
      const seq = plan.obvious.encode();
      const c = process.cpuUsage(c0);
      const ms = (c.user + c.system) / 1000;
      console.log(`      ${name}: ${(text.length / 1e6).toFixed(1)} MB → ${seq.steps} steps in ${ms.toFixed(0)} ms CPU`);
      assert.strictEqual(plan.obvious.id, id);
      assert.ok(ms < 3000, `${name} took ${ms} ms CPU`);
    }
  });

  it('an empty selection is one clear error', () => {
    assert.throws(() => planReadings('', DEFAULT), (e: Error) => e instanceof UnrollError && /selection is empty/.test(e.message));
  });
});

describe('input/readings: data/model mismatch', () => {
  it('3 CSV columns for a model with input size 1 → one message with the fix; single columns fit', () => {
    const plan = planReadings('a,b,c\n1,2,3\n4,5,6\n', dense(1));
    assert.strictEqual(plan.obvious.id, 'csv');
    assert.strictEqual(
      plan.problem,
      'The selection has 3 numeric columns (a, b, c) but model.onnx reads 1 per step; select a single column (pick "CSV column …" in Unroll: Visualize with a Chosen Reading…), or choose "No model" with Unroll: Choose Model… (and leave the "unroll.model" setting empty) for a random network sized to the data.',
    );
    assert.deepStrictEqual(ids(plan), ['csv:0', 'csv:1', 'csv:2', 'words']);
    assert.strictEqual(plan.fitting[0].encode().model, 'given');
  });

  it('a univariate list for a model with input size 4 says to select 4 columns', () => {
    const plan = planReadings('1 2 3', dense(4));
    assert.match(plan.problem!, /one value per step but model\.onnx reads 4 per step; select 4 columns/);
  });

  it('numbers for a character model say how to fix it', () => {
    const plan = planReadings('1, 2, 3', { kind: 'vocab', vocab: charVocab, modelName: 'char LSTM' });
    assert.match(plan.problem!, /numbers .* but char LSTM reads characters from a vocabulary; read the selection as characters/);
    assert.deepStrictEqual(ids(plan), ['chars']);
  });

  it('a word-vocabulary model prefers words', () => {
    const v = makeVocabulary(['<unk>', 'hello'], 0, 'word');
    const plan = planReadings('hello world', { kind: 'vocab', vocab: v, modelName: 'w' });
    assert.strictEqual(plan.obvious.id, 'words');
    assert.deepStrictEqual(Array.from(plan.obvious.encode().ids!), [1, 0]);
  });

  it('text for a dense model without a vocabulary → hashed words of its input width, labelled', () => {
    const plan = planReadings('hello world', dense(5));
    assert.deepStrictEqual(ids(plan), ['words']);
    const seq = plan.fitting[0].encode();
    assert.strictEqual(seq.inputSize, 5);
    assert.match(seq.notes.join(' '), /no vocabulary/);
  });
});

describe('input/limits and selection', () => {
  it('under the limit: ok; over: ask, with both counts; the hard cap is said', () => {
    const seq = encodeChars('x'.repeat(50), charVocab);
    assert.deepStrictEqual(decideLimit(seq, 100), { kind: 'ok', note: undefined });
    const d = decideLimit(seq, 10);
    assert.strictEqual(d.kind, 'ask');
    assert.match((d as { question: string }).question, /50 steps, above the limit of 10 \(setting unroll\.tokenLimit\)/);
    const capped = encodeChars('x'.repeat(50), charVocab, { maxTokens: 20 });
    assert.match(decideLimit(capped, 100).note!, /Truncated to 20 steps: 1,000,000 is the hard cap \(30 characters not read\)/);
  });

  it('a bad limit setting cannot lift the hard cap', () => {
    assert.strictEqual(effectiveLimit(5e9), 1_000_000);
    assert.strictEqual(effectiveLimit('lots'), 100_000);
    assert.strictEqual(effectiveLimit(-3), 1);
  });

  it('truncating keeps the first n steps and counts the unread text', () => {
    const seq = encodeChars('ab\u00e9cd', charVocab);
    const cut = truncateSequence(seq, 3);
    assert.deepStrictEqual([cut.steps, cut.unknownCount, cut.truncated?.unreadChars], [3, 1, 2]);
    assert.deepStrictEqual(Array.from(cut.ids!), [66, 67, 96]);
  });

  it('no selection → the current line, and it says so (CRLF document)', () => {
    const doc = 'first\r\nsecond line\r\nthird';
    const r = resolveSelection(doc, 10, 10, 10);
    assert.strictEqual(r.text, 'second line');
    assert.strictEqual(r.baseOffset, 7);
    assert.strictEqual(r.note, 'No selection: using line 2.');
    const sel = resolveSelection(doc, 0, 5, 5);
    assert.deepStrictEqual([sel.text, sel.usedCurrentLine, sel.note], ['first', false, undefined]);
  });

  it('an empty current line gives empty text (the caller reports it)', () => {
    const r = resolveSelection('a\n\nb', 2, 2, 2);
    assert.deepStrictEqual([r.text, r.note], ['', 'No selection: using line 2.']);
  });
});
