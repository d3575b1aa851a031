/** Pure parts of the editor features: range tracking, colour scales, hover content from a real trace. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { bucketOf, colourOf, themeColourId } from '../../../src/editor/colours';
import { buildHoverMarkdown, heatStripDataUri, inlineCode } from '../../../src/editor/hoverContent';
import { stepData, TraceView, unitSeries } from '../../../src/editor/stepData';
import { RangeTracker } from '../../../src/editor/tracking';
import { runNetwork, type Trace } from '../../../src/engine/trace';
import { networkFromSpec, parseSpec } from '../../../src/model/spec';
import { REFERENCE } from './paths';

describe('editor/tracking', () => {
  it('edits above move the range, edits below do not, edits inside make it stale', () => {
    const r = new RangeTracker(100, 200);
    r.applyChange(10, 0, 5); // typed 5 characters above
    assert.deepStrictEqual([r.currentStart, r.currentEnd, r.shift, r.stale], [105, 205, 5, false]);
    r.applyChange(0, 20, 0); // deleted 20 characters above
    assert.deepStrictEqual([r.currentStart, r.shift, r.stale], [85, -15, false]);
    r.applyChange(185, 0, 3); // typed right after the range
    assert.deepStrictEqual([r.currentEnd, r.stale], [185, false]);
    r.applyChange(85, 0, 1); // insertion exactly at the start pushes it down
    assert.deepStrictEqual([r.currentStart, r.stale], [86, false]);
    r.applyChange(80, 10, 0); // deletion that crosses the start
    assert.strictEqual(r.stale, true);
  });

  it('an edit in the middle is stale and the end follows it (so a re-run reads the edited range)', () => {
    const r = new RangeTracker(0, 10);
    r.applyChange(4, 1, 3);
    assert.deepStrictEqual([r.stale, r.currentStart, r.currentEnd], [true, 0, 12]);
    r.applyChange(10, 5, 0); // deletes past the end: the range ends where the deletion began
    assert.deepStrictEqual([r.currentStart, r.currentEnd], [0, 10]);
  });
});

describe('editor/colours', () => {
  it('diverging buckets: near zero is uncoloured, the ends saturate, sign kept', () => {
    assert.deepStrictEqual([-1, -0.5, -0.1, 0, 0.1, 0.5, 1, 7, NaN].map((v) => bucketOf('diverging', v)), [-3, -2, 0, 0, 0, 2, 3, 3, 0]);
    assert.deepStrictEqual([0, 0.19, 0.2, 0.5, 0.99, 1, 2].map((v) => bucketOf('sequential', v)), [0, 0, 1, 2, 4, 4, 4]);
    assert.strictEqual(themeColourId('diverging', -2), 'unroll.negative2');
    assert.strictEqual(themeColourId('sequential', 3), 'unroll.gate3');
  });

  it('blue ↔ grey ↔ orange, the colour-blind-safe default', () => {
    assert.strictEqual(colourOf('diverging', -1), '#2166ac');
    assert.strictEqual(colourOf('diverging', 0), '#8c8c8c');
    assert.strictEqual(colourOf('diverging', 1), '#e66101');
    assert.strictEqual(colourOf('sequential', 0), '#8c8c8c');
    assert.strictEqual(colourOf('sequential', 1), '#e66101');
  });
});

describe('editor/hover content', () => {
  it('token in a code span that survives backticks', () => {
    assert.strictEqual(inlineCode('a'), '`a`');
    assert.strictEqual(inlineCode('`'), '`` ` ``');
  });

  it('the heat strip is an SVG with one cell per unit per row', () => {
    const uri = heatStripDataUri([
      { label: 'C', values: new Float32Array([-1, 0, 2]) },
      { label: 'h', values: new Float32Array([0.5, -0.5, 0]) },
    ]);
    const svg = Buffer.from(uri.replace('data:image/svg+xml;base64,', ''), 'base64').toString();
    assert.strictEqual((svg.match(/<rect [^>]*fill="#/g) ?? []).length, 6);
    // C is scaled by its largest |value| (2): -1 → half way to blue, 2 → full orange
    assert.ok(svg.includes('fill="#e66101"'));
    assert.ok(svg.includes('fill="#8c8c8c"'));
  });

  it('stale hovers say so and offer a re-run; links carry their arguments', () => {
    const md = buildHoverMarkdown({
      step: 7, steps: 9, token: '⏎', unknown: false, family: 'gru', cellLabel: 'GRU', modelLabel: 'seeded random, untrained',
      h: new Float32Array([0.1, -0.9]), gateMeans: [{ name: 'r', mean: 0.25 }, { name: 'z', mean: 0.75 }],
      topUnits: [{ unit: 1, value: -0.9 }, { unit: 0, value: 0.1 }], stale: true, approximate: true,
    });
    assert.match(md, /step 7 \(0–8\) · `⏎`/); // 0-based t, like the visualizer's counter and the debugger
    assert.match(md, /\*\*Stale:\*\* the text changed since this run/);
    assert.match(md, /\[Re-run\]\(command:unroll\.rerun\?/);
    assert.match(md, /Gate means: reset r ≈ 0\.25 · update z ≈ 0\.75/);
    assert.match(md, /Most active units: h\[1\] ≈ −0\.90, h\[0\] ≈ 0\.10(\n|$)/);
    const show = md.match(/\[Show step 7\]\(command:unroll\.showStep\?([^ )]+)/)!;
    assert.deepStrictEqual(JSON.parse(decodeURIComponent(show[1])), [{ step: 7 }]);
    const colour = md.match(/\[Colour text by unit 1\]\(command:unroll\.colourTextByUnit\?([^ )]+)/)!;
    assert.deepStrictEqual(JSON.parse(decodeURIComponent(colour[1])), [{ unit: 1, channel: 'h' }]);
  });
});

describe('editor/step data from a real trace (trained char LSTM fixture)', () => {
  const fx = JSON.parse(fs.readFileSync(path.join(REFERENCE, 'char_lstm_public.json'), 'utf8'));
  const net = networkFromSpec(parseSpec(fx), { name: 'char_lstm_public.safetensors', bytes: fs.readFileSync(path.join(REFERENCE, 'char_lstm_public.safetensors')) });
  let trace: Trace;
  before(() => {
    trace = runNetwork(net, new Float32Array(fx.x.flat()));
  });
  const exp = fx.expected.layers[0].forward;
  const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
  const q = (step: number) => ({ step, token: 'x', unknown: false, cellLabel: 'LSTM', modelLabel: 'char', stale: false, vocab: fx.vocab });

  it('exact: h, C, gate means and predicted next tokens equal the fixture at the hovered step', () => {
    for (const t of [0, 63, 64, 200, fx.tokens.length - 1]) {
      const d = stepData(trace, q(t));
      assert.strictEqual(d.approximate, false);
      Array.from(d.h).forEach((v, u) => assert.ok(Math.abs(v - exp.h[t][u]) <= 5e-5, `h[${u}] at ${t}`));
      Array.from(d.c!).forEach((v, u) => assert.ok(Math.abs(v - exp.c[t][u]) <= 5e-5 * Math.max(1, Math.abs(exp.c[t][u]))));
      assert.deepStrictEqual(d.gateMeans.map((g) => g.name), ['f', 'i', 'o']);
      d.gateMeans.forEach((g) => assert.ok(Math.abs(g.mean - mean(exp.gates[g.name][t])) < 1e-5, g.name));
      // top-3 next tokens from the fixture's logits, softmax computed here
      const logits: number[] = fx.expected.logits[t];
      const z = logits.reduce((s, l) => s + Math.exp(l), 0);
      const top = logits.map((l, id) => ({ id, p: Math.exp(l) / z })).sort((a, b) => b.p - a.p).slice(0, 3);
      assert.deepStrictEqual(d.nextTokens!.map((n) => n.token), top.map((k) => fx.vocab[k.id]));
      d.nextTokens!.forEach((n, k) => assert.ok(Math.abs(n.p - top[k].p) < 1e-4));
      const byAbs = exp.h[t].map((v: number, u: number) => ({ u, a: Math.abs(v) })).sort((a: { a: number }, b: { a: number }) => b.a - a.a);
      assert.strictEqual(d.topUnits[0].unit, byAbs[0].u);
    }
  });

  it('approximate (8-bit) path stays within one display step of the fixture', () => {
    const view: TraceView = { meta: trace.meta, window: (l, d, c, a, b) => trace.window(l, d, c, a, b) };
    const d = stepData(view, q(100));
    assert.strictEqual(d.approximate, true);
    assert.strictEqual(d.nextTokens, undefined);
    Array.from(d.h).forEach((v, u) => assert.ok(Math.abs(v - exp.h[100][u]) <= 2 / 255 + 1e-6, `h[${u}]`));
    d.gateMeans.forEach((g) => assert.ok(Math.abs(g.mean - mean(exp.gates[g.name][100])) < 1 / 255 + 1e-6));
  });

  it('unitSeries gives one unit across steps (what the editor colours)', () => {
    const s = unitSeries(trace, 'c', 5, 10, 20);
    const [lo, hi] = trace.meta.ranges[0][0].c!;
    s.forEach((v, k) => assert.ok(Math.abs(v - exp.c[10 + k][5]) <= (hi - lo) / 255 + 1e-6));
  });

  it('a hover is built in well under 20 ms (cold seek included)', () => {
    const times: number[] = [];
    for (let t = 3; t < fx.tokens.length; t += 37) {
      const t0 = process.hrtime.bigint();
      buildHoverMarkdown(stepData(trace, q(t)));
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    times.sort((a, b) => a - b);
    const median = times[times.length >> 1];
    console.log(`      hover build: median ${median.toFixed(2)} ms, max ${times[times.length - 1].toFixed(2)} ms over ${times.length} cold steps`);
    assert.ok(median < 20, `median ${median} ms`);
  });
});
