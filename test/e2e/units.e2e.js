// End-to-end (issue 11): on a person's own TypeScript, the built-in LSTM's recorded interpretable unit
// (media/models/char_lstm.meta.json → interpretability.best) colours the text differently inside and
// outside what it tracks (bracket depth, strings or comments). A person selects the file, runs
// "Unroll: Visualize LSTM" and types the unit into the panel's Unit field; the analysis view's text-by-unit
// colours every character by that unit's cell state C_t (scaled by the unit's own range). The values
// (each token's tooltip) and colours are read back from the webview and set against the labels the
// recorded correlation was measured with. Screenshot: test-results/screenshots/units-<feature>-c<unit>.png.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { ROOT } = require('../../scripts/lib/codeServer');
const { E2E_TIMEOUT, RESULTS, SHOTS, startWorkbench, stopWorkbench, runCommandIn, webviewIn, typeInQuickInput, webviewFrameIn } = require('./workbench');

const META = JSON.parse(fs.readFileSync(path.join(ROOT, 'media/models/char_lstm.meta.json'), 'utf8'));

// Not from the training corpus: a small module as a person might write it (comments, strings, nesting).
const CODE = `/**
 * Shopping cart totals. Prices are in cents so that
 * rounding never loses a penny; taxes are applied last.
 */
export interface Item { name: string; cents: number; qty: number }

// Sum of every line, before any discount.
export function subtotal(items: Item[]): number {
  return items.reduce((sum, it) => sum + it.cents * it.qty, 0);
}

/* A discount code is "SAVE" followed by a percentage. */
export function discount(code: string, cents: number): number {
  const m = /^SAVE(\\d+)$/.exec(code.trim());
  if (!m) return 0;
  return Math.round((cents * Math.min(50, Number(m[1]))) / 100);
}

export function receipt(items: Item[], code = ''): string {
  const total = subtotal(items) - discount(code, subtotal(items));
  const euros = (cents: number) => (cents / 100).toFixed(2);
  const lines = items.map((it) => \`\${it.qty} x \${it.name}: \${euros(it.cents)}\`);
  // One line per item, then the total.
  return [...lines, "Total: " + euros(total)].join('\\n');
}
`;

