import * as assert from 'assert';
import { compileCondition, compileExpression, ExprError, caretLines } from '../../../src/expr';
import type { CellSpec } from '../../../src/engine/types';
import type { DirectionStep, ExprMeta, StepValues } from '../../../src/expr/values';

const LSTM: CellSpec = { family: 'lstm', nonlinearity: 'tanh', peephole: false, coupling: 'none', resetAfter: true, projSize: 0 };
const GRU: CellSpec = { ...LSTM, family: 'gru' };
const RNN: CellSpec = { ...LSTM, family: 'rnn' };
/** LSTM, input 4, hidden 8, 2 layers, bidirectional, 50 steps. */
const meta: ExprMeta = { cell: LSTM, shape: { inputSize: 4, hiddenSize: 8, numLayers: 2, bidirectional: true }, steps: 50 };

const V = [3, -1, 4, 1, -5, 9, 2, 6];
/** Each component holds V shifted by a per-(layer, dir, component) offset, so a wrong read shows. */
function dirStep(off: number, xLen: number): DirectionStep {
  const vec = (k: number, n = 8): Float32Array => Float32Array.from({ length: n }, (_, i) => V[i % 8] + off + k * 100);
  return { x: vec(0, xLen), hPrev: vec(1), cPrev: vec(2), gates: { i: vec(3), f: vec(4), g: vec(5), o: vec(6) }, c: vec(7), h: vec(8) };
}
const step: StepValues = {
  t: 7,
  token: 'e',
  layers: [
    { forward: dirStep(0, 4), reverse: dirStep(1000, 4) },
    { forward: dirStep(2000, 16), reverse: dirStep(3000, 16) },
  ],
};
const ev = (src: string, m: ExprMeta = meta): unknown => {
  const v = compileExpression(src, m).evaluate(step);
  return typeof v === 'object' ? Array.from(v as ArrayLike<number>) : v;
};
function err(src: string, m: ExprMeta = meta, condition = false): ExprError {
  try {
    if (condition) compileCondition(src, m);
    else compileExpression(src, m);
  } catch (e) {
    assert.ok(e instanceof ExprError, `expected an ExprError for ${src}, got ${e}`);
    return e;
  }
  assert.fail(`expected '${src}' to be rejected`);
}
/** The error's caret is under `at` (the first occurrence of that text in the source). */
function errAt(src: string, at: string | number, includes: string, m: ExprMeta = meta, condition = false): void {
  const e = err(src, m, condition);
  assert.strictEqual(e.column, typeof at === 'number' ? at : src.indexOf(at) + 1, `column for '${src}': ${e.message}`);
  assert.ok(e.message.includes(includes), `message '${e.message}' should mention '${includes}'`);
}

describe('expression language: precedence and arithmetic', () => {
  const cases: [string, unknown][] = [
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['10 - 4 - 3', 3],
    ['2 * 3 % 4', 2],
    ['-2 * 3', -6],
    ['- -2', 2],
    ['7 / 2', 3.5],
    ['8 / 2 / 2', 2],
    ['1 + 2 < 4', true],
    ['1 < 2 == 2 < 3', true],
    ['1 < 2 || 2 < 1 && 1 > 2', true],
    ['(1 < 2 || 2 < 1) && 1 > 2', false],
    ['!(1 < 2) || 1 == 1', true],
    ['1e-3 * 1000', 1],
    ['.5 + 1.', 1.5],
    ['"a" == "a"', true],
    ["'a' != \"b\"", true],
  ];
  for (const [src, want] of cases) it(`${src} = ${want}`, () => assert.strictEqual(ev(src), want));
  it('&& and || short-circuit (the right side never runs)', () => {
    // A computed index out of range throws when evaluated; short-circuit must skip it.
    assert.strictEqual(ev('1 > 2 && h[argmax(h) + 100] > 0'), false);
    assert.strictEqual(ev('1 < 2 || h[argmax(h) + 100] > 0'), true);
  });
});

