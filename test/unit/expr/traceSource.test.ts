import * as assert from 'assert';
import { runNetwork } from '../../../src/engine/trace';
import type { CellSpec } from '../../../src/engine/types';
import { WasmKernel, wasmSimdAvailable } from '../../../src/engine/wasm/wasmKernel';
import { BreakpointSet, compileCondition, scanCondition, traceSource } from '../../../src/expr';
import type { DirectionStep, StepValues } from '../../../src/expr/values';
import { randomNetwork, mulberry32 } from '../../../src/model/random';

const LSTM: CellSpec = { family: 'lstm', nonlinearity: 'tanh', peephole: false, coupling: 'none', resetAfter: true, projSize: 0 };

function input(T: number, In: number, seed = 7): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: T * In }, () => 2 * r() - 1);
}

function sameDir(a: DirectionStep, b: DirectionStep, where: string): void {
  const eq = (x: ArrayLike<number> | undefined, y: ArrayLike<number> | undefined, what: string): void =>
    assert.deepStrictEqual(Array.from(x ?? []), Array.from(y ?? []), `${where} ${what}`);
  eq(a.x, b.x, 'x');
  eq(a.hPrev, b.hPrev, 'h_prev');
  eq(a.cPrev, b.cPrev, 'c_prev');
  eq(a.c, b.c, 'c');
  eq(a.h, b.h, 'h');
  eq(a.m, b.m, 'm');
  for (const g of ['i', 'f', 'g', 'o', 'r', 'z', 'n'] as const) eq(a.gates[g], b.gates[g], g);
}

