import * as assert from 'assert';
import { compileCondition, compileExpression, ExprError, LIMITS } from '../../../src/expr';
import type { CellSpec } from '../../../src/engine/types';
import type { ExprMeta } from '../../../src/expr/values';

const LSTM: CellSpec = { family: 'lstm', nonlinearity: 'tanh', peephole: false, coupling: 'none', resetAfter: true, projSize: 0 };
const meta: ExprMeta = { cell: LSTM, shape: { inputSize: 4, hiddenSize: 8, numLayers: 1, bidirectional: false } };

/** Rejected quickly, with an ExprError (never a RangeError / stack overflow / hang). */
function rejectsFast(src: string, pattern: RegExp, column?: number): void {
  const t0 = performance.now();
  let caught: unknown;
  try {
    compileExpression(src, meta);
  } catch (e) {
    caught = e;
  }
  const ms = performance.now() - t0;
  assert.ok(caught instanceof ExprError, `expected an ExprError, got ${String(caught).slice(0, 200)}`);
  assert.match(caught.message, pattern);
  if (column !== undefined) assert.strictEqual(caught.column, column);
  assert.ok(ms < 200, `took ${ms.toFixed(1)} ms`);
}

describe('expression language: malicious and oversized input', () => {
  it('a 1 MB expression is refused before tokenizing', () => rejectsFast('h[0] + '.repeat(150_000), /expression is too long \(1050000 characters; at most 4096\)/, 4097));
  it('10,000 nested parentheses', () => rejectsFast('('.repeat(10_000) + '1' + ')'.repeat(10_000), /too long/));
  it('deep nesting within the length limit stops at the depth limit', () => {
    rejectsFast('('.repeat(1000) + '1' + ')'.repeat(1000), /nested too deeply \(more than 64 levels\)/, 65);
    rejectsFast('-'.repeat(2000) + '1', /nested too deeply/, 65);
    rejectsFast('abs('.repeat(500) + '1' + ')'.repeat(500), /nested too deeply/);
    rejectsFast('h' + '[0'.repeat(300) + ']'.repeat(300), /nested too deeply/);
  });
  it('nesting just inside the limit works', () => {
    const n = LIMITS.maxDepth - 1;
    assert.strictEqual(compileExpression('('.repeat(n) + '2' + ')'.repeat(n), meta).evaluate({ t: 0, token: '', layers: [] }), 2);
  });
  it('enormous literals', () => {
    rejectsFast('f.mean < 1e999999', /number 1e999999 is too large for float64/, 10);
    rejectsFast('1' + '0'.repeat(400), /number literal is too long \(401 characters; at most 40\)/, 1);
    rejectsFast('"' + 'a'.repeat(3000) + '"', /string literal is too long/, 1);
    rejectsFast('h[99999999999]', /unit 99999999999 is beyond the size/);
  });
  it('too many parts', () => rejectsFast('1+'.repeat(1200) + '1', /too many parts \(at most 2048\)/));
  it('a long flat sum within the limits compiles and runs (no recursion blow-up)', () => {
    const src = Array.from({ length: 400 }, () => 'h[0]').join('+');
    const step = { t: 0, token: '', layers: [{ forward: { x: [0, 0, 0, 0], hPrev: new Float32Array(8), cPrev: new Float32Array(8), gates: {}, c: new Float32Array(8), h: Float32Array.from([2, 0, 0, 0, 0, 0, 0, 0]) } }] };
    assert.strictEqual(compileExpression(src, meta).evaluate(step), 800);
  });
  it('control characters, NUL, emoji and bidi overrides are rejected with their code point', () => {
    rejectsFast('h[0]\u0000', /unexpected character U\+0000/, 5);
    rejectsFast('h[0] < 1 \u202E', /U\+202E/, 10);
    rejectsFast('\u{1F600}', /U\+D83D/, 1);
  });
  it('nothing is evaluated as JavaScript', () => {
    for (const src of ['constructor', 'h.constructor', 'this', 'process.exit(1)', '__proto__', 'h["constructor"]', 'Function("return 1")()', 'toString()']) {
      assert.throws(() => compileCondition(src, meta), ExprError, src);
    }
  });
});