describe('expression language: names, qualifiers, reductions', () => {
  it('reads every LSTM name of the default layer 0 forward', () => {
    const want = (k: number): number[] => V.map((v) => v + k * 100);
    assert.deepStrictEqual(ev('x'), want(0).slice(0, 4));
    assert.deepStrictEqual(ev('h_prev'), want(1));
    assert.deepStrictEqual(ev('c_prev'), want(2));
    assert.deepStrictEqual(ev('C_prev'), want(2));
    assert.deepStrictEqual(ev('i'), want(3));
    assert.deepStrictEqual(ev('f'), want(4));
    assert.deepStrictEqual(ev('g'), want(5));
    assert.deepStrictEqual(ev('cand'), want(5));
    assert.deepStrictEqual(ev('C\u0303'), want(5));
    assert.deepStrictEqual(ev('o'), want(6));
    assert.deepStrictEqual(ev('c'), want(7));
    assert.deepStrictEqual(ev('C'), want(7));
    assert.deepStrictEqual(ev('h'), want(8));
    assert.strictEqual(ev('t'), 7);
    assert.strictEqual(ev('step'), 7);
    assert.strictEqual(ev('T'), 50);
    assert.strictEqual(ev('token'), 'e');
  });
  it('layer and direction qualifiers pick the right values', () => {
    assert.strictEqual(ev('rev.h[0]'), 3 + 1000 + 800);
    assert.strictEqual(ev('l1.h[0]'), 3 + 2000 + 800);
    assert.strictEqual(ev('l1.rev.h[1]'), -1 + 3000 + 800);
    assert.strictEqual(ev('rev.l1.h[1]'), -1 + 3000 + 800);
    assert.strictEqual(ev('fwd.h[0]'), 803);
    assert.strictEqual(ev('l1.x.len'), 16);
    assert.strictEqual(ev('l1.(h[0] - f[0])'), 400);
    assert.strictEqual(ev('l1.rev.(c - c_prev).mean'), 500);
    assert.strictEqual(ev('l1.f.mean'), 2400 + 19 / 8);
  });
  it('compile options set the default layer and direction', () => {
    assert.strictEqual(compileExpression('h[0]', meta, { layer: 1, dir: 1 }).evaluate(step), 3 + 3000 + 800);
    assert.strictEqual(compileExpression('l0.h[0]', meta, { layer: 1, dir: 1 }).evaluate(step), 3 + 1000 + 800);
  });
  it('every reduction, computed by hand on [3, -1, 4, 1, -5, 9, 2, 6] (+400 for f)', () => {
    const mean = 19 / 8;
    const std = Math.sqrt(V.reduce((s, v) => s + (v - mean) ** 2, 0) / 8);
    const close = (a: unknown, b: number): void => assert.ok(Math.abs((a as number) - b) < 1e-9, `${a} vs ${b}`);
    close(ev('f.mean'), 400 + mean);
    close(ev('f.sum'), 3200 + 19);
    assert.strictEqual(ev('f.min'), 395);
    assert.strictEqual(ev('f.max'), 409);
    close(ev('f.std'), std);
    close(ev('(f - 400).norm'), Math.sqrt(V.reduce((s, v) => s + v * v, 0)));
    assert.strictEqual(ev('f.argmax'), 5);
    assert.strictEqual(ev('f.argmin'), 4);
    assert.strictEqual(ev('f.len'), 8);
    assert.strictEqual(ev('(f > 402).count'), 4);
    assert.strictEqual(ev('(f > 408).any'), true);
    assert.strictEqual(ev('(f > 394).all'), true);
    assert.strictEqual(ev('(f > 395).all'), false);
  });
  it('argmax/argmin/min/max skip NaN units', () => {
    const m: ExprMeta = { cell: RNN, shape: { inputSize: 1, hiddenSize: 4, numLayers: 1, bidirectional: false } };
    const s: StepValues = { t: 0, token: '', layers: [{ forward: { x: [0], hPrev: [0, 0, 0, 0], gates: {}, h: [NaN, 2, -3, 2] } }] };
    const e = (src: string): unknown => compileExpression(src, m).evaluate(s);
    assert.deepStrictEqual([e('argmax(h)'), e('argmin(h)'), e('h.max'), e('h.min')], [1, 2, 2, -3]);
    assert.strictEqual(Number.isNaN(e('h.mean')), true); // the mean does see the NaN
  });
  it('argmax/argmin take the first unit on ties', () => {
    assert.strictEqual(ev('argmax(min(f, 404))'), 2);
    assert.strictEqual(ev('argmin(max(f, 400))'), 1);
  });
});

