/**
 * The analysis views in headless Chromium (the built webview under its real CSP) on the trained character
 * LSTM: find the bracket-depth unit by sorting and clicking, see the text recoloured, the saturation
 * scatter jump, predictions and the loss strip, the screen-reader table, export requests; screenshots in
 * dark and light themes are written to test-results/analysis/.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { chromium, type Browser } from 'playwright-core';
import { loadFixture } from '../engine/helpers';
import { CHROMIUM, openAnalysis, ROOT, type AnalysisHarness } from './harness';
import { charSession } from './sessionSource';

const OUT = path.join(ROOT, 'test-results', 'analysis');
const HAVE_BROWSER = fs.existsSync(CHROMIUM) && fs.existsSync(path.join(ROOT, 'dist', 'webview.js'));

(HAVE_BROWSER ? describe : describe.skip)('analysis views in Chromium (trained char LSTM)', function () {
  this.timeout(60_000);
  let browser: Browser;
  const { doc, net } = loadFixture('char_lstm_public');
  const chars = (doc.tokens as number[]).map((id) => doc.vocab[id] as string);
  const bracketUnit = doc.interpretability.summary.bracketDepth.unit as number;

  before(async () => {
    fs.mkdirSync(OUT, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  });
  after(async () => browser?.close());

  const colours = (h: AnalysisHarness) => h.page.$$eval('.text-by-unit .tok', (els) => els.map((e) => (e as HTMLElement).style.background));
  const caption = (h: AnalysisHarness) => h.page.textContent('.text-caption');

  it('sorting by bracket depth and clicking the top heatmap row selects the bracket unit and recolours the text', async () => {
    const h = await openAnalysis(browser, charSession(net, chars.join('')), chars, { theme: 'dark' });
    try {
      await h.page.waitForFunction(() => [...document.querySelectorAll('.text-by-unit .tok')].some((e) => (e as HTMLElement).style.background !== ''));
      const before = await colours(h);
      assert.match((await caption(h)) ?? '', /^Unit 0 · c · Layer 0 forward/);
      // The sort needs the unit statistics (the identity order until they arrive; the click picks by the
      // order at that moment): the most-variable picks appear with them.
      await h.page.waitForSelector('.unit-pick', { timeout: 30_000 });
      await h.page.selectOption('.analysis-controls select[aria-label="Sort units by"]', 'bracket');
      const box = (await h.page.locator('.heatmap-canvas').boundingBox())!;
      await h.page.mouse.click(box.x + box.width * 0.5, box.y + 1);
      await h.page.waitForFunction((u) => document.querySelector('.text-caption')?.textContent?.startsWith(`Unit ${u} `), bracketUnit);
      // The caption names the unit at once, the colours follow its values.
      await h.page.waitForSelector(`.text-by-unit[data-series="c/${bracketUnit}"][aria-busy="false"]`, { timeout: 30_000 });
      await h.page.waitForFunction((b) => JSON.stringify([...document.querySelectorAll('.text-by-unit .tok')].map((e) => (e as HTMLElement).style.background)) !== b, JSON.stringify(before));
      const after = await colours(h);
      assert.strictEqual(after.length, chars.length);
      assert.ok(new Set(after).size > 10, 'the text shows many shades of the unit');
      // The table summary follows the selection.
      // The click moved the step too: the table's rows come back when that step's exact values arrive.
      await h.page.waitForFunction((u) => document.querySelector('.focus-table caption')?.textContent?.includes(`unit ${u},`) && document.querySelector('.focus-table tbody tr'), bracketUnit);
      assert.strictEqual(await h.page.locator('.focus-table tbody tr').count(), 6);
      await h.frame().screenshot({ path: path.join(OUT, 'analysis-dark.png') });
      assert.deepStrictEqual(h.errors, []);
    } finally {
      await h.close();
    }
  });

  it('clicking a saturation point selects its unit and jumps to its most saturated step; predictions and loss strip show', async () => {
    const h = await openAnalysis(browser, charSession(net, chars.join('')), chars, { theme: 'light' });
    try {
      await h.page.waitForSelector('.scatter circle.point');
      await h.page.waitForSelector('.top-k li');
      assert.strictEqual(await h.page.locator('.top-k li').count(), 5);
      assert.ok(await h.page.locator('.loss-strip').isVisible());
      const series = h.answers.unitSeries({ type: 'requestUnitSeries', id: 0, runId: 1, layer: 0, direction: 0, channel: 'f', unit: 17 });
      await h.page.locator('.scatter circle[data-unit="17"]').dispatchEvent('click');
      await h.page.waitForFunction(() => document.querySelector('.text-caption')?.textContent?.startsWith('Unit 17 · f'));
      const step = series.saturatedSteps[0];
      await h.page.waitForFunction((s) => document.querySelector('.text-by-unit .tok.current')?.getAttribute('data-step') === String(s), step);
      await h.page.click('button[aria-label="Export exact values as CSV"]');
      await h.page.waitForFunction(() => document.querySelector('.analysis-status')?.textContent === 'exported f');
      const ex = h.posted.find((m) => m.type === 'exportTensor')!;
      assert.deepStrictEqual([ex.layer, ex.direction, ex.channel, ex.format], [0, 0, 'f', 'csv']);
      await h.page.click('button[aria-label="Save heatmap as SVG"]');
      await h.page.waitForFunction(() => document.querySelector('.analysis-status')?.textContent?.startsWith('saved heatmap-layer0-forward-f.svg'));
      const svg = h.posted.find((m) => m.type === 'saveImage')!;
      assert.match(String(svg.data), /^<svg [^>]*>[\s\S]*<image [^>]*href="data:image\/png;base64,/);
      await h.frame().screenshot({ path: path.join(OUT, 'analysis-light.png') });
      assert.deepStrictEqual(h.errors, []);
    } finally {
      await h.close();
    }
  });

  it('the C heatmap: the legend says its range, and the robust range shows the pattern that "largest value" washes out', async () => {
    const h = await openAnalysis(browser, charSession(net, chars.join('')), chars, { theme: 'dark' });
    try {
      await h.page.waitForFunction(() => /^C: ±/.test(document.querySelector('.heatmap-legend')?.textContent ?? ''), undefined, { timeout: 30_000 });
      // Share of the heatmap's pixels that differ visibly from the background (what a person sees as pattern).
      const visible = () => h.page.evaluate(() => {
        const c = document.querySelector('.heatmap-canvas') as HTMLCanvasElement;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        const bg = getComputedStyle(document.body).getPropertyValue('--vscode-editor-background').trim();
        const [r, g, b] = [1, 3, 5].map((i) => parseInt(bg.slice(i, i + 2), 16));
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) > 60) n++;
        return n / (d.length / 4);
      });
      const robust = await h.page.textContent('.heatmap-legend');
      const robustShare = await visible();
      assert.match((await h.page.getAttribute('.heatmap-legend', 'title')) ?? '', /^Colours stop at ±\d+\.\d: larger values take the end colours\. Hover for exact values\.$/);
      await h.page.selectOption('.analysis-controls select[aria-label="Colour range"]', 'full');
      await h.page.waitForFunction((r) => document.querySelector('.heatmap-legend')?.textContent !== r, robust);
      const full = await h.page.textContent('.heatmap-legend');
      const fullShare = await visible();
      // This text's largest |C| is far beyond most values: the robust range clips, and says where the colours stop.
      const m = /^C: ±(\d+\.\d), clipped; max (\d+\.\d)$/.exec(robust ?? '');
      assert.ok(m, `legend: ${robust}`);
      assert.ok(Number(m[1]) < Number(m[2]) / 1.5);
      assert.strictEqual(full, `C: ±${m[2]}`);
      assert.ok(robustShare > 1.5 * fullShare, `visible pattern: robust ${(robustShare * 100).toFixed(1)}% vs largest value ${(fullShare * 100).toFixed(1)}%`);
      // Per unit: every row reaches its own end colours; the SVG export carries the legend shown.
      await h.page.selectOption('.analysis-controls select[aria-label="Colour range"]', 'unit');
      await h.page.waitForFunction(() => document.querySelector('.heatmap-legend')?.textContent === 'C: each unit scaled to its own largest |value|');
      assert.ok((await visible()) > robustShare, 'per-unit scaling shows at least as much as the robust range');
      await h.page.click('button[aria-label="Save heatmap as SVG"]');
      await h.page.waitForFunction(() => document.querySelector('.analysis-status')?.textContent?.startsWith('saved heatmap-layer0-forward-c.svg'));
      assert.match(String(h.posted.find((p) => p.type === 'saveImage')!.data), /<text [^>]*>C: each unit scaled to its own largest \|value\|<\/text>/);
      assert.deepStrictEqual(h.errors, []);
    } finally {
      await h.close();
    }
  });
});