describe('traceSource: scanning the engine trace', () => {
  it('every step it presents equals exactStep(t), across block and checkpoint borders (2-layer bidirectional, projected LSTM)', () => {
    const cell = { ...LSTM, projSize: 3 };
    const shape = { inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true };
    const T = 70;
    const x = input(T, 3);
    const h0 = input(2 * 2 * 3, 1, 3);
    const trace = runNetwork(randomNetwork(cell, shape, 11), x, { checkpointEvery: 16, h0 });
    for (const withX of [true, false]) {
      const src = traceSource(trace, { x: withX ? x : undefined, tokenAt: (t) => `tok${t}`, block: 9 });
      let seen = 0;
      src.forEachStep(0, T, (s: StepValues) => {
        const e = trace.exactStep(s.t);
        assert.strictEqual(s.token, `tok${s.t}`);
        for (let k = 0; k < 2; k++) {
          sameDir(s.layers[k].forward, e.layers[k].forward, `t=${s.t} l${k} fwd`);
          sameDir(s.layers[k].reverse!, e.layers[k].reverse!, `t=${s.t} l${k} rev`);
        }
        seen++;
      });
      assert.strictEqual(seen, T);
    }
  });
  it('a scan fills in only what the expression reads, and still reads it right (2-layer bidirectional)', () => {
    const shape = { inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true };
    const T = 90;
    const x = input(T, 3, 9);
    const trace = runNetwork(randomNetwork(LSTM, shape, 21), x, { checkpointEvery: 16 });
    const src = traceSource(trace, { x, block: 20 });
    for (const expr of ['l1.rev.x[5] > 0 && l1.rev.h_prev[1] < l1.rev.h[1]', '(t % 3 == 0 && l0.rev.c_prev[0] > l0.rev.c_prev.mean) || l1.f[2] < l1.f.mean', 'x[0] + l0.rev.h_prev[3] > 0']) {
      const cond = compileCondition(expr, src.meta);
      const want: number[] = [];
      for (let t = 0; t < T; t++) if (cond.test({ t, token: '', layers: trace.exactStep(t).layers })) want.push(t);
      assert.ok(want.length > 3 && want.length < T - 3, `${expr}: ${want.length} hits`);
      assert.deepStrictEqual(scanCondition(src, expr), want, expr);
    }
    assert.deepStrictEqual([...compileCondition('l1.rev.x[5] > 0 && h_prev[1] < cand[1]', src.meta).reads].sort(), ['0/0/g', '0/0/h_prev', '1/1/x']);
  });

  it('conditions over the trace agree with the same condition on exactStep', () => {
    const shape = { inputSize: 4, hiddenSize: 6, numLayers: 1, bidirectional: false };
    const T = 300;
    const trace = runNetwork(randomNetwork(LSTM, shape, 5), input(T, 4), { checkpointEvery: 32 });
    const src = traceSource(trace);
    const cond = compileCondition('f.mean < 0.45 || c.max > 0.4', src.meta);
    const want: number[] = [];
    for (let t = 0; t < T; t++) if (cond.test({ t, token: '', layers: trace.exactStep(t).layers })) want.push(t);
    assert.ok(want.length > 5 && want.length < T - 5, `${want.length} hits`);
    assert.deepStrictEqual(scanCondition(src, 'f.mean < 0.45 || c.max > 0.4'), want);
  });
  it('benchmark: 100,000 steps (LSTM H=32, wasm kernel when available) scanned well under 1 s', function () {
    this.timeout(60_000);
    const T = 100_000;
    const shape = { inputSize: 32, hiddenSize: 32, numLayers: 1, bidirectional: false };
    const x = input(T, 32);
    const kernel = wasmSimdAvailable() ? new WasmKernel() : undefined;
    const trace = runNetwork(randomNetwork(LSTM, shape, 1), x, { kernel });
    const src = traceSource(trace, { x });
    // Including the exact recompute of every step from the checkpoints:
    let t0 = performance.now();
    const hits = scanCondition(src, 'f.mean < 0.47');
    const fullMs = performance.now() - t0;
    // Evaluation alone: the same condition over 100,000 precomputed steps at H=128.
    const H = 128;
    const vec = (seed: number): Float32Array => input(H, 1, seed);
    const steps: StepValues[] = Array.from({ length: 64 }, (_, k) => ({ t: k, token: '', layers: [{ forward: { x: vec(k), hPrev: vec(k + 1), cPrev: vec(k + 2), gates: { i: vec(k + 3), f: vec(k + 4), g: vec(k + 5), o: vec(k + 6) }, c: vec(k + 7), h: vec(k + 8) } }] }));
    const meta128 = { cell: LSTM, shape: { inputSize: H, hiddenSize: H, numLayers: 1, bidirectional: false } };
    const evalOnly = (expr: string): number => {
      const cond = compileCondition(expr, meta128);
      let n = 0;
      const start = performance.now();
      for (let t = 0; t < T; t++) if (cond.test(steps[t & 63])) n++;
      void n;
      return performance.now() - start;
    };
    const simpleMs = evalOnly('f.mean < 0.2');
    const heavyMs = evalOnly('abs(h - h_prev).max > 0.5 && count(f < 0.1) > 3 || argmax(h) == 12');
    // A breakpoint set (condition + hit count) over the same trace.
    t0 = performance.now();
    const set = new BreakpointSet(src);
    set.set([{ id: 1, place: { kind: 'any' }, condition: 'f.mean < 0.47', hitCondition: '%10' }]);
    const fires = set.allFires().length;
    const setMs = performance.now() - t0;
    console.log(`      100k steps, H=32 ${trace.meta.kernel}: scan incl. recompute ${fullMs.toFixed(0)} ms (${hits.length} hits); breakpoint set ${setMs.toFixed(0)} ms (${fires} fires)`);
    console.log(`      100k evaluations, H=128: 'f.mean < 0.2' ${simpleMs.toFixed(1)} ms; heavy condition ${heavyMs.toFixed(1)} ms`);
    assert.strictEqual(fires, Math.floor(hits.length / 10));
    // Generous bounds (the machine is shared): they catch a pathological slowdown, not noise.
    assert.ok(simpleMs < 1000, `'f.mean < 0.2' over 100k steps took ${simpleMs} ms`);
    assert.ok(heavyMs < 5000, `heavy condition over 100k steps took ${heavyMs} ms`);
  });
});