describe('expression language: every function', () => {
  const close = (a: unknown, b: number): void => assert.ok(Math.abs((a as number) - b) < 1e-12, `${a} vs ${b}`);
  it('scalar functions', () => {
    assert.strictEqual(ev('abs(-2.5)'), 2.5);
    close(ev('sqrt(2)'), Math.SQRT2);
    close(ev('exp(1)'), Math.E);
    close(ev('log(exp(2))'), 2);
    close(ev('tanh(0.5)'), 0.46211715726000974);
    close(ev('sigmoid(0)'), 0.5);
    close(ev('sigmoid(2)'), 0.8807970779778823);
    close(ev('sigmoid(-2)'), 0.11920292202211755);
    assert.strictEqual(ev('sigmoid(-800)'), 0); // no overflow to NaN
    assert.strictEqual(ev('sigmoid(800)'), 1);
    assert.strictEqual(ev('min(3, -1, 2)'), -1);
    assert.strictEqual(ev('max(3, -1, 2)'), 3);
  });
  it('elementwise on vectors, with numbers broadcast', () => {
    assert.deepStrictEqual(ev('abs(f - 402)'), [1, 3, 2, 1, 7, 7, 0, 4]);
    assert.deepStrictEqual(ev('max(f - 400, 0)'), [3, 0, 4, 1, 0, 9, 2, 6]);
    assert.deepStrictEqual(ev('min(f - 400, 2)'), [2, -1, 2, 1, -5, 2, 2, 2]);
    assert.deepStrictEqual(ev('sqrt(f - 395)'), V.map((v) => Math.sqrt(v + 5)));
    assert.deepStrictEqual(ev('f - 400 > 2'), [1, 0, 1, 0, 0, 1, 0, 1]);
    assert.strictEqual(ev('h[5] - h_prev[5]'), 700);
    assert.strictEqual(ev('abs(h[5] - h_prev[5]) > 0.5'), true);
  });
  it('reductions as functions: mean, sum, std, norm, argmax, argmin, min, max, len', () => {
    assert.strictEqual(ev('mean(f - 400)'), 19 / 8);
    assert.strictEqual(ev('sum(f - 400)'), 19);
    assert.strictEqual(ev('std(f)'), ev('f.std'));
    assert.strictEqual(ev('norm(f)'), ev('f.norm'));
    assert.strictEqual(ev('argmax(h)'), 5);
    assert.strictEqual(ev('argmin(h)'), 4);
    assert.strictEqual(ev('min(f)'), 395);
    assert.strictEqual(ev('max(f)'), 409);
    assert.strictEqual(ev('len(x)'), 4);
  });
  it('count, any, all over unit comparisons; && || ! on them elementwise', () => {
    assert.strictEqual(ev('count(f - 400 > 2)'), 4);
    assert.strictEqual(ev('count(f - 400 > 2 && i - 300 < 5)'), 2);
    assert.strictEqual(ev('count(f - 400 > 2 || i - 300 < 0)'), 6);
    assert.strictEqual(ev('count(!(f - 400 > 2))'), 4);
    assert.strictEqual(ev('any(f < 0)'), false);
    assert.strictEqual(ev('all(f > 0)'), true);
    assert.strictEqual(ev('count(t == 7)'), 1);
    assert.strictEqual(ev('(f - 400 > 2)[5]'), true);
  });
  it('indexes: constant and computed', () => {
    assert.strictEqual(ev('c[7]'), 706);
    assert.strictEqual(ev('h[argmax(c)]'), 809);
    assert.strictEqual(ev('argmax(h) == 5'), true);
  });
});

