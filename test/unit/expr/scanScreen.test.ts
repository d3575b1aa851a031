import * as assert from 'assert';
import { runNetwork, type Trace } from '../../../src/engine/trace';
import type { CellSpec, Network } from '../../../src/engine/types';
import { BreakpointSet, ConditionScanner, compileCondition, compileExpression, scanCondition, traceSource, type BreakpointDef, type StepSource } from '../../../src/expr';
import { compileBounds } from '../../../src/expr/bounds';
import { R } from '../../../src/expr/interval';
import { VECTOR_REDUCERS } from '../../../src/expr/builtins';
import { componentValues, components } from '../../../src/expr/values';
import { randomNetwork, mulberry32 } from '../../../src/model/random';
import { loadFixture } from '../engine/helpers';
import { referenceKernel } from '../../../src/engine/kernels/reference';

const LSTM: CellSpec = { family: 'lstm', nonlinearity: 'tanh', peephole: false, coupling: 'none', resetAfter: true, projSize: 0 };

function input(T: number, In: number, seed = 7): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: T * In }, () => 2 * r() - 1);
}

/** A trace whose exactRange calls are counted (how many steps a scan recomputed). */
function counted(trace: Trace): { trace: Trace; recomputed: () => number } {
  let n = 0;
  const spy = Object.create(trace) as Trace;
  spy.exactRange = (a: number, b: number) => ((n += b - a), trace.exactRange(a, b));
  return { trace: spy, recomputed: () => n };
}

/** Hits of every condition from ONE pass over exact values at every step (the slow path, the truth). */
function brute(src: StepSource, exprs: string[]): number[][] {
  const conds = exprs.map((e) => compileCondition(e, src.meta));
  const hits = exprs.map((): number[] => []);
  src.forEachStep(0, src.steps, (s) => conds.forEach((c, i) => c.test(s) && hits[i].push(s.t)));
  return hits;
}

/** The left-hand side's exact value at step t, written so that it parses back to the same float64. */
function exactAt(src: StepSource, lhs: string, t: number): string {
  const v = compileExpression(lhs, src.meta).evaluate(src.stepAt(t)) as number;
  assert.ok(Number.isFinite(v), `${lhs} at ${t} is ${v}`);
  return String(v);
}

/**
 * Conditions whose threshold is the exact value at some step: the hardest case for a screen (equality
 * at the boundary must go to the exact evaluator). Returns [condition, screened hits, brute hits].
 */
function compare(trace: Trace, x: Float32Array, lhs: string[], at: number[]): { exprs: string[]; recomputed: number[] } {
  const exact = traceSource(trace, { x, bounds: false });
  const exprs: string[] = [];
  for (const l of lhs) {
    for (const [k, t] of at.entries()) {
      const v = exactAt(exact, l, t);
      exprs.push(`${l} ${['>', '>=', '<', '<=', '==', '!='][k % 6]} ${v}`);
    }
  }
  const want = brute(exact, exprs);
  const recomputed: number[] = [];
  exprs.forEach((e, i) => {
    const c = counted(trace);
    const src = traceSource(c.trace, { x });
    assert.ok(src.bounds, 'the trace offers enclosures');
    assert.deepStrictEqual(scanCondition(src, e), want[i], e);
    recomputed.push(c.recomputed());
  });
  return { exprs, recomputed };
}

const COMMON = [
  'h[1]', 'h.mean', 'h.max', 'h.min', 'h.std', 'h.norm', 'sum(h) / len(h)', 'abs(h[0] - h_prev[0])', 'argmax(h)', 'argmin(h_prev)',
  'count(h > 0)', 'h[0] * h[1] - h_prev[2] / 3', 'exp(h[0]) + sigmoid(h[1])', 'tanh(2 * h[2])', 'sqrt(abs(h[0]))', 'log(abs(h[1]) + 0.001)',
  'min(h[0], h[1], 0.1)', 'max(h, h_prev)[2]', '-h[0]', 'h[1] % 0.25', 'h[0] / (abs(h[1]) + 0.5)', 'x[0] + h[0]', 't % 7 + h[0]',
];

