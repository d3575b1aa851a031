import * as assert from 'assert';
import { encodeNumbers, parseArrayLiteral, parseNumberList } from '../../../src/input/numbers';
import { tokenText, UnrollError } from '../../../src/input/types';

const vals = (a: Float32Array) => Array.from(a);
/** Asserts an UnrollError whose single line matches `re`. */
const fails = (fn: () => unknown, re: RegExp) =>
  assert.throws(fn, (e: Error) => {
    assert.ok(e instanceof UnrollError, `not an UnrollError: ${e}`);
    assert.ok(!e.message.includes('\n'), 'message is one line');
    assert.match(e.message, re);
    return true;
  });

describe('input/numbers: plain lists', () => {
  it('comma, space, semicolon and newline separated lists', () => {
    assert.deepStrictEqual(vals(parseNumberList('1, 2, 3').values), [1, 2, 3]);
    assert.deepStrictEqual(vals(parseNumberList('1 -2.5 3e2').values), [1, -2.5, 300]);
    assert.deepStrictEqual(vals(parseNumberList('0.5\r\n.25\r\n-1.\r\n').values), [0.5, 0.25, -1]);
    assert.deepStrictEqual(vals(parseNumberList('1;2;\t3').values), [1, 2, 3]);
    assert.deepStrictEqual(vals(parseNumberList('1_000, 0x10, +4').values), [1000, 16, 4]);
  });

  it('each value carries its own source range', () => {
    const seq = encodeNumbers('  10, -2.5\n3', { baseOffset: 50 });
    assert.deepStrictEqual(Array.from(seq.offsets), [52, 56, 61]);
    assert.deepStrictEqual([0, 1, 2].map((t) => tokenText(seq, t)), ['10', '-2.5', '3']);
    assert.strictEqual(seq.inputSize, 1);
    assert.strictEqual(seq.encoding, 'numbers');
  });

  it('malformed values name line and column', () => {
    fails(() => parseNumberList('1, 2\n3, abc, 5'), /^line 2, column 4: "abc" is not a number/);
    fails(() => parseNumberList('1.2.3'), /^line 1, column 1: "1\.2\.3" is not a number/);
    fails(() => parseNumberList('4, 12px'), /^line 1, column 4: "12px" is not a number/);
    fails(() => parseNumberList('1,, 2'), /^line 1, column 3: empty value between two separators/);
    fails(() => parseNumberList('-'), /is not a number/);
  });

  it('NaN, Infinity and overflow are errors, with the place', () => {
    fails(() => parseNumberList('1, NaN, 3'), /^line 1, column 4: "NaN" is not a finite number/);
    fails(() => parseNumberList('1\n-Infinity'), /^line 2, column 1: "-Infinity" is not a finite number/);
    fails(() => parseNumberList('1e39'), /^line 1, column 1: 1e39 is too large for a float32/);
    fails(() => parseNumberList('1e999'), /too large/);
  });

  it('a CRLF line break counts as one line in error positions', () => {
    fails(() => parseNumberList('1\r\n2\r\nx'), /^line 3, column 1:/);
  });

  it('an empty or comment-only selection has no numbers', () => {
    fails(() => parseNumberList('   \n'), /no numbers/);
  });
});

describe('input/numbers: array literals', () => {
  it('JSON array', () => {
    const t = parseArrayLiteral('[1, 2.5, -3e-1]')!;
    assert.deepStrictEqual(vals(t.values), [1, 2.5, Math.fround(-0.3)]);
    assert.strictEqual(t.cols, 1);
  });

  it('Python with trailing comma, comments, tuples, np.array wrapper and dtype', () => {
    const t = parseArrayLiteral('x = np.array([\n  (1, 2),  # first\n  (3, 4),\n], dtype=np.float32)\n')!;
    assert.strictEqual(t.rows, 2);
    assert.strictEqual(t.cols, 2);
    assert.deepStrictEqual(vals(t.values), [1, 2, 3, 4]);
    assert.match(t.notes[0], /ignored the code around it/);
  });

  it('TypeScript with a type annotation, numeric separators and as const', () => {
    const t = parseArrayLiteral('export const xs: readonly number[] = [1_0, 2, /* skip */ 3] as const;')!;
    assert.deepStrictEqual(vals(t.values), [10, 2, 3]);
    const u = parseArrayLiteral('const x = new Float32Array([0.5, 1]);')!;
    assert.deepStrictEqual(vals(u.values), [0.5, 1]);
  });

  it('nested lists are steps × features; each step spans its row', () => {
    const text = '[[1, 2, 3],\n [4, 5, 6]]';
    const seq = encodeNumbers(text);
    assert.strictEqual(seq.steps, 2);
    assert.strictEqual(seq.inputSize, 3);
    assert.deepStrictEqual(vals(seq.values!), [1, 2, 3, 4, 5, 6]);
    assert.strictEqual(tokenText(seq, 1), '[4, 5, 6]');
    assert.match(seq.description, /2 steps × 3 features/);
  });

  it('ragged rows, mixed nesting, deep nesting and unclosed brackets are clear errors', () => {
    fails(() => parseArrayLiteral('[[1, 2], [3]]'), /^line 1, column 10: step 2 has 1 values but step 1 has 2/);
    fails(() => parseArrayLiteral('[[1, 2], 3]'), /mixes numbers and lists/);
    fails(() => parseArrayLiteral('[[[1]]]'), /nested more than 2 deep/);
    fails(() => parseArrayLiteral('[1, 2,\n 3'), /^line 1, column 1: "\[" is never closed; add "\]"/);
    fails(() => parseArrayLiteral('[1 2]'), /^line 1, column 4: expected "," or "\]" but found "2"/);
    fails(() => parseArrayLiteral('[1, , 2]'), /empty value between two commas/);
    fails(() => parseArrayLiteral('[1, float("nan")]'), /^line 1, column 5: "float\("nan"\)" is not a finite number/);
    fails(() => parseArrayLiteral('[1, None]'), /"None" is not a finite number/);
    fails(() => parseArrayLiteral('[]'), /empty/);
    fails(() => parseArrayLiteral('[1, 2] + other'), /unexpected text after the array/);
  });

  it('code that is not an array literal is not read as one', () => {
    assert.strictEqual(parseArrayLiteral('def f(x):\n    return x[0] + 1'), null);
    assert.strictEqual(parseArrayLiteral('1, 2, 3'), null);
  });

  it('stops at the hard cap inside a huge literal', () => {
    const text = '[' + Array.from({ length: 50 }, (_, i) => `[${i}, ${i}]`).join(', ') + ']';
    const seq = encodeNumbers(text, { maxTokens: 10 });
    assert.strictEqual(seq.steps, 10);
    assert.strictEqual(seq.truncated?.reason, 'hard-cap');
    assert.deepStrictEqual(vals(seq.values!).slice(-2), [9, 9]);
  });

  it('a 5 MB number list reads in bounded time and stops at 1,000,000 values', function () {
    this.timeout(20000);
    const text = '0.123456, '.repeat(520_000); // ≈ 5.2 MB, 520k values
    let t0 = Date.now();
    const seq = encodeNumbers(text + text);
    const ms = Date.now() - t0;
    assert.strictEqual(seq.steps, 1_000_000);
    assert.ok(seq.truncated && seq.truncated.unreadChars > 0);
    assert.ok(ms < 4000, `took ${ms} ms`);
    t0 = Date.now();
    const arr = encodeNumbers('[' + text + ']');
    assert.strictEqual(arr.steps, 520_000);
    assert.ok(Date.now() - t0 < 4000);
  });
});
