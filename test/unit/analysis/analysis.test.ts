/**
 * Analysis helpers against the reference fixtures (the truth): saturation from the 8-bit store equals the
 * fraction computed from the fixture's own gate values; mean/variance agree within half a code; the
 * NPY/CSV writers read back to the trace's exact values, which match the fixture; predictions and
 * per-step loss match the trained char model's stored logits and nll.
 */
import * as assert from 'assert';
import { runNetwork, type Trace } from '../../../src/engine/trace';
import { AnalysisAnswers, type AnalysisSource } from '../../../src/analysis/answers';
import { sortUnits, UnitStatsAccumulator } from '../../../src/analysis/stats';
import { bracketDepth } from '../../../src/analysis/labels';
import { csvQuote, float32Text, writeCsv } from '../../../src/analysis/npy';
import { loadFixture } from '../engine/helpers';
import { parseNpy } from './npyReader';

function setup(name: string, K = 16): { trace: Trace; doc: Record<string, any>; answers: AnalysisAnswers } {
  const { doc, net } = loadFixture(name);
  const x = Float32Array.from((doc.x as number[][]).flat());
  const trace = runNetwork(net, x, { checkpointEvery: K });
  const src: AnalysisSource = {
    runId: 7, trace,
    async exactStep(layer, dir, t) {
      const s = trace.exactStep(t).layers[layer];
      const d = dir === 0 ? s.forward : s.reverse!;
      return { ...d.gates, h: d.h, ...(d.c ? { c: d.c } : {}) } as Record<string, Float32Array>;
    },
    tokenAt: (t) => (doc.tokens ? doc.vocab[doc.tokens[t]] : `x${t}`),
    ...(net.decoder ? { decoder: net.decoder, symbols: doc.vocab as string[], ids: Int32Array.from(doc.tokens as number[]) } : {}),
  };
  return { trace, doc, answers: new AnalysisAnswers(src) };
}

const GATE = { i: 'i', f: 'f', o: 'o', g: 'g' } as const;

