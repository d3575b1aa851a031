/**
 * The cell diagram as a person sees it (issue 4), in headless Chromium under the real CSP: the whole diagram
 * fits the side panel of a 1400×900 window, every label is readable on its node's colour in light, dark and
 * both high-contrast themes, and stepping plays the flow from the inputs through the gates to C_t and h_t.
 * Screenshots: test-results/webview-diagram-*.png. Skipped when Debian's chromium is not installed.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, openWebview, ROOT, THEMES } from './browserHarness';
import { DEFAULT_RANDOM_MODEL } from '../../../src/panel/traceSession';
import type { CellName } from '../../../src/engine/types';
import { STAGE_MS } from '../../../webview/views/diagramFlow';

const shots = path.join(ROOT, 'test-results');
// VS Code 1.100's high-contrast themes (editor.background, foreground, charts.* and contrast borders).
const themes = THEMES as unknown as Record<string, { cls: string; vars: Record<string, string> }>;
themes.hcDark = { cls: 'vscode-high-contrast', vars: { ...THEMES.dark.vars, '--vscode-editor-background': '#000000', '--vscode-foreground': '#ffffff', '--vscode-charts-orange': '#ab5a00', '--vscode-contrastBorder': '#6fc3df', '--vscode-contrastActiveBorder': '#f38518', '--vscode-focusBorder': '#f38518' } };
themes.hcLight = { cls: 'vscode-high-contrast-light', vars: { ...THEMES.light.vars, '--vscode-editor-background': '#ffffff', '--vscode-foreground': '#292929', '--vscode-charts-green': '#374e06', '--vscode-charts-orange': '#0f4a85', '--vscode-contrastBorder': '#0f4a85', '--vscode-focusBorder': '#006bbd' } };

/** The panel beside the editor in a 1400×900 code-server window. */
const PANEL = { width: 525, height: 810 };

/** Contrast of each coloured node's label against its fill, as computed by the browser. */
function labelContrasts(page: Page): Promise<{ node: string; ratio: number; fill: string; color: string }[]> {
  return page.evaluate(() => {
    const rgb = (s: string) => (/rgba?\(([^)]+)\)/.exec(s)?.[1] ?? '0,0,0').split(',').slice(0, 3).map(Number);
    const lum = (c: number[]) => {
      const l = c.map((v) => { const x = v / 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; });
      return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
    };
    return [...document.querySelectorAll<SVGGElement>('.diagram-svg g.node[data-node]')].flatMap((g) => {
      const shape = g.querySelector<SVGElement>('.label-container');
      const text = g.querySelector<HTMLElement>('.nodeLabel p') ?? g.querySelector<HTMLElement>('.nodeLabel');
      if (!shape?.style.fill || !text) return []; // not coloured by value (x_t)
      const fill = getComputedStyle(shape).fill;
      const color = getComputedStyle(text).color;
      const [a, b] = [lum(rgb(fill)), lum(rgb(color))].sort((p, q) => q - p);
      return [{ node: g.dataset.node!, ratio: (a + 0.05) / (b + 0.05), fill, color }];
    });
  });
}

