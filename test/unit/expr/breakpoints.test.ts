import * as assert from 'assert';
import { BreakpointSet, compileLogTemplate, ExprError, parseHitCondition, scanCondition } from '../../../src/expr';
import { arraySource, fixtureSteps, loadFixture, metaOf } from './fixtureSource';

/* eslint-disable @typescript-eslint/no-explicit-any */
const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / a.length;
/** Steps where pred holds, computed straight from the fixture arrays (the truth). */
const handHits = (T: number, pred: (t: number) => boolean): number[] => Array.from({ length: T }, (_, t) => t).filter(pred);
const f32 = Math.fround;

describe('breakpoint scanning against hand-computed hits (reference fixtures)', () => {
  const lstm = loadFixture('lstm_i4_h8_t200');
  const L = lstm.expected.layers[0].forward;
  const lstmSrc = arraySource(metaOf(lstm), fixtureSteps(lstm));
  const T = lstm.seqLen as number;

  it('f.mean < threshold (a forget event) matches the fixture step by step', () => {
    // The median of f.mean over the run, so roughly half the steps are hits.
    const means = L.gates.f.map((row: number[]) => mean(row.map(f32)));
    const thr = [...means].sort((a, b) => a - b)[Math.floor(T / 4)];
    const want = handHits(T, (t) => means[t] < thr);
    assert.ok(want.length > 10 && want.length < T - 10);
    assert.deepStrictEqual(scanCondition(lstmSrc, `f.mean < ${thr}`), want);
  });
  it('c[3] > 0.3, abs(h[5] - h_prev[5]) > 0.2, argmax(h) == 2, t-based and counted conditions', () => {
    assert.deepStrictEqual(scanCondition(lstmSrc, 'c[3] > 0.3'), handHits(T, (t) => f32(L.c[t][3]) > 0.3));
    const hPrev = (t: number, u: number): number => (t === 0 ? (lstm.h0 ? lstm.h0[0][u] : 0) : L.h[t - 1][u]);
    assert.deepStrictEqual(scanCondition(lstmSrc, 'abs(h[5] - h_prev[5]) > 0.2'), handHits(T, (t) => Math.abs(f32(L.h[t][5]) - f32(hPrev(t, 5))) > 0.2));
    const argmax = (row: number[]): number => row.indexOf(Math.max(...row));
    assert.deepStrictEqual(scanCondition(lstmSrc, 'argmax(h) == 2'), handHits(T, (t) => argmax(L.h[t]) === 2));
    assert.deepStrictEqual(scanCondition(lstmSrc, 'count(i > 0.5 && f < 0.5) >= 3'), handHits(T, (t) => L.gates.i[t].filter((v: number, u: number) => v > 0.5 && L.gates.f[t][u] < 0.5).length >= 3));
    assert.deepStrictEqual(scanCondition(lstmSrc, 't % 50 == 0'), [0, 50, 100, 150]);
    assert.deepStrictEqual(scanCondition(lstmSrc, 'c[3] > 0.3', { t0: 100, t1: 150 }), handHits(T, (t) => t >= 100 && t < 150 && f32(L.c[t][3]) > 0.3));
  });
  it('GRU: z.max > 0.9 and the candidate', () => {
    const gru = loadFixture('gru_i4_h8_t200');
    const G = gru.expected.layers[0].forward.gates;
    const src = arraySource(metaOf(gru), fixtureSteps(gru));
    assert.deepStrictEqual(scanCondition(src, 'z.max > 0.9'), handHits(200, (t) => Math.max(...G.z[t].map(f32)) > 0.9));
    assert.deepStrictEqual(scanCondition(src, 'cand.min < -0.8'), handHits(200, (t) => Math.min(...G.n[t].map(f32)) < -0.8));
  });
  it('bidirectional stack: l1.rev and the reverse h_prev (state after x[t+1])', () => {
    const bi = loadFixture('lstm_i3_h4_t6_l2_bi');
    const R = bi.expected.layers[1].reverse;
    const src = arraySource(metaOf(bi), fixtureSteps(bi));
    assert.deepStrictEqual(scanCondition(src, 'l1.rev.h[2] > 0'), handHits(6, (t) => R.h[t][2] > 0));
    // reverse h_prev at t is row t+1; at the last position it is the initial state (zeros here: h0 is null)
    const revPrev = (t: number): number => (t === 5 ? 0 : f32(R.h[t + 1][0]));
    assert.deepStrictEqual(scanCondition(src, 'l1.rev.h_prev[0] > 0'), handHits(6, (t) => revPrev(t) > 0));
    assert.deepStrictEqual(scanCondition(src, 'l1.x.len == 8 && l1.x[5] == l0.rev.h[1]'), [0, 1, 2, 3, 4, 5]);
  });

  it('BreakpointSet: condition + every-Nth hit count + logpoint, forward and backward', () => {
    const means = L.gates.f.map((row: number[]) => mean(row.map(f32)));
    const thr = [...means].sort((a, b) => a - b)[Math.floor(T / 2)];
    const condHits = handHits(T, (t) => means[t] < thr);
    const every3 = condHits.filter((_, k) => (k + 1) % 3 === 0);
    const set = new BreakpointSet(arraySource(metaOf(lstm), fixtureSteps(lstm)));
    const st = set.set([
      { id: 1, place: { kind: 'any' }, condition: `f.mean < ${thr}`, hitCondition: '%3' },
      { id: 2, place: { kind: 'steps', steps: [7] }, logMessage: 'c[0] = {c[0]} at t={t}' },
    ]);
    assert.deepStrictEqual(st, [{ id: 1, verified: true }, { id: 2, verified: true }]);
    // Continue from the start visits exactly every third hit.
    const stops: number[] = [];
    for (let at = -1, s = set.nextStop(at, 1); s; at = s.step, s = set.nextStop(at, 1)) stops.push(s.step);
    assert.deepStrictEqual(stops, every3);
    // Reverse continue from the end visits the same steps backwards.
    const back: number[] = [];
    for (let at = T, s = set.nextStop(at, -1); s; at = s.step, s = set.nextStop(at, -1)) back.push(s.step);
    assert.deepStrictEqual(back, [...every3].reverse());
    // The logpoint never stops, but prints when passed.
    const logs = set.logsBetween(0, 10);
    assert.strictEqual(logs.length, 1);
    assert.strictEqual(logs[0].log, `c[0] = ${Number(f32(L.c[7][0]).toPrecision(6))} at t=7`);
    assert.deepStrictEqual(set.logsBetween(7, 10), []);
    assert.strictEqual(set.firesAt(every3[0])[0].hit, 3);
  });
  it('the scan is lazy: the first stop reads only as far as it needs', () => {
    const src = arraySource(metaOf(lstm), fixtureSteps(lstm));
    const set = new BreakpointSet(src, 16);
    set.set([{ id: 1, place: { kind: 'steps', steps: [20] } }]);
    assert.strictEqual(set.nextStop(-1, 1)?.step, 20);
    assert.ok(src.visited <= 40, `visited ${src.visited}`);
    assert.strictEqual(set.nextStop(20, 1), undefined);
    assert.strictEqual(set.allFires().length, 1);
  });
  it('token breakpoints and steps places', () => {
    const ch = loadFixture('char_lstm_public');
    const tokens: string[] = ch.tokens.map((id: number) => ch.vocab[id]);
    const set = new BreakpointSet(arraySource(metaOf(ch), fixtureSteps(ch, tokens)));
    set.set([{ id: 1, place: { kind: 'token', text: '(' } }, { id: 2, place: { kind: 'steps', steps: [3, 5, 9999] }, condition: 't > 3' }]);
    const want = [...handHits(tokens.length, (t) => tokens[t] === '('), 5].sort((a, b) => a - b);
    assert.ok(want.length >= 2);
    assert.deepStrictEqual(set.allFires().map((f) => f.step), want);
    assert.strictEqual(scanCondition(arraySource(metaOf(ch), fixtureSteps(ch, tokens)), 'token == "("').length, want.length - 1);
  });
  it('invalid breakpoints are unverified with the reason and column; the others still work', () => {
    const set = new BreakpointSet(lstmSrc);
    const st = set.set([
      { id: 1, place: { kind: 'any' }, condition: 'f.maen < 0.2' },
      { id: 2, place: { kind: 'any' }, condition: 'r.max > 0.5' },
      { id: 3, place: { kind: 'any' }, condition: 't == 4', hitCondition: '%x' },
      { id: 4, place: { kind: 'any' }, condition: 't == 4', logMessage: 'value {h[99]}' },
      { id: 5, place: { kind: 'steps', steps: [500] } },
      { id: 6, place: { kind: 'any' }, condition: 't == 4' },
    ]);
    assert.deepStrictEqual(st.map((s) => s.verified), [false, false, false, false, false, true]);
    assert.match(st[0].message!, /^condition, column 3: unknown reduction '\.maen' \(did you mean 'mean'\?\)/);
    assert.match(st[1].message!, /^condition, column 1: the LSTM cell has no 'r'/);
    assert.match(st[2].message!, /^hit count, column 2: hit condition needs a whole number/);
    assert.match(st[3].message!, /^log message, column 10: unit 99 is beyond the size: h has 8 units/);
    assert.match(st[4].message!, /no step of this sequence is there \(it has 200 steps\)/);
    assert.strictEqual(set.nextStop(-1, 1)?.step, 4);
  });
  it('a runtime error disables only that breakpoint and is reported once', () => {
    const set = new BreakpointSet(lstmSrc);
    set.set([{ id: 1, place: { kind: 'any' }, condition: 'h[t] > 0' }, { id: 2, place: { kind: 'steps', steps: [100] } }]);
    assert.strictEqual(set.nextStop(-1, 1)?.step !== undefined, true);
    assert.strictEqual(set.allFires().at(-1)?.step, 100);
    assert.strictEqual(set.errors.length, 1);
    assert.match(set.errors[0], /breakpoint 1 disabled: column 3: unit index evaluated to 8 at step 8/);
  });
});