describe('analysis: unit statistics from the trace', () => {
  for (const name of ['lstm_i4_h8_t200', 'lstm_peephole_i4_h8_t200', 'char_lstm_public']) {
    it(`${name}: saturation (<0.1, >0.9) per unit equals the fixture's own gate values exactly`, () => {
      const { doc, answers } = setup(name);
      for (const g of ['i', 'f', 'o'] as const) {
        const rows = doc.expected.layers[0].forward.gates[GATE[g]] as number[][];
        const s = answers.unitStatsOf(0, 0, g);
        for (let u = 0; u < rows[0].length; u++) {
          const col = rows.map((r) => Math.fround(r[u]));
          const low = col.filter((v) => v < 0.1).length / col.length;
          const high = col.filter((v) => v > 0.9).length / col.length;
          assert.strictEqual(s.low[u], low, `${g}[${u}] low`);
          assert.strictEqual(s.high[u], high, `${g}[${u}] high`);
        }
      }
    });
  }

  it('mean and variance of C per unit are within half a code of the fixture values', () => {
    const { doc, trace, answers } = setup('lstm_i4_h8_t200');
    const rows = doc.expected.layers[0].forward.c as number[][];
    const s = answers.unitStatsOf(0, 0, 'c');
    const [lo, hi] = trace.meta.ranges[0][0].c!;
    const half = (hi - lo) / 255 / 2;
    for (let u = 0; u < rows[0].length; u++) {
      const col = rows.map((r) => r[u]);
      const mean = col.reduce((a, b) => a + b, 0) / col.length;
      const sd = Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / col.length);
      assert.ok(Math.abs(s.mean[u] - mean) <= half, `mean[${u}] ${s.mean[u]} vs ${mean}`);
      assert.ok(Math.abs(Math.sqrt(s.variance[u]) - sd) <= half, `sd[${u}] ${Math.sqrt(s.variance[u])} vs ${sd}`);
    }
  });

  it('the text\'s bracket depth equals the fixture\'s tokenizer labels', () => {
    const { doc } = setup('char_lstm_public');
    const chars = (doc.tokens as number[]).map((id) => doc.vocab[id] as string);
    assert.deepStrictEqual([...bracketDepth(chars)], doc.snippetLabels.bracketDepth);
    assert.deepStrictEqual([...bracketDepth([...'f("(", x[1]) # (']).map(Number)], [0, 1, 1, 1, 1, 1, 1, 1, 2, 2, 1, 0, 0, 0, 0, 0]);
  });

  it('sorting the trained model\'s C by bracket correlation puts the bracket-depth unit (39) first', () => {
    const { doc, answers } = setup('char_lstm_public');
    const bracket = doc.interpretability.summary.bracketDepth.unit as number;
    const s = answers.unitStatsOf(0, 0, 'c');
    const order = [...sortUnits(s, 'bracket')];
    assert.strictEqual(order[0], bracket, `unit ${bracket} is at rank ${order.indexOf(bracket)}`);
    assert.ok(s.bracket![bracket] < -0.5, `r = ${s.bracket![bracket]}`);
  });

  it('sortUnits: descending by the key, index order for ties and for "index"; NaN scores last', () => {
    const st = { units: 4, mean: Float64Array.of(0.1, -0.9, 0.5, NaN), variance: Float64Array.of(1, 3, 3, NaN), low: Float64Array.of(0, 0.5, 0.2, 0), high: Float64Array.of(0.9, 0, 0.2, 0) };
    assert.deepStrictEqual([...sortUnits(st, 'index')], [0, 1, 2, 3]);
    assert.deepStrictEqual([...sortUnits(st, 'variance')], [1, 2, 0, 3]);
    assert.deepStrictEqual([...sortUnits(st, 'mean')], [1, 2, 0, 3]);
    assert.deepStrictEqual([...sortUnits(st, 'saturation')], [0, 1, 2, 3]);
  });

  it('the accumulator refuses a block shorter than rows × units', () => {
    assert.throws(() => new UnitStatsAccumulator(3, 0, 1).add(new Uint8Array(5), 2), /expected 2 × 3/);
  });

  it('unit series: codes of one unit at every step and its most saturated steps, most extreme first', () => {
    const { doc, answers } = setup('lstm_i4_h8_t200');
    const m = answers.unitSeries({ type: 'requestUnitSeries', id: 1, runId: 7, layer: 0, direction: 0, channel: 'f', unit: 3 });
    const col = (doc.expected.layers[0].forward.gates.f as number[][]).map((r) => r[3]);
    assert.strictEqual(m.codes.length, 200);
    for (let t = 0; t < 200; t++) assert.ok(Math.abs(m.lo + (m.codes[t] * (m.hi - m.lo)) / 255 - col[t]) <= 0.5 / 255 + 1e-7, `step ${t}`);
    const sat = col.map((v, t) => ({ v, t })).filter((e) => e.v < 0.1 || e.v > 0.9);
    assert.strictEqual(m.saturatedSteps.length, Math.min(64, sat.length));
    for (const t of m.saturatedSteps) assert.ok(col[t] < 0.1 || col[t] > 0.9, `step ${t} is not saturated (${col[t]})`);
    const ext = (t: number) => Math.abs(col[t] - 0.5);
    for (let k = 1; k < m.saturatedSteps.length; k++) assert.ok(ext(m.saturatedSteps[k - 1]) >= ext(m.saturatedSteps[k]) - 1 / 255);
  });

  it('bad requests give one clear line', () => {
    const { answers } = setup('gru_i4_h8_t200');
    assert.throws(() => answers.unitStatsOf(0, 0, 'c'), /'c' is not recorded for this GRU; available: r, z, n, h/);
    assert.throws(() => answers.unitStatsOf(1, 0, 'h'), /layer 1 does not exist/);
    assert.throws(() => answers.unitSeries({ type: 'requestUnitSeries', id: 1, runId: 7, layer: 0, direction: 0, channel: 'h', unit: 8 }), /unit 8 does not exist/);
  });
});