describe('expression language: errors point at the offending character', () => {
  const gruMeta: ExprMeta = { cell: GRU, shape: { inputSize: 3, hiddenSize: 5, numLayers: 1, bidirectional: false } };
  const rnnMeta: ExprMeta = { cell: RNN, shape: { inputSize: 3, hiddenSize: 5, numLayers: 1, bidirectional: false } };
  it('unknown names, with a suggestion', () => errAt('f.mean < 0.2 && hh > 1', 'hh', "unknown name 'hh' (did you mean 'h'?)"));
  it('unknown reductions', () => errAt('f.maen < 0.2', 'maen', "unknown reduction '.maen' (did you mean 'mean'?)"));
  it('unknown functions', () => errAt('1 + sigmod(h[0])', 'sigmod', "unknown function 'sigmod' (did you mean 'sigmoid'?)"));
  it('gates the cell lacks (GRU has no f, RNN has no gates or c)', () => {
    errAt('z.max > 0.9 && f.mean < 0.2', 'f.', "the GRU cell has no 'f'; it has x, h_prev, r, z, n, h", gruMeta);
    errAt('c[0] > 1', 'c', "the GRU cell has no 'c'", gruMeta);
    errAt('h[0] > i[0]', 'i', "the RNN cell has no 'i'", rnnMeta);
    errAt('cand.mean', 'cand', 'plain RNN cell has no gates', rnnMeta);
    errAt('m.mean', 'm', 'm_t exists only when proj_size > 0');
  });
  it('GRU names and the candidate alias', () => {
    const gstep: StepValues = { t: 0, token: '', layers: [{ forward: { x: [1, 2, 3], hPrev: [0, 0, 0, 0, 0], gates: { r: [1, 1, 1, 1, 1], z: [0.2, 0.2, 0.2, 0.2, 0.96], n: [5, 4, 3, 2, 1] }, h: [1, 1, 1, 1, 1] } }] };
    assert.strictEqual(compileCondition('z.max > 0.95', gruMeta).test(gstep), true);
    assert.strictEqual(compileExpression('cand[0] + r.sum', gruMeta).evaluate(gstep), 10);
  });
  it('units beyond the hidden size', () => errAt('c[39] > 1', '39', 'unit 39 is beyond the size: c has 8 units, numbered 0–7'));
  it('negative and fractional units', () => {
    errAt('h[1.5]', '1.5', 'whole number');
    errAt('h[-1]', '-1', 'whole number');
  });
  it('computed unit out of range fails at run time with the column', () => {
    const c = compileExpression('h[argmax(h) + 3] > 0', meta);
    assert.throws(() => c.evaluate(step), (e: ExprError) => e.column === 3 && /unit index evaluated to 8 at step 7: h has 8 units, numbered 0–7/.test(e.message));
  });
  it('layers and directions the network lacks', () => {
    errAt('l2.f.mean', 'l2', 'layer 2 does not exist: this network has 2 layers (l0, l1)');
    errAt('h[0] + rev.h[0]', 'rev', 'not bidirectional', gruMeta);
    errAt('l1.l0.h', 'l0', 'layer given twice');
  });
  it('syntax errors', () => {
    errAt('f.mean = 0.2', '=', "use '==' to compare");
    errAt('f.mean < 0.2 & i.mean > 1', '&', "use '&&'");
    errAt('f.mean < 0.2 and i.mean > 1', 'and', "'and' is not an operator here: use '&&'");
  });
  it('a missing parenthesis is reported at the end of the text', () => {
    const e = err('(f.mean < 0.2');
    assert.strictEqual(e.column, 14);
    assert.match(e.message, /expected '\)' to close the parenthesis, found the end of the expression/);
  });
  it('more syntax errors', () => {
    errAt('f.mean < 0.2)', ')', 'no matching (');
    errAt('f.mean < ', 10, 'ends too early');
    errAt('0 < f.mean < 1', '< 1', 'comparisons cannot be chained');
    errAt('token == "e', '"', 'string is not closed');
    errAt('h[0] # 1', '#', "unexpected character '#'");
    errAt('h.', 3, 'expected a reduction name');
    errAt('3h', 'h', "unexpected 'h' right after the number 3");
    errAt('"\\q"', '\\', "unknown escape '\\q'");
    errAt('max()', 'max', 'max() takes at least 1 arguments, got 0');
    errAt('abs(1, 2)', 'abs', 'abs() takes 1 argument, got 2');
  });
  it('type errors', () => {
    errAt('h + x', '+', 'h has 8 units but x has 4');
    errAt('l1.x - (h + 1)', '-', 'l1.x has 16 units but (h + 1) has 8');
    errAt('token + 1', 'token', "'+' needs numbers or vectors, but token is a string");
    errAt('f.mean && 1 < 2', 'f.mean', "'&&' needs true/false on both sides, but f.mean is a number; compare it, e.g. f.mean > 0");
    errAt('t.mean', 'mean', "'.mean' needs a vector, but t is a number");
    errAt('token == 1', '==', 'both sides must be the same kind');
    errAt('!h[0]', 'h[0]', "'!' needs a true/false value");
    errAt('min(1 < 2)', '1', 'one argument needs a vector');
    errAt('count(h)', 'h', 'needs a comparison over units');
    errAt('(h > 0) + 1', '(', 'but (h > 0) is a true/false vector of 8 units (true/false values cannot be added');
    errAt('t[0]', 't[', 'only vectors can be indexed');
  });
  it('conditions must be one true/false answer', () => {
    errAt('f.mean', 'f', 'a condition must be true or false, but this is a number; compare it, e.g. f.mean < 0.2', meta, true);
    errAt('f < 0.2', 'f', 'one true/false per unit (8 units)', meta, true);
    errAt('h', 'h', 'a condition must be true or false, but this is a vector of 8 units', meta, true);
  });
  it('empty expressions', () => errAt('   ', 1, 'expression is empty'));
  it('the caret display puts ^ under the column', () => {
    const src = 'f.mean < 0.2 && hh > 1';
    const lines = caretLines(src, err(src)).split('\n');
    assert.strictEqual(lines[0], src);
    assert.strictEqual(lines[1].indexOf('^'), src.indexOf('hh'));
    assert.match(lines[1], /\^\^ unknown name 'hh'/);
  });
});