describe('hit conditions', () => {
  const hits = (text: string): number[] => Array.from({ length: 12 }, (_, k) => k + 1).filter(parseHitCondition(text));
  it('every form', () => {
    assert.deepStrictEqual(hits('%5'), [5, 10]);
    assert.deepStrictEqual(hits('every 4'), [4, 8, 12]);
    assert.deepStrictEqual(hits('10'), [10, 11, 12]);
    assert.deepStrictEqual(hits('>= 11'), [11, 12]);
    assert.deepStrictEqual(hits('==3'), [3]);
    assert.deepStrictEqual(hits(' > 10 '), [11, 12]);
    assert.deepStrictEqual(hits('<3'), [1, 2]);
    assert.deepStrictEqual(hits('<=2'), [1, 2]);
  });
  it('errors', () => {
    assert.throws(() => parseHitCondition(''), /hit condition is empty/);
    assert.throws(() => parseHitCondition('%0'), (e: ExprError) => e.column === 2 && /every 0th/.test(e.message));
    assert.throws(() => parseHitCondition('>= ten'), (e: ExprError) => e.column === 4 && /found 'ten'/.test(e.message));
    assert.throws(() => parseHitCondition('1e3'), /whole number/);
  });
});

describe('log message templates', () => {
  const fx = loadFixture('lstm_i3_h4_t5');
  const steps = fixtureSteps(fx, ['a', 'b', 'c', 'd', 'e']);
  it('formats numbers, vectors, booleans, strings; {{ }} escapes', () => {
    const tpl = compileLogTemplate('{{t}} {t}: f.mean = {f.mean}, c[0] > 0: {c[0] > 0}, tok {token}, h {h}', metaOf(fx));
    const s = steps[2];
    const h = fx.expected.layers[0].forward.h[2].map((v: number) => String(Number(f32(v).toPrecision(6))));
    const fm = mean(fx.expected.layers[0].forward.gates.f[2].map(f32));
    assert.strictEqual(tpl(s), `{t} 2: f.mean = ${Number(fm.toPrecision(6))}, c[0] > 0: ${f32(fx.expected.layers[0].forward.c[2][0]) > 0}, tok "c", h [${h.join(', ')}]`);
  });
  it('errors point into the template', () => {
    assert.throws(() => compileLogTemplate('x = {f.maen}', metaOf(fx)), (e: ExprError) => e.column === 8 && /unknown reduction/.test(e.message));
    assert.throws(() => compileLogTemplate('x = {f.mean', metaOf(fx)), (e: ExprError) => e.column === 5 && /not closed/.test(e.message));
    assert.throws(() => compileLogTemplate('x = }', metaOf(fx)), (e: ExprError) => e.column === 5);
  });
});