describe('analysis: heatmap windows', () => {
  it('bins of the whole run: min ≤ mean ≤ max and every code of the bin is inside [min, max]', () => {
    const { trace, answers } = setup('lstm_i4_h8_t200');
    const m = answers.heatmap({ type: 'requestHeatmap', id: 3, runId: 7, layer: 0, direction: 0, channel: 'c', start: 0, count: 200, bins: 7 });
    const w = trace.window(0, 0, 'c', 0, 200);
    assert.strictEqual(m.bins, 7);
    for (let k = 0; k < 7; k++) {
      const a = Math.floor((k * 200) / 7);
      const b = Math.floor(((k + 1) * 200) / 7);
      for (let u = 0; u < 8; u++) {
        const col = Array.from({ length: b - a }, (_, r) => w.data[(a + r) * 8 + u]);
        assert.strictEqual(m.min[k * 8 + u], Math.min(...col));
        assert.strictEqual(m.max[k * 8 + u], Math.max(...col));
        assert.strictEqual(m.mean[k * 8 + u], Math.round(col.reduce((x, y) => x + y, 0) / col.length));
      }
    }
  });

  it('a request past the end is clipped to the run; more bins than steps give one bin per step', () => {
    const { answers } = setup('lstm_i4_h8_t200');
    const m = answers.heatmap({ type: 'requestHeatmap', id: 3, runId: 7, layer: 0, direction: 0, channel: 'h', start: 190, count: 500, bins: 4000 });
    assert.deepStrictEqual([m.start, m.count, m.bins], [190, 10, 10]);
    assert.deepStrictEqual([...m.min], [...m.max]);
  });
});

describe('analysis: export (exact values)', () => {
  it('NPY of layer 0 forward C: header parses, shape T × H, values equal the trace\'s exactRange and the fixture', async () => {
    const { trace, doc, answers } = setup('lstm_i3_h4_t6_l2_bi', 4);
    for (const [layer, dir, key] of [[0, 0, 'forward'], [1, 1, 'reverse']] as const) {
      const out = await answers.exportTensor({ type: 'exportTensor', id: 1, runId: 7, layer, direction: dir, channel: 'c', format: 'npy' });
      assert.strictEqual(out.name, `layer${layer}-${key}-c.npy`);
      const npy = parseNpy(out.bytes);
      assert.deepStrictEqual(npy.shape, [6, 4]);
      assert.strictEqual(npy.descr, '<f4');
      const exact = trace.exactRange(0, 6).layers[layer][key]!.c!;
      assert.deepStrictEqual([...npy.values], [...exact]);
      const expected = (doc.expected.layers[layer][key].c as number[][]).flat();
      npy.values.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= 1e-5 * Math.max(1, Math.abs(expected[i])), `[${i}] ${v} vs ${expected[i]}`));
    }
  });

  it('CSV of h reads back (float32) to exactly the trace\'s values, with the step and token columns', async () => {
    const { trace, answers, doc } = setup('char_lstm_public');
    const out = await answers.exportTensor({ type: 'exportTensor', id: 1, runId: 7, layer: 0, direction: 0, channel: 'h', format: 'csv' });
    const text = new TextDecoder().decode(out.bytes);
    const rows = parseCsv(text);
    assert.strictEqual(rows.length, 257);
    assert.deepStrictEqual(rows[0].slice(0, 4), ['step', 'token', 'h0', 'h1']);
    const exact = trace.exactRange(0, 256).layers[0].forward.h;
    for (let t = 0; t < 256; t++) {
      assert.strictEqual(rows[t + 1][0], String(t));
      assert.strictEqual(rows[t + 1][1], doc.vocab[doc.tokens[t]]);
      for (let u = 0; u < 64; u++) assert.strictEqual(Math.fround(Number(rows[t + 1][2 + u])), exact[t * 64 + u], `step ${t} unit ${u}`);
    }
  });

  it('float32Text is the shortest text that reads back to the same float32; tokens are quoted per RFC 4180', () => {
    for (const v of [0.1, -1e-7, 3.4028234663852886e38, 1 / 3, 0, -0, 123456789]) {
      const f = Math.fround(v);
      const s = float32Text(f);
      assert.strictEqual(Math.fround(Number(s)), f, s);
      assert.ok(s.replace(/^-|e.*$|\./g, '').length <= 9, s);
    }
    assert.strictEqual(float32Text(0.1), '0.1');
    assert.strictEqual(float32Text(NaN), 'nan');
    assert.strictEqual(csvQuote('a,"b"\n'), '"a,""b""\n"');
    assert.strictEqual(csvQuote(' '), '" "');
    assert.strictEqual(writeCsv(Float32Array.of(1, 2), 1, 2, { t0: 5 }), 'step,u0,u1\n5,1,2\n');
    assert.throws(() => writeCsv(Float32Array.of(1), 1, 2), /do not fill 1 × 2/);
  });
});