describe('cell diagram in Chromium: fits the panel, readable labels, flow animation', function () {
  this.timeout(90_000);
  let browser: Browser;

  before(async function () {
    if (!fs.existsSync(CHROMIUM) || !fs.existsSync(path.join(ROOT, 'dist/webview.js')) || !fs.existsSync(path.join(ROOT, 'dist/mermaid.js'))) this.skip();
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    fs.mkdirSync(shots, { recursive: true });
  });
  after(async () => browser?.close());

  for (const cell of ['lstm', 'lstm_peephole', 'gru', 'rnn_tanh'] as CellName[]) {
    it(`${cell}: the whole diagram, C_t and h_t included, is in view without scrolling in a 1400×900 window's side panel`, async () => {
      const h = await openWebview(browser, 'hello world', { ...PANEL, model: { ...DEFAULT_RANDOM_MODEL, cell } });
      try {
        await h.settle();
        const r = await h.page.evaluate(() => {
          const svg = document.querySelector<SVGSVGElement>('.diagram-svg svg')!;
          const nodes = [...svg.querySelectorAll<SVGGElement>('g.node[data-node]')].map((g) => {
            const b = g.getBoundingClientRect();
            return { id: g.dataset.node!, bottom: b.bottom, right: b.right, left: b.left };
          });
          const vb = svg.viewBox.baseVal;
          return { nodes, scrollY: window.scrollY, innerWidth, innerHeight, scale: svg.getBoundingClientRect().width / vb.width };
        });
        assert.strictEqual(r.scrollY, 0);
        assert.ok(r.nodes.some((n) => n.id === 'h'), 'h_t is drawn');
        for (const n of r.nodes) {
          assert.ok(n.bottom <= r.innerHeight && n.right <= r.innerWidth && n.left >= 0, `${n.id} outside the ${r.innerWidth}×${r.innerHeight} view: ${JSON.stringify(n)}`);
        }
        // Mermaid draws 12 px text, shown here at 9.5 px or more; the peephole graph is wider (its three
        // labelled peephole edges take ranks of their own) and gets 8 px.
        const min = cell === 'lstm_peephole' ? 7.9 : 9.5;
        assert.ok(12 * r.scale >= min, `text drawn at ${(12 * r.scale).toFixed(1)} px`);
        if (cell === 'lstm') await h.page.screenshot({ path: path.join(shots, 'webview-diagram-panel-1400x900.png') });
        assert.deepStrictEqual(h.errors, []);
      } finally {
        await h.close();
      }
    });
  }

  it('a full editor area draws it larger, left-to-right; a narrow tall panel top-down', async () => {
    for (const [size, direction] of [[{ width: 1300, height: 810 }, 'LR'], [{ width: 380, height: 1000 }, 'TD']] as const) {
      const h = await openWebview(browser, 'hello world', size);
      try {
        await h.settle();
        const r = await h.page.evaluate(() => {
          const svg = document.querySelector<SVGSVGElement>('.diagram-svg svg')!;
          return { direction: (svg.parentElement as HTMLElement).dataset.direction, scale: svg.getBoundingClientRect().width / svg.viewBox.baseVal.width };
        });
        assert.strictEqual(r.direction, direction, JSON.stringify(size));
        if (direction === 'LR') assert.ok(r.scale > 1.1, `wide panel scale ${r.scale}`);
      } finally {
        await h.close();
      }
    }
  });

  for (const theme of ['dark', 'light', 'hcDark', 'hcLight']) {
    it(`${theme}: every value-coloured node's label has WCAG contrast of at least 4.5:1 on its fill, step after step`, async () => {
      const h = await openWebview(browser, 'hello world', { ...PANEL, theme: theme as keyof typeof THEMES });
      try {
        await h.settle();
        await h.page.locator('.chain-scroller').focus();
        let checked = 0;
        for (let step = 0; step < 6; step++) {
          if (step) {
            await h.page.keyboard.press('ArrowRight');
            const tok = 'hello world'[step];
            if (tok !== ' ') await h.page.waitForFunction((t) => document.querySelector('g[data-node="x"]')?.textContent?.includes(`“${t}”`), tok);
          }
          const rows = await labelContrasts(h.page);
          assert.ok(rows.length >= 10, `only ${rows.length} coloured nodes`);
          for (const row of rows) assert.ok(row.ratio >= 4.5, `${theme} step ${step}: ${row.node} text ${row.color} on ${row.fill} is ${row.ratio.toFixed(2)}:1`);
          checked += rows.length;
        }
        assert.ok(checked >= 60);
        await h.page.locator('.diagram-svg').screenshot({ path: path.join(shots, `webview-diagram-${theme}.png`) });
        assert.deepStrictEqual(h.errors, []);
      } finally {
        await h.close();
      }
    });
  }

  it('stepping plays the flow: pulses leave x_t and h_{t−1}, the gates glow, then × and +, then C_t, and h_t last', async () => {
    const h = await openWebview(browser, 'hello world', PANEL);
    try {
      await h.settle();
      // Every animation the diagram starts is held at its start, then looked at at chosen moments: on a
      // loaded machine the early stages would be over before a test could pause them.
      await h.page.evaluate(() => {
        const animate = Element.prototype.animate;
        Element.prototype.animate = function (this: Element, ...args: Parameters<Element['animate']>) {
          const a = animate.apply(this, args);
          if (this.closest('.diagram-svg')) a.pause();
          return a;
        };
      });
      await h.page.locator('.chain-scroller').focus();
      await h.page.keyboard.press('ArrowRight');
      await h.page.waitForFunction(() => document.getAnimations().some((a) => (a.effect as KeyframeEffect).target?.classList.contains('flow-pulse')));
      const at = (t: number) => h.page.evaluate((time) => {
        const anims = document.getAnimations().filter((a) => (a.effect as KeyframeEffect).target?.closest('.diagram-svg'));
        anims.forEach((a) => { a.currentTime = time; });
        // Which edges carry a visible pulse, which nodes glow (by the edge's original id L_from_to_n).
        const pulses = [...document.querySelectorAll<SVGPathElement>('.diagram-svg .flow-pulse')]
          .filter((p) => Number(getComputedStyle(p).opacity) > 0.5)
          .map((p) => /L_(\w+?)_(\w+?)_\d+$/.exec((p.previousElementSibling as SVGPathElement).id)!.slice(1, 3).join('→'));
        // A node glows while its drop-shadow's blur radius is at least 2 px ("drop-shadow(rgb(…) 0px 0px 3px) …").
        const blur = (f: string) => Math.max(0, ...[...f.matchAll(/drop-shadow\(((?:[^()]|\([^()]*\))*)\)/g)]
          .map((m) => parseFloat(m[1].match(/-?[\d.]+px/g)?.[2] ?? '0')));
        const glowing = [...document.querySelectorAll<SVGGElement>('.diagram-svg g.node[data-node]')]
          .filter((g) => blur(getComputedStyle(g).filter) >= 2)
          .map((g) => g.dataset.node!);
        return { pulses: pulses.sort(), glowing: glowing.sort() };
      }, t);
      const s = STAGE_MS;
      const early = await at(0.5 * s);
      assert.ok(early.pulses.includes('x→f') && early.pulses.includes('hp→o'), `inputs → gates first: ${early.pulses}`);
      assert.ok(!early.pulses.some((p) => p.startsWith('add') || p.startsWith('mo')), `nothing leaves + or × yet: ${early.pulses}`);
      await h.page.locator('.diagram-svg').screenshot({ path: path.join(shots, 'webview-diagram-flow-1-gates.png') });
      const mid = await at(2.5 * s);
      assert.ok(mid.pulses.includes('mf→add') && mid.pulses.includes('mi→add'), `× → + at stage 2: ${mid.pulses}`);
      assert.ok(!mid.pulses.includes('x→f'), 'the input pulses are done');
      assert.ok(mid.pulses.includes('o→mo'), 'o_t waits on its long edge for tanh(C_t)');
      await h.page.locator('.diagram-svg').screenshot({ path: path.join(shots, 'webview-diagram-flow-2-add.png') });
      const cState = await at(4 * s);
      assert.ok(cState.glowing.includes('c'), `C_t glows at stage 4: ${cState.glowing}`);
      assert.ok(!cState.glowing.includes('h'), 'h_t not yet');
      const last = await at(7 * s);
      assert.ok(last.glowing.includes('h'), `h_t glows last: ${last.glowing}`);
      assert.ok(!last.glowing.includes('f') && !last.pulses.length, `only the end is lit: ${JSON.stringify(last)}`);
      await h.page.locator('.diagram-svg').screenshot({ path: path.join(shots, 'webview-diagram-flow-3-h.png') });
      // The numbers are already the new step's while the flow plays.
      assert.strictEqual((await h.report()).step, 1);
      assert.deepStrictEqual(h.errors, []);
    } finally {
      await h.close();
    }
  });

  it('says which step its numbers are from: a step shows its token at once and is busy until its values arrive', async () => {
    const h = await openWebview(browser, 'hello world', PANEL);
    try {
      await h.settle();
      await h.page.waitForSelector('.diagram-svg[data-step="0"][aria-busy="false"]');
      const f = () => h.page.locator('.diagram-svg g.node[data-node="f"]').textContent();
      const f0 = await f();
      // Hold the host's answers for exact values, as a slow extension host does.
      const session = h.session!;
      const exact = session.exactStep.bind(session);
      let release = (): void => undefined;
      const held = new Promise<void>((r) => { release = r; });
      session.exactStep = async (m) => { await held; return exact(m); };
      await h.page.locator('.chain-scroller').focus();
      await h.page.keyboard.press('ArrowRight');
      await h.page.keyboard.press('ArrowRight');
      await h.page.waitForFunction(() => document.querySelector('g[data-node="x"]')?.textContent?.includes('“l”'));
      const busy = await h.page.locator('.diagram-svg').evaluate((d) => [d.getAttribute('aria-busy'), (d as HTMLElement).dataset.step]);
      assert.deepStrictEqual(busy, ['true', '0'], 'step 2\'s token is shown over step 0\'s numbers: marked busy, from step 0');
      assert.strictEqual(await f(), f0, 'the numbers are still step 0\'s');
      release();
      await h.page.waitForSelector('.diagram-svg[data-step="2"][aria-busy="false"]', { timeout: 30_000 });
      assert.strictEqual((await h.report()).step, 2);
      assert.deepStrictEqual(h.errors, []);
    } finally {
      await h.close();
    }
  });

  it('with reduced motion, stepping updates the values but plays no flow', async () => {
    const h = await openWebview(browser, 'hello world', PANEL);
    try {
      await h.page.emulateMedia({ reducedMotion: 'reduce' });
      await h.settle();
      await h.page.locator('.chain-scroller').focus();
      await h.page.keyboard.press('ArrowRight');
      await h.page.waitForFunction(() => document.querySelector('g[data-node="x"]')?.textContent?.includes('“e”'));
      await h.page.waitForTimeout(100);
      const flows = await h.page.evaluate(() => document.getAnimations().filter((a) => (a.effect as KeyframeEffect).target?.closest('.diagram-svg')).length);
      assert.strictEqual(flows, 0);
    } finally {
      await h.close();
    }
  });
});
