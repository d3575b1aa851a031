/**
 * The heatmap's colour range: one outlier unit must not wash out the rest (robust range, clipped at the
 * ends, said by the legend), nothing is clipped without outliers, per-unit rows use their own largest value.
 */
import * as assert from 'assert';
import { fineDiverging, fineIndex, legendText, robustRange, rowLimits } from '../../../src/analysis/colorRange';
import { diverging, type Rgb } from '../../../src/analysis/colorScales';
import { buildAnalysisStrings } from '../../../src/analysis/strings';

const DARK: Rgb = [31, 31, 31];
const s = buildAnalysisStrings((m) => m);
/** Code of value v on lo..hi, as the trace quantises it. */
const code = (v: number, lo: number, hi: number) => Math.round(((v - lo) / (hi - lo)) * 255);

/** 400 steps × 64 units: unit 5 sits at 30…36, the others sweep within ±2. */
function outlierCodes(lo: number, hi: number): Uint8Array {
  const out = new Uint8Array(400 * 64);
  for (let t = 0; t < 400; t++) {
    for (let u = 0; u < 64; u++) out[t * 64 + u] = code(u === 5 ? 30 + (t % 7) : 2 * Math.sin(t / 9 + u), lo, hi);
  }
  return out;
}

describe('analysis: heatmap colour range', () => {
  it('one unit at |C| ≈ 36 among units within ±2: the range is ≈ ±2 and clipped, the legend says ±2.0, clipped; max 36.0', () => {
    const lo = -4;
    const hi = 36;
    const r = robustRange(outlierCodes(lo, hi), lo, hi);
    assert.ok(r.clipped);
    // The largest code is exactly 36; the limit is the code nearest 2 (codes are 40/255 ≈ 0.157 apart).
    assert.strictEqual(r.max, 36);
    assert.ok(Math.abs(r.limit - 2) <= 40 / 255, `limit ${r.limit}`);
    const { text, help } = legendText('diverging', lo, hi, r, 'robust', s);
    assert.match(text, /^±(1\.9|2\.0|2\.1), clipped; max 36\.0$/);
    assert.match(help, /^Colours stop at ±2\.\d: larger values take the end colours/);
    // A unit at +1.5 is drawn well away from the background; the outlier takes the end colour.
    const lut = fineDiverging(DARK);
    const at = (v: number) => Array.from(lut.slice(fineIndex(v, r.limit) * 3, fineIndex(v, r.limit) * 3 + 3));
    assert.deepStrictEqual(at(36), diverging(1, DARK));
    assert.deepStrictEqual(at(-30), diverging(-1, DARK));
    assert.deepStrictEqual(at(0), DARK);
    const mid = at(1.5);
    assert.ok(Math.abs(mid[0] - DARK[0]) + Math.abs(mid[1] - DARK[1]) + Math.abs(mid[2] - DARK[2]) > 200, `1.5 is nearly background: ${mid}`);
    // "largest value" scales to 36: the same 1.5 is within a few levels of the background (the washed-out view).
    const full = robustRange(outlierCodes(lo, hi), lo, hi, 'full');
    assert.deepStrictEqual([full.limit, full.clipped], [36, false]);
    assert.strictEqual(legendText('diverging', lo, hi, full, 'full', s).text, '±36.0');
  });

  it('without outliers nothing is clipped: the range is the largest |value| shown (a window smaller than the channel range fills the scale)', () => {
    const lo = -3;
    const hi = 3;
    const codes = Uint8Array.from({ length: 5000 }, (_, i) => code(0.8 * Math.sin(i / 13), lo, hi));
    const r = robustRange(codes, lo, hi);
    assert.strictEqual(r.clipped, false);
    assert.ok(Math.abs(r.limit - 0.8) <= 6 / 255, `limit ${r.limit}`);
    assert.strictEqual(r.limit, r.max);
    assert.strictEqual(legendText('diverging', lo, hi, r, 'robust', s).text, `±${r.limit.toPrecision(2)}`);
  });

  it('all-zero codes keep a usable range; values below 1 show two significant digits; gates say their fixed lo … hi', () => {
    const lo = -1;
    const hi = 1;
    const zero = code(0, lo, hi);
    const r = robustRange(new Uint8Array(100).fill(zero), lo, hi);
    assert.ok(r.limit > 0 && !r.clipped);
    assert.strictEqual(legendText('sequential', 0.0123, 0.987, r, 'robust', s).text, '0.012 … 0.99');
    assert.strictEqual(fineIndex(NaN, 1), 255);
  });

  it('per unit: each row is scaled to its own largest |value| (a quiet row still reaches the end colours)', () => {
    const lo = -10;
    const hi = 10;
    // 3 steps × 2 rows, step-major: row 0 peaks at −0.5, row 1 at 9.
    const codes = Uint8Array.from([0.2, 9, -0.5, 4, 0.1, -3].map((v) => code(v, lo, hi)));
    const lim = rowLimits(codes, 3, 2, lo, hi);
    assert.ok(Math.abs(lim[0] - 0.5) <= 20 / 255 && Math.abs(lim[1] - 9) <= 20 / 255, `${[...lim]}`);
    assert.strictEqual(fineIndex(-lim[0], lim[0]), 0);
    assert.strictEqual(legendText('diverging', lo, hi, robustRange(codes, lo, hi, 'unit'), 'unit', s).text, 'each unit scaled to its own largest |value|');
    assert.deepStrictEqual([...rowLimits(new Uint8Array([code(0, -1, 1)]), 1, 1, -1, 1)].map((v) => v > 0), [true]);
  });
});
