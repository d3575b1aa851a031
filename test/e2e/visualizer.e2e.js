// End-to-end (issue 4): in a real VS Code (code-server + chromium), select text, F1 → "Unroll: Visualize LSTM",
// then step with the keyboard inside the webview and check what a person sees change: the step counter, the
// numbers written on the mermaid cell diagram, and the highlighted cell of the unrolled chain; the whole diagram
// is in view at 1400×900, its labels readable on their colours (dark, light, high contrast), and stepping plays
// the flow through it. Screenshots go to test-results/screenshots/visualizer-*.png.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { E2E_TIMEOUT, RESULTS, SHOTS, startWorkbench, stopWorkbench, runCommandIn, webviewIn, typeInQuickInput, stepShownIn } = require('./workbench');

const TEXT = 'hello world'; // line 1 of test/e2e/workspace/sample.txt

describe('Visualizer in a real VS Code: keyboard stepping moves counter, diagram values and current cell', function () {
  this.timeout(E2E_TIMEOUT);
  let stateDir;
  let server;
  let browser;
  let page;

  const webview = () => webviewIn(page);
  const counter = () => webview().locator('.timeline .counter');
  const shot = (file) => page.screenshot({ path: path.join(SHOTS, file) });

  const runCommand = (title) => runCommandIn(page, title);

  /** The number written under a diagram node's name (e.g. "fₜ = σ(…)" / "+0.532"), parsed; the minus may be U+2212. */
  function nodeValue(nodes, id) {
    const m = /([+\-−]?\d+\.\d+)\s*$/.exec(nodes[id] ?? '');
    assert.ok(m, `diagram node ${id} shows no value: "${nodes[id]}"`);
    return Number(m[1].replace('−', '-'));
  }

  /**
   * Waits until the counter says step `t`, the chain's current cell is t and the diagram shows step t's
   * numbers and token (steps 2 and 3 are both "l": the token alone does not tell), all read at one moment.
   */
  async function expectStep(t) {
    const seen = await stepShownIn(page, t, TEXT.length - 1, TEXT[t]);
    assert.strictEqual(seen.currentCells, 1, 'exactly one highlighted cell');
    const v = (id) => nodeValue(seen.nodes, id);
    return { counter: seen.counter, f: v('f'), c: v('c'), cp: v('cp'), h: v('h'), hp: v('hp') };
  }

  /** A person's settings.json edit: code-server watches the user settings file and applies it live. */
  const webviewBackground = () => webview().locator('body').evaluate((b) => getComputedStyle(b).backgroundColor);

  /** Every diagram node's box in the webview's viewport, and the viewport. */
  const diagramBoxes = () => webview().locator('body').evaluate(() => ({
    w: innerWidth, h: innerHeight, scrollY,
    nodes: [...document.querySelectorAll('.diagram-svg g.node[data-node]')].map((g) => {
      const b = g.getBoundingClientRect();
      return { id: g.dataset.node, top: b.top, bottom: b.bottom, left: b.left, right: b.right };
    }),
  }));

  /** WCAG contrast of each value-coloured node's label on its fill, as the browser computed both. */
  const labelContrasts = () => webview().locator('body').evaluate(() => {
    const rgb = (s) => (/rgba?\(([^)]+)\)/.exec(s)?.[1] ?? '0,0,0').split(',').slice(0, 3).map(Number);
    const lum = (c) => {
      const l = c.map((v) => { const x = v / 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; });
      return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
    };
    return [...document.querySelectorAll('.diagram-svg g.node[data-node]')].flatMap((g) => {
      const shape = g.querySelector('.label-container');
      const text = g.querySelector('.nodeLabel p') ?? g.querySelector('.nodeLabel');
      if (!shape?.style.fill || !text) return [];
      const fill = getComputedStyle(shape).fill;
      const color = getComputedStyle(text).color;
      const [a, b] = [lum(rgb(fill)), lum(rgb(color))].sort((p, q) => q - p);
      return [{ node: g.dataset.node, ratio: (a + 0.05) / (b + 0.05), fill, color }];
    });
  });

  async function expectReadableLabels(theme) {
    const rows = await labelContrasts();
    assert.ok(rows.length >= 10, `${theme}: only ${rows.length} value-coloured nodes`);
    for (const r of rows) assert.ok(r.ratio >= 4.5, `${theme}: ${r.node} text ${r.color} on ${r.fill} is ${r.ratio.toFixed(2)}:1`);
  }

  /** Switches the colour theme as a person does: Ctrl+K Ctrl+T, type its name, Enter. */
  async function switchTheme(label, bodyClass) {
    await page.locator('.monaco-editor .view-lines', { hasText: TEXT }).click(); // focus back on the workbench
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+T');
    await typeInQuickInput(page, label);
    await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: label }).waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    await webview().locator(`body.${bodyClass}`).waitFor({ timeout: 30_000 });
  }

  /** Toasts ("Unroll read the selection as …") would cover the diagram in the screenshots. */
  async function clearNotifications() {
    await runCommand('Notifications: Clear All Notifications');
    await page.locator('.notification-toast').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => {});
  }

  before(async function () {
    ({ stateDir, server, browser, page } = await startWorkbench({ prefix: 'unroll-e2e-vis-', sample: true, theme: 'Default Dark Modern', viewport: { width: 1400, height: 900 }, show: 'sample.txt' }));
  });

  after(async function () {
    await stopWorkbench({ stateDir, server, browser }, 'e2e-visualizer-code-server.log');
  });

  afterEach(async function () {
    if (this.currentTest.state === 'failed' && page) await shot(`FAILED-visualizer-${this.currentTest.title.replace(/\W+/g, '-')}.png`).catch(() => {});
  });

  it('arrows, End and Home move the step counter, the diagram values and the highlighted cell together', async function () {
    await page.keyboard.press('Control+P');
    await typeInQuickInput(page, 'sample.txt');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'sample.txt' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-lines', { hasText: TEXT }).waitFor();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('Shift+End'); // select the whole first line: "hello world", 11 steps
    await runCommand('Unroll: Visualize LSTM');
    await webview().locator('.cell .token').first().waitFor({ timeout: 30_000 });
    await webview().locator('#app[data-assets="loaded"]').waitFor({ timeout: 30_000 });
    await webview().locator('.diagram-svg g.node[data-node="f"]').waitFor({ timeout: 30_000 });

    await webview().locator('body.vscode-dark').waitFor({ timeout: 30_000 });
    const s0 = await expectStep(0);
    // Focus the webview like a person: click a non-interactive spot (the counter), then use the keys.
    await counter().click();
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    const s3 = await expectStep(3);
    await page.keyboard.press('ArrowRight');
    const s4 = await expectStep(4);
    assert.notStrictEqual(s3.counter, s0.counter);
    // The diagram shows each step's own numbers: the forget gate and cell state differ from step 0 ...
    assert.ok(s3.f !== s0.f || s3.c !== s0.c, `f/C unchanged between steps 0 and 3 (f ${s0.f}, C ${s0.c})`);
    // ... and values flow along the chain: C_{t-1} and h_{t-1} at step 4 are exactly C_t and h_t shown at step 3.
    assert.strictEqual(s4.cp, s3.c, 'C_{t-1} at step 4 equals C_t at step 3');
    assert.strictEqual(s4.hp, s3.h, 'h_{t-1} at step 4 equals h_t at step 3');
    // The first step starts from zero state.
    assert.strictEqual(s0.cp, 0);
    assert.strictEqual(s0.hp, 0);
    // The current cell's value is inside each gate's range: sigmoid f in [0, 1], h = o·tanh(C) in (−1, 1).
    for (const s of [s0, s3, s4]) {
      assert.ok(s.f >= 0 && s.f <= 1, `f ${s.f} outside [0, 1]`);
      assert.ok(Math.abs(s.h) < 1, `h ${s.h} outside (−1, 1)`);
    }
    await clearNotifications();
    await counter().click();
    // At 1400×900 the whole diagram is in view beside the editor, C_t and h_t included, without scrolling.
    const fit = await diagramBoxes();
    assert.strictEqual(fit.scrollY, 0);
    for (const id of ['x', 'hp', 'cp', 'f', 'i', 'g', 'o', 'add', 'c', 'h']) assert.ok(fit.nodes.some((n) => n.id === id), `node ${id} drawn`);
    for (const n of fit.nodes) assert.ok(n.bottom <= fit.h && n.right <= fit.w && n.top >= 0 && n.left >= 0, `${n.id} outside the ${fit.w}×${fit.h} panel: ${JSON.stringify(n)}`);
    await expectReadableLabels('dark');
    await shot('visualizer-dark-step4.png');

    // Stepping plays the flow on the diagram. Each animation the diagram starts is held at its start (on a
    // loaded machine the early stages would be over before the test could look), then shown at the × → +
    // stage: pulses on the edges into +, the products glowing.
    await webview().locator('body').evaluate(() => {
      const animate = Element.prototype.animate;
      window.__animate = animate;
      Element.prototype.animate = function (...args) {
        const a = animate.apply(this, args);
        if (this.closest('.diagram-svg')) a.pause();
        return a;
      };
    });
    await page.keyboard.press('ArrowRight');
    await expectStep(5);
    await webview().locator('body').evaluate(() => new Promise((resolve, reject) => {
      const until = Date.now() + 10_000;
      const check = () => {
        if (document.getAnimations().some((a) => a.effect?.target?.classList?.contains('flow-pulse'))) resolve();
        else if (Date.now() > until) reject(new Error('stepping started no flow animation on the diagram within 10 s'));
        else requestAnimationFrame(check);
      };
      check();
    }));
    const lit = await webview().locator('body').evaluate(() => {
      for (const a of document.getAnimations()) if (a.effect?.target?.closest?.('.diagram-svg')) a.currentTime = 2.5 * 110;
      return [...document.querySelectorAll('.diagram-svg .flow-pulse')].filter((p) => Number(getComputedStyle(p).opacity) > 0.5)
        .map((p) => p.previousElementSibling.id.replace(/^.*L_(\w+?)_(\w+?)_\d+$/, '$1→$2'));
    });
    assert.ok(lit.includes('mf→add') && lit.includes('mi→add'), `the flow reaches + after the products: ${lit}`);
    assert.ok(!lit.includes('x→f'), `the inputs' pulses are over by then: ${lit}`);
    await shot('visualizer-dark-flow.png');
    await webview().locator('body').evaluate(() => {
      for (const a of document.getAnimations()) if (a.effect?.target?.closest?.('.diagram-svg')) a.finish();
      Element.prototype.animate = window.__animate;
    });

    await page.keyboard.press('End');
    const sEnd = await expectStep(TEXT.length - 1);
    assert.match(sEnd.counter, /[“"]d[”"]/);
    await page.keyboard.press('Home');
    const sHome = await expectStep(0);
    assert.strictEqual(sHome.f, s0.f, 'Home shows step 0 values again');
    assert.strictEqual(sHome.c, s0.c);
  });

  it('in a light theme the view follows the theme and stepping still works', async function () {
    const darkBg = await webviewBackground();
    // Mark the dark SVG: until mermaid's re-render replaces it, it still shows step 0's token and values.
    await webview().locator('.diagram-svg svg').first().evaluate((svg) => svg.setAttribute('data-old', ''));
    // As a person switches: Ctrl+K Ctrl+T (Preferences: Color Theme) → click "Light Modern".
    await page.locator('.monaco-editor .view-lines', { hasText: TEXT }).click(); // focus back on the workbench
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+T'); // the Color Theme picker's default keybinding
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: /^\s*Light Modern/ }).first();
    await row.waitFor({ timeout: 30_000 });
    await row.click();
    await page.locator('.monaco-workbench.vs').waitFor({ timeout: 30_000 });
    await webview().locator('body.vscode-light').waitFor({ timeout: 30_000 });
    // Mermaid re-renders on a theme change: wait for the values to be written back on the new SVG.
    await webview().locator('.diagram-svg svg:not([data-old]) g.node[data-node="x"]', { hasText: /[“"]h[”"]/ }).waitFor({ timeout: 30_000 });
    await counter().click();
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
    const s4 = await expectStep(4);
    assert.ok(s4.f >= 0 && s4.f <= 1);
    // The webview's colours come from the theme's --vscode-* variables, so its background changed with it.
    assert.notStrictEqual(await webviewBackground(), darkBg, 'webview background did not follow the light theme');
    await expectReadableLabels('light');
    const fit = await diagramBoxes();
    for (const n of fit.nodes) assert.ok(n.bottom <= fit.h && n.right <= fit.w, `${n.id} outside the ${fit.w}×${fit.h} panel (light)`);
    await shot('visualizer-light-step4.png');
  });

  it('in both high-contrast themes the diagram labels stay readable on their colours', async function () {
    for (const [theme, cls, file] of [['Dark High Contrast', 'vscode-high-contrast', 'hc-dark'], ['Light High Contrast', 'vscode-high-contrast-light', 'hc-light']]) {
      await webview().locator('.diagram-svg svg').first().evaluate((svg) => svg.setAttribute('data-old', ''));
      await switchTheme(theme, cls);
      // Mermaid re-renders on the theme change; the values are written back on the new SVG.
      await webview().locator('.diagram-svg svg:not([data-old]) g.node[data-node="x"]', { hasText: /[“"]o[”"]/ }).waitFor({ timeout: 30_000 });
      await expectReadableLabels(theme);
      await shot(`visualizer-${file}-step4.png`);
    }
  });
});
