/**
 * The real webview in headless Chromium under the real CSP: tokens as cells, the trace painted, mermaid's
 * diagram rendered once and patched per step, keyboard stepping and playback, conditions, themes.
 * Screenshots go to test-results/webview-*.png. Skipped when Debian's chromium is not installed.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Browser } from 'playwright-core';
import { CHROMIUM, openWebview, ROOT } from './browserHarness';
import { formatValue } from '../../../webview/diagrams';

const shots = path.join(ROOT, 'test-results');

describe('webview in Chromium (real CSP, real mermaid)', function () {
  this.timeout(60_000);
  let browser: Browser;

  before(async function () {
    if (!fs.existsSync(CHROMIUM) || !fs.existsSync(path.join(ROOT, 'dist/webview.js')) || !fs.existsSync(path.join(ROOT, 'dist/mermaid.js'))) this.skip();
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    fs.mkdirSync(shots, { recursive: true });
  });
  after(async () => browser?.close());

  it('shows the tokens, paints the trace and writes exact values on the LSTM diagram; arrows step everything', async () => {
    const h = await openWebview(browser, 'hello world');
    try {
      await h.settle();
      await h.page.waitForSelector('#app[data-assets="loaded"]', { timeout: 30_000 });
      let r = await h.report();
      assert.deepStrictEqual(r.tokens, ['h', 'e', 'l', 'l', 'o', '␣', 'w', 'o', 'r', 'l', 'd']);
      assert.strictEqual(r.mode, 'detailed');
      assert.strictEqual(r.counter, 'Step 0 (0–10) · Token “h”');
      const exact0 = (await h.session!.exactStep({ type: 'requestExactStep', id: 0, runId: 1, layer: 0, direction: 0, step: 0 })).values;
      assert.strictEqual(r.diagramValues.f, formatValue(exact0.f[0]));
      assert.strictEqual(r.diagramValues.c, formatValue(exact0.c[0]));
      assert.strictEqual(r.diagramValues.x, '“h”');
      // The SVG itself shows it (not only the report).
      const fText = (await h.page.locator('g[data-node="f"]').textContent()) ?? '';
      assert.ok(fText.includes(formatValue(exact0.f[0])), fText);
      await h.page.evaluate(() => document.querySelector<SVGElement>('.diagram-svg svg')!.setAttribute('data-before-step', ''));
      await h.page.locator('.chain-scroller').focus();
      await h.page.keyboard.press('ArrowRight');
      await h.page.waitForFunction(() => document.querySelector('g[data-node="x"]')?.textContent?.includes('“e”'));
      // The token is written at once, the numbers when step 1's exact values arrive from the host.
      await h.page.waitForSelector('.diagram-svg[data-step="1"][aria-busy="false"]', { timeout: 30_000 });
      r = await h.report();
      const exact1 = (await h.session!.exactStep({ type: 'requestExactStep', id: 0, runId: 1, layer: 0, direction: 0, step: 1 })).values;
      assert.strictEqual(r.step, 1);
      assert.strictEqual(r.counter, 'Step 1 (0–10) · Token “e”');
      assert.strictEqual(r.diagramValues.f, formatValue(exact1.f[0]));
      assert.strictEqual(r.diagramValues.cp, formatValue(exact0.c[0]), 'C_{t-1} is the previous step\'s C_t');
      assert.strictEqual(await h.page.locator('.cell.current .token').innerText(), 'e');
      const same = await h.page.evaluate(() => document.querySelector('.diagram-svg svg')!.hasAttribute('data-before-step'));
      assert.ok(same, 'the diagram was patched, not rendered again');
      await h.page.keyboard.press('End');
      assert.strictEqual((await h.report()).step, 10);
      await h.page.keyboard.press('Home');
      await h.page.screenshot({ path: path.join(shots, 'webview-dark.png'), fullPage: true });
      assert.deepStrictEqual(h.errors, [], 'no console errors, no CSP violations');
    } finally {
      await h.close();
    }
  });

  it('a condition marks its hits and playback stops at the first one, saying why', async () => {
    const h = await openWebview(browser, 'abcdefghij');
    try {
      await h.settle();
      await h.page.fill('.condition', 't >= 4');
      await h.page.press('.condition', 'Enter');
      await h.page.waitForFunction(() => document.querySelector('.bp-status')?.textContent?.startsWith('6 ×'));
      await h.page.selectOption('.speed', '30');
      await h.page.locator('.chain-scroller').focus();
      await h.page.keyboard.press('Space');
      await h.page.waitForFunction(() => document.querySelector('.bp-status')?.textContent?.includes('Breakpoint hit'));
      const r = await h.report();
      assert.strictEqual(r.step, 4);
      assert.match(await h.page.locator('.bp-status').innerText(), /Step 4 — t >= 4/);
      await h.page.fill('.condition', 'q.mean < 1');
      await h.page.press('.condition', 'Enter');
      await h.page.waitForFunction(() => document.querySelector('.bp-status.error'));
      assert.match(await h.page.locator('.bp-status').innerText(), /\^ unknown name 'q'/);
      assert.deepStrictEqual(h.errors, []);
    } finally {
      await h.close();
    }
  });

  it('clicking a diagram node selects that gate everywhere; a theme switch re-renders mermaid in the new theme', async () => {
    const h = await openWebview(browser, 'gate');
    try {
      await h.settle();
      await h.page.click('g[data-node="i"]');
      await h.page.waitForFunction(() => document.querySelector('.band-label.selected')?.textContent === 'i');
      assert.ok(await h.page.locator('g[data-node="i"].selected').count(), 'the node shows it is selected');
      const bg = () => h.page.evaluate(() => getComputedStyle(document.querySelector('.diagram-svg svg g.node .label-container')!).fill);
      const darkFill = await bg();
      await h.page.evaluate(() => document.querySelector('.diagram-svg svg')!.setAttribute('data-old', ''));
      await h.page.evaluate(() => {
        document.body.className = 'vscode-light';
        document.documentElement.style.setProperty('--vscode-editor-background', '#ffffff');
      });
      await h.page.waitForFunction(() => !document.querySelector('.diagram-svg svg')!.hasAttribute('data-old'));
      await h.page.waitForTimeout(200);
      assert.notStrictEqual(await bg(), darkFill, 'the input node is drawn with the light theme');
      assert.strictEqual((await h.report()).diagramValues.x, '“g”', 'values are written again after the re-render');
      assert.deepStrictEqual(h.errors, []);
    } finally {
      await h.close();
    }
  });

  it('Copy as Mermaid hands the annotated diagram to the host', async () => {
    const h = await openWebview(browser, 'xy');
    try {
      await h.settle();
      await h.page.click('.copy-mermaid');
      const copy = h.posted.find((m) => (m as { type: string }).type === 'copyText') as { text: string } | undefined;
      assert.ok(copy, 'copyText posted');
      assert.match(copy.text, /^flowchart LR/);
      assert.match(copy.text, /style f fill:#[0-9a-f]{6}/);
      const exact = (await h.session!.exactStep({ type: 'requestExactStep', id: 0, runId: 1, layer: 0, direction: 0, step: 0 })).values;
      assert.ok(copy.text.includes(`f["fₜ = σ(…)<br/>${formatValue(exact.f[0])}"]`), copy.text);
      assert.ok(copy.text.includes('x[/"xₜ<br/>“x”"/]'), 'the token is on x_t');
    } finally {
      await h.close();
    }
  });

  it('light theme, GRU diagram and a narrow panel', async () => {
    const h = await openWebview(browser, 'the quick brown fox', { theme: 'light', width: 420, model: { cell: 'gru_cho', hiddenSize: 8, numLayers: 1, bidirectional: false, seed: 7 } });
    try {
      await h.settle();
      const r = await h.report();
      assert.ok('z' in r.diagramValues && 'rh' in r.diagramValues, 'GRU nodes');
      const box = await h.page.locator('.diagram-svg svg').boundingBox();
      assert.ok(box && box.height > box.width, 'a narrow panel draws the diagram top-down');
      await h.page.screenshot({ path: path.join(shots, 'webview-light-gru-narrow.png'), fullPage: true });
      assert.deepStrictEqual(h.errors, []);
    } finally {
      await h.close();
    }
  });

  it('thousands of steps draw as compact columns and zoom into detailed cells', async () => {
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(120);
    const h = await openWebview(browser, text, { model: { cell: 'lstm', hiddenSize: 32, numLayers: 2, bidirectional: true, seed: 1 } });
    try {
      await h.settle();
      await h.page.click('button[aria-label="Zoom −"]');
      await h.page.click('button[aria-label="Zoom −"]');
      await h.page.click('button[aria-label="Zoom −"]');
      await h.page.click('button[aria-label="Zoom −"]');
      await h.page.click('button[aria-label="Zoom −"]');
      await h.page.waitForTimeout(300);
      let r = await h.report();
      assert.strictEqual(r.mode, 'compact');
      assert.strictEqual(r.stepCount, text.length);
      await h.page.selectOption('select[aria-label="Layer"]', '1');
      await h.page.selectOption('select[aria-label="Direction"]', '1');
      await h.page.waitForTimeout(300);
      await h.page.screenshot({ path: path.join(shots, 'webview-compact.png') });
      for (let k = 0; k < 5; k++) await h.page.click('button[aria-label="Zoom +"]');
      r = await h.report();
      assert.strictEqual(r.mode, 'detailed');
      assert.deepStrictEqual(h.errors, []);
    } finally {
      await h.close();
    }
  });
});
