/**
 * The analysis views' DOM logic under jsdom (no canvas there: painting is skipped, the DOM is checked)
 * and their pure geometry: heatmap hit-testing with a sort order, the loss strip's
 * per-pixel maximum, the screen-reader table rows.
 */
import * as assert from 'assert';
import { installDom, type FakeHost } from '../webview/jsdomEnv';
import { hitTest, rowsFor } from '../../../webview/analysis/heatmap';
import { TextByUnitView, unitScale } from '../../../webview/analysis/text';
import { lossColumns } from '../../../webview/analysis/predictions';
import { FocusTable, summaryRows } from '../../../webview/analysis/table';
import { SaturationScatter } from '../../../webview/analysis/scatter';
import type { UnitSeriesMessage, UnitStatsMessage } from '../../../src/protocol/messages';

describe('analysis views: geometry', () => {
  it('hitTest maps a point to the step column and to the unit drawn in that row of the sort order', () => {
    const g = { start: 100, count: 50, width: 500, height: 64, rows: 8 };
    const order = [7, 3, 5, 1, 0, 2, 4, 6];
    assert.deepStrictEqual(hitTest(0, 0, g, order), { step: 100, unit: 7 });
    assert.deepStrictEqual(hitTest(499, 63, g, order), { step: 149, unit: 6 });
    assert.deepStrictEqual(hitTest(255, 9, g, order), { step: 125, unit: 3 });
    assert.strictEqual(hitTest(500, 0, g, order), undefined);
    // 512 units on 192 rows: a row stands for the first of its run of units.
    assert.deepStrictEqual(rowsFor(512, 192), { rows: 192, rowPx: 1 });
    assert.deepStrictEqual(rowsFor(64, 192), { rows: 64, rowPx: 3 });
    const big = Array.from({ length: 512 }, (_, i) => 511 - i);
    assert.strictEqual(hitTest(0, 191.5, { start: 0, count: 10, width: 10, height: 192, rows: 192 }, big)!.unit, 511 - Math.floor((191 * 512) / 192));
  });

  it('the loss strip keeps the largest loss of each pixel and skips NaN (the last step has no next token)', () => {
    const cols = lossColumns(Float32Array.of(1, 5, 2, 2, NaN), 2);
    assert.deepStrictEqual([...cols], [5, 2]);
    assert.ok(Number.isNaN(lossColumns(Float32Array.of(NaN), 1)[0]));
  });

  it('table rows: the unit value and mean/min/max over units, in channel order, for recorded channels only', () => {
    const rows = summaryRows({ h: Float32Array.of(0.5, -0.25), c: Float32Array.of(1, 3) }, 1, ['c', 'h', 'f']);
    assert.deepStrictEqual(rows, [['c', '3.0000', '2.0000', '1.0000', '3.0000'], ['h', '-0.2500', '0.1250', '-0.2500', '0.5000']]);
  });
});

describe('analysis views: DOM (jsdom)', () => {
  let host: FakeHost;
  beforeEach(() => { host = installDom(); });
  afterEach(() => host.cleanup());

  const series = (codes: number[], channel = 'c', lo = -2, hi = 2): UnitSeriesMessage => ({
    type: 'unitSeries', id: 1, runId: 1, layer: 0, direction: 0, channel, unit: 3, lo, hi, codes: Uint8Array.from(codes), saturatedSteps: [],
  });

  it('text by unit: one span per token, coloured by the unit, current step marked, click moves the step', () => {
    const v = new TextByUnitView('Text', 'Most variable');
    const steps: number[] = [];
    v.onStep = (s) => steps.push(s);
    const s = series([0, 128, 255]);
    const tokens = ['a', '\n', 'b']; // the panel passes the same array every frame
    v.render(tokens, 2, s, [31, 31, 31], 'Unit 3');
    const spans = [...v.body.querySelectorAll('.tok')] as HTMLElement[];
    assert.deepStrictEqual(spans.map((e) => e.textContent), ['a', '↵', 'b']);
    // The line break ends the first row: 'b' starts the second.
    assert.deepStrictEqual([...v.body.querySelectorAll('.tok-row')].map((r) => r.textContent), ['a↵', 'b']);
    assert.ok(spans[2].classList.contains('current'));
    assert.notStrictEqual(spans[0].style.background, spans[2].style.background);
    // Scale by the unit's own largest |value| (2): the ends are the full diverging colours.
    assert.deepStrictEqual(unitScale(s), [-2, 2]);
    assert.match(v.caption.textContent ?? '', /Unit 3 · -2\.00\s*0\.00\s*2\.00/);
    v.render(tokens, 0, s, [31, 31, 31], 'Unit 3');
    assert.ok(spans[0].classList.contains('current') && !spans[2].classList.contains('current'));
    spans[1].dispatchEvent(new MouseEvent('click', { bubbles: true }));
    assert.deepStrictEqual(steps, [1]);
  });

  it('saturation scatter: one point per unit at (low, high), the selected one drawn last; clicking selects', () => {
    const sc = new SaturationScatter('Saturation', 'low', 'high');
    const picked: number[] = [];
    sc.onUnit = (u) => picked.push(u);
    const stats: UnitStatsMessage = {
      type: 'unitStats', id: 1, runId: 1, layer: 0, direction: 0, channel: 'f', steps: 10,
      mean: Float64Array.of(0.5, 0.5, 0.5), variance: new Float64Array(3), low: Float64Array.of(0, 0.5, 1), high: Float64Array.of(1, 0.2, 0), bracket: new Float64Array(3),
    };
    sc.render(stats, 1, 'Unit');
    const pts = [...sc.svg.querySelectorAll('circle')];
    assert.deepStrictEqual(pts.map((p) => p.getAttribute('data-unit')), ['0', '2', '1']);
    assert.ok(Number(pts[0].getAttribute('cy')) < Number(pts[1].getAttribute('cy')), 'unit 0 (always > 0.9) sits higher');
    assert.ok(Number(pts[1].getAttribute('cx')) > Number(pts[0].getAttribute('cx')), 'unit 2 (always < 0.1) sits further right');
    assert.match(pts[2].querySelector('title')!.textContent!, /Unit 1: < 0\.1 50\.0%, > 0\.9 20\.0%/);
    pts[1].dispatchEvent(new MouseEvent('click', { bubbles: true }));
    assert.deepStrictEqual(picked, [2]);
  });

  it('focus table: caption is a polite live region; rows have row headers', () => {
    const t = new FocusTable({ table: 'T', channel: 'Channel', valueOfUnit: 'Unit value', meanOverUnits: 'Mean', minOverUnits: 'Min', maxOverUnits: 'Max' });
    t.render('Step 3 “x”, unit 1', [['c', '1', '2', '3', '4']]);
    assert.strictEqual(t.caption.getAttribute('aria-live'), 'polite');
    assert.strictEqual(t.caption.textContent, 'Step 3 “x”, unit 1');
    assert.strictEqual(t.root.querySelector('tbody th[scope="row"]')!.textContent, 'c');
    assert.deepStrictEqual([...t.root.querySelectorAll('thead th')].map((e) => e.textContent), ['Channel', 'Unit value', 'Mean', 'Min', 'Max']);
  });
});
