/**
 * The per-character labels the interpretable-unit search correlates against (bracket depth, inside a
 * string, inside a comment) on the TypeScript/JavaScript constructs that trip simple lexers. Each label
 * is the state AFTER reading the character; expectations are written out by hand per character.
 */
import * as assert from 'assert';
import { labelCode } from '../../../src/engine/train/codeLabels';

/** One digit/letter per character: the label string of a feature, for readable whole-line assertions. */
function row(src: string, f: 'bracketDepth' | 'insideString' | 'insideComment' | 'insideStringOrComment'): string {
  return Array.from(labelCode(src)[f], (v) => String(v)).join('');
}

describe('code labels for interpretable units (TS/JS)', () => {
  it('line and block comments run from the opener\'s second character to the closer\'s star', () => {
    assert.strictEqual(row('a // b\nc', 'insideComment'), '00011100');
    // a␠/ * x * / b: the opening / is not yet a comment, the closing / is outside again
    assert.strictEqual(row('a /* x */ b', 'insideComment'), '00011111000');
    assert.strictEqual(row('/**/x', 'insideComment'), '01100');
  });

  it('/*/ does not close a block comment; brackets and quotes inside comments count for nothing', () => {
    const src = "/*/ ( ' */(";
    assert.strictEqual(row(src, 'insideComment'), '01111111100');
    assert.strictEqual(row(src, 'insideString'), '00000000000');
    assert.strictEqual(row(src, 'bracketDepth'), '00000000001');
  });

  it('strings: escapes keep the string open; // inside a string is not a comment', () => {
    const src = `'a\\'b' "x//y" z`;
    assert.strictEqual(row(src, 'insideString'), '111110011111000');
    assert.strictEqual(row(src, 'insideComment'), '000000000000000');
  });

  it('template literals: ${…} is code with its own brackets, nested templates return to the outer one', () => {
    const src = '`a${f(`b${c}`)}d`';
    //           ` a $ { f ( ` b $ { c } ` ) } d `
    assert.strictEqual(row(src, 'insideString'), '11100011100100110');
    assert.strictEqual(row(src, 'bracketDepth'), '00000111111110000');
  });

  it('regex literals after an operator or bracket keep their brackets, quotes and slashes out of the labels', () => {
    const src = "x = /[/(']\\)/g; y";
    assert.strictEqual(row(src, 'bracketDepth'), '00000000000000000');
    assert.strictEqual(row(src, 'insideString'), '00000000000000000');
    assert.strictEqual(row(src, 'insideComment'), '00000000000000000');
  });

  it('a slash after a value is division, not a regex', () => {
    const src = "a / (b) / 'c'";
    assert.strictEqual(row(src, 'bracketDepth'), '0000110000000');
    assert.strictEqual(row(src, 'insideString'), '0000000000110');
  });

  it('inside a string or comment is either label (text that is not code)', () => {
    assert.strictEqual(row("a 'b' // c\nd", 'insideStringOrComment'), '001100011100');
  });

  it('depth counts (), [] and {} and never goes below zero on stray closers', () => {
    assert.strictEqual(row('f([{x}])}a(', 'bracketDepth'), '01233210001');
  });
});