describe('analysis: predictions of a trained char model', () => {
  it('per-step loss equals the fixture\'s nll, top-k probabilities equal softmax of its logits', async () => {
    const { doc, answers } = setup('char_lstm_public');
    const m = await answers.predictions({ type: 'requestPredictions', id: 1, runId: 7, step: 10, k: 5 });
    const nll = doc.expected.nll as number[];
    assert.ok(m.lossStrip && m.lossStrip.length === 256 && Number.isNaN(m.lossStrip[255]));
    for (let t = 0; t < 255; t++) assert.ok(Math.abs(m.lossStrip![t] - nll[t]) <= 5e-5 * Math.max(1, nll[t]), `step ${t}: ${m.lossStrip![t]} vs ${nll[t]}`);
    const logits = doc.expected.logits[10] as number[];
    const z = logits.reduce((a, l) => a + Math.exp(l), 0);
    const probs = logits.map((l, id) => ({ id, p: Math.exp(l) / z })).sort((a, b) => b.p - a.p).slice(0, 5);
    assert.deepStrictEqual(m.top.map((p) => p.token), probs.map((p) => doc.vocab[p.id]));
    m.top.forEach((p, k) => assert.ok(Math.abs(p.prob - probs[k].p) < 1e-5));
    assert.strictEqual(m.actual!.token, doc.vocab[doc.tokens[11]]);
    assert.ok(Math.abs(m.actual!.loss - nll[10]) < 5e-5);
    const [again, other] = await Promise.all([255, 3].map((step, i) => answers.predictions({ type: 'requestPredictions', id: 2 + i, runId: 7, step, k: 3 })));
    assert.strictEqual(other.lossStrip, undefined);
    assert.strictEqual(again.lossStrip, undefined, 'the strip is sent once per run');
    assert.strictEqual(again.actual, undefined, 'no next token after the last step');
  });

  it('a model without a decoder answers "unavailable" (the view says so) instead of failing', async () => {
    const { answers } = setup('lstm_i4_h8_t200');
    const m = await answers.predictions({ type: 'requestPredictions', id: 1, runId: 7, step: 0, k: 5 });
    assert.deepStrictEqual([m.top, m.unavailable, m.lossStrip], [[], 'no decoder', undefined]);
    await assert.rejects(answers.logits(0), /has no decoder/);
  });
});

/** Minimal RFC 4180 reader (quoted fields with "" and newlines). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') q = false; else cell += c;
    } else if (c === '"') q = true;
    else if (c === ',') { row.push(cell); cell = ''; } else if (c === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; } else cell += c;
  }
  return rows;
}
