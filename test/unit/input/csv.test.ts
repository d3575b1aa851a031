import * as assert from 'assert';
import { cellText, detectDelimiter, encodeCsv, parseCsv } from '../../../src/input/csv';
import { tokenText, UnrollError } from '../../../src/input/types';

const vals = (a?: Float32Array) => Array.from(a!);

describe('input/csv', () => {
  it('a CSV block with a header and a text column → multivariate over the numeric columns', () => {
    const text = 'date,open,close\n2024-01-02,10.5,11\n2024-01-03,11,10.25\n';
    const seq = encodeCsv(text, { baseOffset: 7 });
    assert.strictEqual(seq.steps, 2);
    assert.strictEqual(seq.inputSize, 2);
    assert.deepStrictEqual(seq.featureNames, ['open', 'close']);
    assert.deepStrictEqual(vals(seq.values), [10.5, 11, 11, 10.25]);
    assert.strictEqual(tokenText(seq, 0), '2024-01-02,10.5,11');
    assert.strictEqual(seq.offsets[0], 7 + 16);
    assert.match(seq.notes.join(' '), /Skipped text column\(s\): date/);
    assert.match(seq.description, /comma-separated, header/);
  });

  it('one chosen column spans just its cells', () => {
    const text = 'a,b\n1,2\n3,4';
    const seq = encodeCsv(text, { columns: [1] });
    assert.deepStrictEqual(vals(seq.values), [2, 4]);
    assert.deepStrictEqual([0, 1].map((t) => tokenText(seq, t)), ['2', '4']);
  });

  it('detects tab, semicolon and space-aligned columns; CRLF rows', () => {
    assert.strictEqual(detectDelimiter('1\t2\n3\t4'), '\t');
    assert.strictEqual(detectDelimiter('1;2;3\n4;5;6'), ';');
    assert.strictEqual(detectDelimiter('1   2\n 3  4'), ' ');
    assert.strictEqual(detectDelimiter('just prose here\nand more words'), null);
    const seq = encodeCsv('x;y\r\n1,5;2\r\n3;4\r\n'.replace('1,5', '1.5'));
    assert.deepStrictEqual(vals(seq.values), [1.5, 2, 3, 4]);
    assert.strictEqual(tokenText(seq, 0), '1.5;2');
    const sp = encodeCsv('  1  2\n  3  4\n');
    assert.deepStrictEqual(vals(sp.values), [1, 2, 3, 4]);
    assert.strictEqual(tokenText(sp, 1), '3  4');
  });

  it('quoted fields may hold delimiters and quotes', () => {
    const text = 'name,v\n"Smith, ""J""",3\n"x",4';
    const t = parseCsv(text);
    assert.strictEqual(cellText(text, t, 0, 0), 'Smith, "J"');
    assert.strictEqual(cellText(text, t, 1, 1), '4');
    assert.deepStrictEqual(t.numericColumns, [1]);
  });

  it('bad cells, ragged rows and NaN name line and column', () => {
    const msg = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        assert.ok(e instanceof UnrollError);
        return (e as Error).message;
      }
      assert.fail('no error');
    };
    assert.match(msg(() => encodeCsv('a,b\n1,2\n3,n/a\n')), /^line 3, column 3: b "n\/a" is not a finite number; fix that cell or delete the row/);
    assert.match(msg(() => encodeCsv('a,b\n1,2\n3,\n')), /^line 3, column 3: b is empty/);
    assert.match(msg(() => encodeCsv('a,b\n1,2\n3,oops\n')), /^line 3, column 3: b "oops" is not a number/);
    assert.match(msg(() => encodeCsv('1,2\n3,4,5\n')), /^line 2, column 1: this row has 3 fields but the first row has 2/);
    assert.match(msg(() => encodeCsv('a,b\n1,"2\n')), /quoted field is never closed/);
    assert.match(msg(() => encodeCsv('a,b\nx,y\n')), /no numeric columns/);
  });

  it('blank lines between rows are skipped', () => {
    assert.deepStrictEqual(vals(encodeCsv('1,2\n\n3,4\n').values), [1, 2, 3, 4]);
  });
});