describe('scan screening from the 8-bit store: exactly the brute-force hits', () => {
  const fixtures: [string, string[]][] = [
    ['lstm_i4_h8_t200', ['f.mean', 'c[3]', 'c_prev.max', 'count(i > 0.5 && f < 0.5)', 'o.min']],
    ['lstm_peephole_i4_h8_t200', ['f[2]', 'c.mean', 'g.max']],
    ['lstm_cifg_i4_h8_t200', ['i.mean', 'f[0] + c[1]']],
    ['gru_i4_h8_t200', ['z.max', 'cand.min', 'r[3] - n[3]']],
    ['gru_cho_i4_h8_t200', ['z.mean', 'n[1]']],
    ['rnn_relu_i4_h8_t200', ['h.sum']],
    ['rnn_tanh_i4_h8_t200', ['h[7]']],
  ];
  for (const [name, extra] of fixtures) {
    it(`${name}: conditions with thresholds at exact values agree with evaluating every step`, function () {
      this.timeout(30_000); // a loaded 2-core machine; the work is ~0.3 s
      const { spec, net } = loadFixture(name);
      const trace = runNetwork(net, spec.x!, { checkpointEvery: 16, h0: spec.h0, c0: spec.c0 });
      const { exprs, recomputed } = compare(trace, spec.x!, [...COMMON, ...extra], [37, 120, 5, 199, 64, 150]);
      // The screen decides most steps: most conditions recompute far fewer than all 200 steps.
      const light = recomputed.filter((n) => n < 100).length;
      assert.ok(light > exprs.length / 2, `only ${light} of ${exprs.length} conditions were mostly screened`);
    });
  }
  it('stacks and directions: l1, rev, layer-1 x (2-layer bidirectional LSTM and projected LSTM)', function () {
    this.timeout(30_000);
    for (const name of ['lstm_i3_h4_t6_l2_bi', 'lstm_proj_i3_h5_p2_t5_l2_bi', 'gru_i3_h4_t6_l2_bi']) {
      const { spec, net } = loadFixture(name);
      const trace = runNetwork(net, spec.x!, { checkpointEvery: 2, h0: spec.h0, c0: spec.c0 });
      compare(trace, spec.x!, ['l1.h[0]', 'rev.h_prev[1]', 'l1.rev.x[1]', 'l1.x.mean', 'l0.rev.h.max - l1.h.min', 'rev.h[0] + h[0]'], [0, 1, spec.x!.length / spec.shape.inputSize - 1]);
    }
  });

  it('a random 100,000-step trace: screened scans equal brute force and recompute few chunks', function () {
    this.timeout(120_000);
    const T = 100_000;
    const x = input(T, 8);
    const trace = runNetwork(randomNetwork(LSTM, { inputSize: 8, hiddenSize: 24, numLayers: 1, bidirectional: false }, 3), x);
    const exact = traceSource(trace, { x, bounds: false });
    // Thresholds in the tails (rare events, as breakpoints usually are), at exact values of the trace.
    const lhs = ['f.mean', 'c[5]', 'abs(h[5] - h_prev[5])'].map((e) => compileExpression(e, exact.meta));
    const values = lhs.map(() => new Float64Array(T));
    exact.forEachStep(0, T, (s) => lhs.forEach((c, i) => (values[i][s.t] = c.evaluate(s) as number)));
    const quantile = (i: number, q: number): string => String([...values[i]].sort((a, b) => a - b)[Math.floor(q * (T - 1))]);
    const exprs = [
      `f.mean < ${quantile(0, 0.005)}`,
      `c[5] >= ${quantile(1, 0.99)}`,
      `abs(h[5] - h_prev[5]) > ${quantile(2, 0.995)}`,
      'argmax(h) == 12',
      'i.mean > 0.99', // never
      'h[0] > -2', // always
    ];
    const want = brute(exact, exprs);
    assert.ok(want[4].length === 0 && want[5].length === T && want[0].length > 100 && want[1].length > 100 && want[3].length > 100, want.map((w) => w.length).join(' '));
    for (const [i, e] of exprs.entries()) {
      const c = counted(trace);
      assert.deepStrictEqual(scanCondition(traceSource(c.trace, { x }), e), want[i], e);
      if (i !== 3) assert.ok(c.recomputed() < T / 4, `${e}: recomputed ${c.recomputed()} of ${T} steps`);
    }
  });

  it('no screen when the store cannot be trusted (values overflowed) or the condition has a computed index', () => {
    // A relu RNN with enormous weights overflows to Infinity (coded like a finite end value).
    const relu: CellSpec = { ...LSTM, family: 'rnn', nonlinearity: 'relu' };
    const net: Network = randomNetwork(relu, { inputSize: 3, hiddenSize: 4, numLayers: 1, bidirectional: false }, 9);
    for (const w of [net.layers[0][0].W, net.layers[0][0].R]) for (let i = 0; i < w.length; i++) w[i] = Math.abs(w[i]) * 1e30;
    const x = input(40, 3, 2).map(Math.abs);
    const trace = runNetwork(net, x, { checkpointEvery: 8 });
    const src = traceSource(trace, { x });
    assert.strictEqual(src.bounds, undefined);
    assert.ok(scanCondition(src, 'h[0] > 1e38').length > 10);
    assert.deepStrictEqual(scanCondition(src, 'h[0] > 1e38'), brute(traceSource(trace, { x, bounds: false }), ['h[0] > 1e38'])[0]);
    const ok = runNetwork(randomNetwork(LSTM, { inputSize: 3, hiddenSize: 4, numLayers: 1, bidirectional: false }, 1), x);
    const okSrc = traceSource(ok, { x });
    assert.ok(okSrc.bounds);
    assert.strictEqual(compileBounds('h[argmax(c)] > 0', okSrc.meta, {}, okSrc.bounds!), undefined);
    assert.ok(compileBounds('h[2] > 0', okSrc.meta, {}, okSrc.bounds!));
  });

  it('breakpoint sets (hit counts, logpoints, token and step places, stops both ways) fire exactly as without screening', function () {
    this.timeout(60_000);
    const { spec, net } = loadFixture('lstm_i4_h8_t200');
    const x = spec.x!;
    const trace = runNetwork(net, x, { checkpointEvery: 16, h0: spec.h0, c0: spec.c0 });
    const tokenAt = (t: number): string => 'abcab'[t % 5];
    const exact = traceSource(trace, { x, tokenAt, bounds: false });
    const thr = exactAt(exact, 'f.mean', 120);
    const defs: BreakpointDef[] = [
      { id: 1, place: { kind: 'any' }, condition: `f.mean < ${thr}`, hitCondition: '%3' },
      { id: 2, place: { kind: 'any' }, condition: `c[3] > ${exactAt(exact, 'c[3]', 40)}`, logMessage: 'c3={c[3]} f={f.mean}' },
      { id: 3, place: { kind: 'token', text: 'b' }, condition: `h[1] >= ${exactAt(exact, 'h[1]', 71)}` },
      { id: 4, place: { kind: 'steps', steps: [3, 64, 65, 150, 199] }, hitCondition: '>1' },
      { id: 5, place: { kind: 'any' }, condition: `argmax(h) == ${exactAt(exact, 'argmax(h)', 10)}`, logMessage: 'at {t} {h[argmax(c) + 4]}' }, // fails where argmax(c) >= 4,
      { id: 6, place: { kind: 'any' }, condition: 't == 0' },
    ];
    const run = (bounds: boolean): unknown[] => {
      const src = traceSource(trace, { x, tokenAt, bounds });
      const set = new BreakpointSet(src, 50);
      const status = set.set(defs);
      assert.ok(status.every((st) => st.verified), JSON.stringify(status));
      // Lazy stops first (the scan only goes as far as needed), then everything.
      const stops: unknown[] = [];
      for (let from = -1, k = 0; k < 8; k++) {
        const stop = set.nextStop(from, 1);
        if (!stop) break;
        stops.push(stop);
        from = stop.step;
      }
      stops.push(set.nextStop(150, -1));
      return [stops, set.allFires(), set.logsBetween(-1, 199), [...set.errors]];
    };
    const screened = run(true);
    const plain = run(false);
    assert.deepStrictEqual(screened, plain);
    const fires = screened[1] as { id: number }[];
    for (const id of [1, 2, 3, 4, 5, 6]) assert.ok(fires.some((f) => f.id === id), `breakpoint ${id} fires`);
    assert.match((screened[3] as string[]).join(), /^breakpoint 5 disabled: column \d+: unit index evaluated to \d+ at step \d+/);
  });

  it('every enclosure (coarse and refined, whole rows, single units, reductions from codes) contains the exact value', function () {
    this.timeout(60_000);
    const names = ['lstm_i4_h8_t200', 'lstm_peephole_i4_h8_t200', 'gru_cho_i4_h8_t200', 'rnn_relu_i4_h8_t200', 'lstm_i3_h4_t6_l2_bi', 'lstm_proj_i3_h5_p2_t5_l2_bi', 'gru_i3_h4_t6_l2_bi', 'lstm_cifg_i4_h8_t200'];
    for (const name of names) {
      const { spec, net } = loadFixture(name);
      const x = spec.x!;
      // The JS quantizer (reference kernel) on odd fixtures, the default (wasm) one on even ones.
      const kernel = names.indexOf(name) % 2 ? referenceKernel : undefined;
      const trace = runNetwork(net, x, { checkpointEvery: 4, h0: spec.h0, c0: spec.c0, kernel });
      const src = traceSource(trace, { x });
      const tiers = [src.bounds!, ...(src.bounds!.refined ? [src.bounds!.refined] : [])];
      assert.strictEqual(tiers.length, spec.cell.family === 'lstm' && spec.cell.projSize === 0 ? 2 : 1, name);
      let checked = 0;
      for (let t = 0; t < src.steps; t++) {
        const e = src.stepAt(t);
        e.layers.forEach((l, k) => [l.forward, l.reverse].forEach((dir, d) => {
          if (!dir) return;
          for (const comp of components(src.meta, k)) {
            const exact: ArrayLike<number> = componentValues(dir, comp.name)!;
            for (const tier of tiers) {
              const leaf = tier.leaf(k, d as 0 | 1, comp.name)!;
              const out = new Float64Array(2 * leaf.len);
              leaf.fill(t, out);
              for (let i = 0; i < leaf.len; i++) {
                const where: string = `${name} t=${t} l${k} d${d} ${comp.name}[${i}] = ${exact[i]}`;
                assert.ok(out[i] <= exact[i] && exact[i] <= out[leaf.len + i], `${where} outside [${out[i]}, ${out[leaf.len + i]}]`);
                leaf.unit(t, i);
                assert.deepStrictEqual([R.lo, R.hi], [out[i], out[leaf.len + i]], where);
                checked++;
              }
              for (const m of ['max', 'min', 'sum', 'mean']) {
                if (leaf.reduce?.(m, t)) assert.ok(R.lo <= VECTOR_REDUCERS[m](exact, leaf.len) && VECTOR_REDUCERS[m](exact, leaf.len) <= R.hi, `${name} t=${t} ${comp.name}.${m}`);
              }
            }
          }
        }));
      }
      assert.ok(checked > 100, name);
    }
  });

  it('a network with a decoder (logits) scans and presents the same exact values', () => {
    const net: Network = randomNetwork(LSTM, { inputSize: 5, hiddenSize: 6, numLayers: 1, bidirectional: false }, 4);
    net.decoder = { W: input(7 * 6, 1, 5), b: input(7, 1, 6), vocabSize: 7 };
    const x = input(300, 5, 8);
    const trace = runNetwork(net, x, { checkpointEvery: 32 });
    assert.strictEqual(trace.meta.vocabSize, 7);
    const src = traceSource(trace, { x });
    for (const t of [0, 31, 32, 299]) assert.deepStrictEqual(src.stepAt(t).layers, trace.exactStep(t).layers, `step ${t}`);
    const e = `h[2] > ${exactAt(src, 'h[2]', 77)}`;
    assert.deepStrictEqual(scanCondition(src, e), brute(traceSource(trace, { x, bounds: false }), [e])[0]);
  });

  it('scanUntil: past its deadline it stops at a chunk edge with everything before decided, and resumes exactly', () => {
    const x = input(3000, 4, 12);
    const trace = runNetwork(randomNetwork(LSTM, { inputSize: 4, hiddenSize: 8, numLayers: 1, bidirectional: false }, 6), x, { checkpointEvery: 16 });
    const src = traceSource(trace, { x });
    const e = `h[0] > ${exactAt(src, 'h[0]', 1500)}`;
    const all = new ConditionScanner(src, e).scan(0, 3000);
    const scanner = new ConditionScanner(src, e);
    const got: number[] = [];
    let pieces = 0;
    for (let t0 = 0; t0 < 3000; pieces++) {
      const r = scanner.scanUntil(t0, 3000, Infinity, 0); // always past the deadline
      assert.ok(r.end > t0 && (r.end % 16 === 0 || r.end === 3000), `progress from ${t0} to ${r.end}`);
      assert.ok(r.hits.every((t) => t >= t0 && t < r.end));
      got.push(...r.hits);
      t0 = r.end;
    }
    assert.deepStrictEqual(got, all);
    assert.ok(pieces > 5, `${pieces} pieces`);
  });
});