/** The corpus labeller (src/engine/train/codeLabels.ts) the recorded correlation was measured with. */
function labelCode(text) {
  const out = path.join(os.tmpdir(), `unroll-e2e-codeLabels-${process.pid}.js`);
  require('esbuild').buildSync({ entryPoints: [path.join(ROOT, 'src/engine/train/codeLabels.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: out, logLevel: 'warning' });
  const labels = require(out).labelCode(text);
  fs.rmSync(out, { force: true });
  return labels;
}

function pearson(a, b) {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let k = 0; k < n; k++) (ab += (a[k] - ma) * (b[k] - mb)), (aa += (a[k] - ma) ** 2), (bb += (b[k] - mb) ** 2);
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

describe('The built-in LSTM\'s interpretable unit on a person\'s code, in a real VS Code', function () {
  this.timeout(E2E_TIMEOUT);
  let stateDir;
  let server;
  let browser;
  let page;
  const shot = (file) => page.screenshot({ path: path.join(SHOTS, file) });
  const best = META.interpretability.best;

  const runCommand = (title) => runCommandIn(page, title);

  const webview = () => webviewIn(page);
  const webviewFrame = () => webviewFrameIn(page);

  /**
   * Every token of the (virtualised) text-by-unit view: its value from the tooltip ("t: value") and its
   * background as orange minus blue (the diverging scale's two ends). Scrolls the view through once,
   * a frame at a time, until all `steps` tokens were seen.
   */
  async function tokensByUnit(steps) {
    const frame = await webviewFrame();
    return frame.evaluate(async (n) => {
      const body = document.querySelector('.text-by-unit');
      const seen = new Map();
      const nextFrame = () => new Promise((r) => requestAnimationFrame(() => r()));
      body.scrollTop = 0;
      for (let guard = 0; guard < 1000 && seen.size < n; guard++) {
        await nextFrame();
        for (const span of body.querySelectorAll('.tok[title]')) {
          const m = /^(\d+): (-?\d+(?:\.\d+)?)/.exec(span.title);
          const c = /rgba?\((\d+), (\d+), (\d+)/.exec(span.style.backgroundColor);
          if (m && c) seen.set(Number(m[1]), { value: Number(m[2]), orange: Number(c[1]) - Number(c[3]) });
        }
        if (body.scrollTop + body.clientHeight >= body.scrollHeight && guard > 2 && seen.size < n) break;
        body.scrollTop += Math.max(20, body.clientHeight / 2);
      }
      return [...seen.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
    }, steps);
  }

  before(async function () {
    ({ stateDir, server, browser, page } = await startWorkbench({ prefix: 'unroll-e2e-units-', files: { 'cart.ts': CODE }, viewport: { width: 1600, height: 1000 }, show: 'cart.ts' }));
  });

  after(async function () {
    await stopWorkbench({ stateDir, server, browser }, 'e2e-units-code-server.log');
  });

  afterEach(async function () {
    if (this.currentTest.state === 'failed' && page) await shot(`FAILED-units-${this.currentTest.title.replace(/\W+/g, '-')}.png`).catch(() => {});
  });

  it(`the recorded unit c[${best.unit}] (${best.description.replace(/^unit \d+ /, '')}) colours the code differently where its feature holds`, async function () {
    await page.keyboard.press('Control+P');
    await typeInQuickInput(page, 'cart.ts');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'cart.ts' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-lines', { hasText: 'Shopping cart' }).waitFor();
    await page.locator('.monaco-editor .view-lines', { hasText: 'Shopping cart' }).click();
    await page.keyboard.press('Control+A');
    await runCommand('Unroll: Visualize LSTM');
    // The built-in model reads code as characters: one step per character of the file.
    const counter = webview().locator('.timeline .counter');
    await counter.filter({ hasText: /\(0–\d+\)/ }).waitFor({ timeout: 60_000 });
    const steps = Number(/\(0–(\d+)\)/.exec(await counter.textContent())[1]) + 1;
    assert.strictEqual(steps, CODE.length, 'one step per character of the selected file');
    await webview().locator('.toolbar .model', { hasText: 'char_lstm' }).waitFor({ timeout: 30_000 });

    // The panel offers the unit the model's metadata records; a person clicks it and the Unit field and the
    // text-by-unit view follow (C for an LSTM).
    const offer = webview().locator('.toolbar .notable-unit', { hasText: new RegExp(`^Unit ${best.unit} .*\\(r = ${best.correlation.toFixed(2)} on held-out code\\)$`) });
    await offer.waitFor({ timeout: 30_000 });
    await offer.click();
    assert.strictEqual(await webview().locator('.toolbar input.unit').inputValue(), String(best.unit), 'the Unit field shows the offered unit');
    const caption = webview().locator('.text-caption');
    await caption.filter({ hasText: new RegExp(`^Unit ${best.unit} · c · `) }).waitFor({ timeout: 30_000 });
    // The caption names the unit at once; the colours and tooltips follow when its values arrive.
    await webview().locator(`.text-by-unit[data-series="c/${best.unit}"][aria-busy="false"] .tok[title]`).first().waitFor({ timeout: 30_000 });
    const tokens = await tokensByUnit(steps);
    assert.strictEqual(tokens.length, steps, 'every character of the file shows a value of the unit');

    const labels = Array.from(labelCode(CODE)[best.feature]);
    const r = pearson(tokens.map((t) => t.value), labels);
    const rColour = pearson(tokens.map((t) => t.orange), labels);
    console.log(`      (c[${best.unit}] on cart.ts: r(C_t, ${best.feature}) = ${r.toFixed(3)}, r(orange − blue, ${best.feature}) = ${rColour.toFixed(3)}; recorded on held-out code ${best.correlation})`);
    // Same direction as recorded, and at least half as strong on text the model never saw.
    assert.strictEqual(Math.sign(r), Math.sign(best.correlation), `the unit runs against the recorded direction (r = ${r.toFixed(3)})`);
    assert.ok(Math.abs(r) >= 0.5 * Math.abs(best.correlation), `C_t vs ${best.feature}: |r| = ${Math.abs(r).toFixed(3)}, recorded ${best.correlation}`);
    // What a person sees: the colours (orange for positive, blue for negative C_t) shift the same way.
    assert.strictEqual(Math.sign(rColour), Math.sign(best.correlation), `the colours do not follow the unit (r = ${rColour.toFixed(3)})`);
    assert.ok(Math.abs(rColour) >= 0.5 * Math.abs(r), `colours vs ${best.feature}: |r| = ${Math.abs(rColour).toFixed(3)}`);

    await runCommand('Notifications: Clear All Notifications');
    await page.locator('.notification-toast').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => {});
    await webview().locator('.analysis-text').scrollIntoViewIfNeeded();
    // Show code, a comment and a string together: scroll the view to the discount() comment.
    const from = CODE.indexOf('/* A discount');
    await (await webviewFrame()).evaluate(async (step) => {
      const body = document.querySelector('.text-by-unit');
      const nextFrame = () => new Promise((r) => requestAnimationFrame(() => r()));
      body.scrollTop = 0;
      for (let guard = 0; guard < 200 && !body.querySelector(`.tok[data-step="${step}"]`); guard++) {
        body.scrollTop += 20;
        await nextFrame();
      }
      body.scrollTop = body.querySelector(`.tok[data-step="${step}"]`).parentElement.offsetTop;
      await nextFrame();
    }, from);
    await shot(`units-${best.feature}-c${best.unit}.png`);
  });
});
