/**
 * Colour scales, level-of-detail binning, message guards and the analysis strings' translations.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { binRows, binUnits, binsFor } from '../../../src/analysis/aggregate';
import { channelLut, contrastRatio, diverging, relativeLuminance, scaleKind, viridis, type Rgb } from '../../../src/analysis/colorScales';
import { parseAnalysisMessage } from '../../../src/analysis/messages';
import { buildAnalysisStrings } from '../../../src/analysis/strings';
import { parseWebviewMessage } from '../../../src/protocol/messages';
import { ROOT } from '../engine/helpers';

const DARK: Rgb = [31, 31, 31];
const LIGHT: Rgb = [255, 255, 255];
const HC_BLACK: Rgb = [0, 0, 0];

/** Machado et al. 2009 dichromacy simulation matrices (severity 1), on linear RGB. */
const CVD: Record<string, number[][]> = {
  protan: [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
  deutan: [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.01182, 0.04294, 0.968881]],
  tritan: [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.3039]],
};
const lin = (c: number) => ((c / 255) <= 0.04045 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
function simulate(c: Rgb, m: number[][]): number[] {
  const l = c.map(lin);
  return m.map((row) => Math.max(0, Math.min(1, row[0] * l[0] + row[1] * l[1] + row[2] * l[2])));
}

describe('analysis: colour scales', () => {
  it('viridis runs from #440154 to #fde725 with strictly rising luminance (ordered in greyscale too)', () => {
    assert.deepStrictEqual(viridis(0), [0x44, 0x01, 0x54]);
    assert.deepStrictEqual(viridis(1), [0xfd, 0xe7, 0x25]);
    let prev = -1;
    for (let k = 0; k <= 100; k++) {
      const y = relativeLuminance(viridis(k / 100));
      assert.ok(y > prev, `luminance falls at ${k / 100}`);
      prev = y;
    }
    assert.deepStrictEqual(viridis(NaN), viridis(0));
  });

  it('the diverging scale is the background at 0 and its ends stay apart for protan, deutan and tritan viewers', () => {
    for (const bg of [DARK, LIGHT, HC_BLACK]) {
      assert.deepStrictEqual(diverging(0, bg), bg);
      const neg = diverging(-1, bg);
      const pos = diverging(1, bg);
      assert.ok(contrastRatio(neg, bg) >= 3 && contrastRatio(pos, bg) >= 3, `ends need 3:1 against ${bg}: ${contrastRatio(neg, bg).toFixed(2)}, ${contrastRatio(pos, bg).toFixed(2)}`);
      for (const [kind, m] of Object.entries(CVD)) {
        const a = simulate(neg, m);
        const b = simulate(pos, m);
        const d = Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
        assert.ok(d > 0.2, `${kind} on ${bg}: ends only ${d.toFixed(3)} apart`);
      }
    }
  });

  it('channel tables: gates map codes onto viridis, signed channels put 0 on the background whatever their range', () => {
    assert.strictEqual(scaleKind('f'), 'sequential');
    assert.strictEqual(scaleKind('c'), 'diverging');
    const gate = channelLut('sequential', 0, 1, DARK);
    assert.deepStrictEqual([...gate.subarray(0, 4)], [0x44, 0x01, 0x54, 255]);
    assert.deepStrictEqual([...gate.subarray(255 * 4, 256 * 4)], [0xfd, 0xe7, 0x25, 255]);
    // C on [−2, 6]: code q = 2·255/8 ≈ 63.75 is value 0; codes 63 and 64 sit next to the background.
    const c = channelLut('diverging', -2, 6, DARK);
    const at = (q: number) => [...c.subarray(q * 4, q * 4 + 3)];
    assert.ok(at(64).every((v, i) => Math.abs(v - DARK[i]) <= 2), `${at(64)}`);
    assert.deepStrictEqual(at(255), [...diverging(1, DARK)]);
    assert.deepStrictEqual(at(0), [...diverging(-2 / 6, DARK)]);
  });
});

describe('analysis: level-of-detail binning', () => {
  it('binsFor never asks for more bins than steps', () => {
    assert.strictEqual(binsFor(10_000, 1280), 1280);
    assert.strictEqual(binsFor(50, 1280), 50);
  });

  it('binRows: 5 steps into 2 bins (2 + 3 steps) by min, max and rounded mean', () => {
    const codes = Uint8Array.of(10, 200, 20, 100, 0, 0, 255, 1, 30, 5); // 5 steps × 2 units
    const b = binRows(codes, 5, 2, 2);
    assert.deepStrictEqual([...b.min], [10, 100, 0, 0]);
    assert.deepStrictEqual([...b.max], [20, 200, 255, 5]);
    assert.deepStrictEqual([...b.mean], [15, 150, 95, 2]);
    assert.throws(() => binRows(codes, 5, 2, 6), /bins must be 1…5/);
  });

  it('binUnits follows the sort order and reduces runs of units into rows', () => {
    const codes = Uint8Array.of(0, 100, 200, 50); // 1 step × 4 units
    assert.deepStrictEqual([...binUnits(codes, 1, 4, [2, 0, 3, 1], 4, 'mean')], [200, 0, 50, 100]);
    assert.deepStrictEqual([...binUnits(codes, 1, 4, [2, 0, 3, 1], 2, 'max')], [200, 100]);
    assert.deepStrictEqual([...binUnits(codes, 1, 4, [2, 0, 3, 1], 2, 'min')], [0, 50]);
    assert.deepStrictEqual([...binUnits(codes, 1, 4, [2, 0, 3, 1], 1, 'mean')], [88]);
  });
});

describe('analysis: protocol guards', () => {
  const ok = { id: 1, runId: 2, layer: 0, direction: 1, channel: 'c' };
  it('accepts well-formed requests through the one protocol parser', () => {
    assert.deepStrictEqual(parseWebviewMessage({ type: 'requestHeatmap', ...ok, start: 0, count: 10, bins: 5, extra: 'x' }), { type: 'requestHeatmap', ...ok, start: 0, count: 10, bins: 5 });
    assert.ok(parseWebviewMessage({ type: 'exportTensor', ...ok, format: 'npy' }));
    assert.ok(parseWebviewMessage({ type: 'saveImage', id: 1, format: 'png', name: 'heatmap.png', data: 'iVBORw0KGgo=' }));
  });
  it('rejects unknown channels, bad formats, path-like names, non-base64 PNG data and oversize bins', () => {
    const bad = [
      { type: 'requestHeatmap', ...ok, channel: 'x', start: 0, count: 10, bins: 5 },
      { type: 'requestHeatmap', ...ok, start: 0, count: 10, bins: 100_000 },
      { type: 'requestHeatmap', ...ok, start: -1, count: 10, bins: 5 },
      { type: 'exportTensor', ...ok, format: 'exe' },
      { type: 'requestUnitSeries', ...ok, unit: 1.5 },
      { type: 'requestPredictions', id: 1, runId: 2, step: 0, k: 500 },
      { type: 'saveImage', id: 1, format: 'svg', name: '../../.bashrc', data: '<svg/>' },
      { type: 'saveImage', id: 1, format: 'png', name: 'a.png', data: 'not base64!' },
    ];
    for (const m of bad) assert.strictEqual(parseAnalysisMessage(m as Record<string, unknown>), undefined, JSON.stringify(m));
  });
});

describe('analysis: strings', () => {
  it('every analysis string has a zh-cn translation with the same placeholders', () => {
    const zh = JSON.parse(fs.readFileSync(path.join(ROOT, 'l10n/bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string>;
    const en = buildAnalysisStrings((m) => m);
    const cn = buildAnalysisStrings((m) => zh[m] ?? `MISSING ${m}`);
    for (const k of Object.keys(en) as (keyof typeof en)[]) {
      assert.ok(!cn[k].startsWith('MISSING'), `no zh-cn for ${en[k]}`);
      const ph = (s: string) => (s.match(/\{\d+\}/g) ?? []).sort().join();
      assert.strictEqual(ph(cn[k]), ph(en[k]), k);
    }
  });
});
