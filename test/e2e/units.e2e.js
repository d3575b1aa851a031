// End-to-end (issue 11): on a person's own TypeScript, the built-in LSTM's recorded interpretable unit
// (media/models/char_lstm.meta.json → interpretability.best) colours the text differently inside and
// outside what it tracks (bracket depth, strings or comments). A person selects the file, runs
// "Unroll: Visualize LSTM", then "Unroll: Colour Text by Unit" → cell state → that unit.
// The colours are read back from the editor's DOM. Screenshot: test-results/screenshots/units-*.png.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { ROOT, makeStateDir, installVsix, startCodeServer, launchChromium } = require('../../scripts/lib/codeServer');

const RESULTS = process.env.UNROLL_RESULTS_DIR || path.join(ROOT, 'test-results');
const SHOTS = path.join(RESULTS, 'screenshots');
const { name, version } = require('../../package.json');
const VSIX = process.env.UNROLL_VSIX || path.join(ROOT, `${name}-${version}.vsix`);
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
  let stateDir;
  let server;
  let browser;
  let page;
  const shot = (file) => page.screenshot({ path: path.join(SHOTS, file) });
  const best = META.interpretability.best;

  async function runCommand(title) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.pressSequentially(title);
    await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: title.replace(/^.*: /, '') }).waitFor();
    await page.keyboard.press('Enter');
  }

  /**
   * Every character of the visible lines with the signed colour bucket painted behind it: the theme's
   * unroll.positive1…3 / negative1…3 colours (orange / blue, alpha rising with |value|), 0 = unpainted.
   */
  async function paintedCharacters() {
    return page.evaluate(() => {
      const editor = [...document.querySelectorAll('.monaco-editor')].find((e) => e.querySelector('.view-lines')?.textContent.includes('Shopping'));
      const lines = [...editor.querySelectorAll('.view-lines .view-line')].sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top));
      const overlays = [...editor.querySelectorAll('.view-overlays > div')];
      // Monospace: the width of one character from the longest rendered line.
      const longest = lines.reduce((a, b) => (b.textContent.length > a.textContent.length ? b : a));
      const charWidth = longest.firstElementChild.getBoundingClientRect().width / longest.textContent.length;
      return lines.map((line) => {
        const text = line.textContent.replace(/\u00a0/g, ' ');
        const paint = new Array(text.length).fill(0);
        const overlay = overlays.find((o) => o.style.top === line.style.top);
        for (const d of overlay ? overlay.querySelectorAll('[class*="ced-"]') : []) {
          const m = /rgba?\((\d+), (\d+), (\d+)(?:, ([\d.]+))?\)/.exec(getComputedStyle(d).backgroundColor);
          if (!m) continue;
          const [r, , b] = [+m[1], +m[2], +m[3]];
          const alpha = m[4] === undefined ? 1 : +m[4];
          if (alpha === 0 || Math.abs(r - b) < 40) continue; // not a unit colour (e.g. the current-token mark)
          const bucket = alpha < 0.34 ? 1 : alpha < 0.53 ? 2 : 3; // the contributed alphas 0x40, 0x70, 0xa0
          const from = Math.round(parseFloat(d.style.left) / charWidth);
          const to = Math.round((parseFloat(d.style.left) + parseFloat(d.style.width)) / charWidth);
          for (let k = from; k < to && k < text.length; k++) paint[k] = r > b ? bucket : -bucket;
        }
        return { text, paint };
      });
    });
  }

  before(async function () {
    assert.ok(fs.existsSync(VSIX), `${path.basename(VSIX)} not found: run "node scripts/package.js" first`);
    fs.mkdirSync(SHOTS, { recursive: true });
    stateDir = makeStateDir('unroll-e2e-units-');
    fs.mkdirSync(path.join(stateDir, 'workspace'), { recursive: true });
    fs.writeFileSync(path.join(stateDir, 'workspace', 'cart.ts'), CODE);
    installVsix(stateDir, VSIX);
    server = await startCodeServer({ stateDir });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 2000, height: 900 } });
    await page.goto(`${server.url}?folder=${encodeURIComponent(path.join(stateDir, 'workspace'))}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'cart.ts' }).waitFor({ timeout: 60_000 });
  });

  after(async function () {
    if (browser) await browser.close().catch(() => {});
    if (server) {
      await server.stop();
      fs.copyFileSync(server.logFile, path.join(RESULTS, 'e2e-units-code-server.log'));
    }
    if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
  });

  afterEach(async function () {
    if (this.currentTest.state === 'failed' && page) await shot(`FAILED-units-${this.currentTest.title.replace(/\W+/g, '-')}.png`).catch(() => {});
  });

  it(`the recorded unit c[${best.unit}] (${best.description.replace(/^unit \d+ /, '')}) colours the code differently where its feature holds`, async function () {
    await page.keyboard.press('Control+P');
    await page.locator('.quick-input-widget input').pressSequentially('cart.ts');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'cart.ts' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-lines', { hasText: 'Shopping cart' }).waitFor();
    await page.locator('.monaco-editor .view-lines', { hasText: 'Shopping cart' }).click();
    await page.keyboard.press('Control+A');
    await runCommand('Unroll: Visualize LSTM');
    // The built-in model reads code as characters; the panel opens beside the editor.
    const webview = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    await webview.locator('.cell .token').first().waitFor({ timeout: 60_000 });

    await runCommand('Unroll: Colour Text by Unit');
    const input = page.locator('.quick-input-widget input');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'cell state' }).waitFor({ timeout: 30_000 });
    await input.pressSequentially('c');
    await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'cell state' }).waitFor();
    await page.keyboard.press('Enter');
    // Units are listed as c[0]…c[63] (most active first): type the recorded one.
    const label = `c[${best.unit}]`;
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'mean |value|' }).first().waitFor({ timeout: 30_000 });
    await input.pressSequentially(label);
    await page.waitForFunction((want) => {
      const row = document.querySelector('.quick-input-list .monaco-list-row.focused .label-name');
      return row && row.textContent.trim() === want;
    }, label, { timeout: 10_000 });
    await page.keyboard.press('Enter');
    // Collapse the selection (only the unit's colours remain) and hide the side bar: every line fits.
    await page.locator('.monaco-editor .view-lines', { hasText: 'Shopping cart' }).click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('Control+B');
    await page.locator('.explorer-folders-view').waitFor({ state: 'hidden' });
    // Runs of equally coloured characters share one overlay element.
    await page.waitForFunction(() => document.querySelectorAll('.monaco-editor .view-overlays [class*="ced-"]').length > 10, null, { timeout: 15_000 });

    const painted = await paintedCharacters();
    const fileLines = CODE.split('\n');
    // The rendered lines are the file's (all of it is visible): the characters line up with the labels.
    assert.deepStrictEqual(painted.map((l) => l.text.trimEnd()), fileLines.slice(0, painted.length).map((l) => l.trimEnd()));
    const labels = labelCode(CODE)[best.feature];
    const x = [];
    const y = [];
    let offset = 0;
    painted.forEach((line, i) => {
      for (let k = 0; k < fileLines[i].length; k++) (x.push(line.paint[k]), y.push(labels[offset + k]));
      offset += fileLines[i].length + 1;
    });
    const r = pearson(x, y);
    const coloured = x.filter((v) => v !== 0).length;
    console.log(`      (${label}: ${coloured}/${x.length} characters coloured; r(colour bucket, ${best.feature}) = ${r.toFixed(3)}; recorded on held-out code ${best.correlation})`);
    assert.ok(coloured > x.length / 4, `only ${coloured} of ${x.length} characters are coloured`);
    assert.strictEqual(Math.sign(r), Math.sign(best.correlation), `the colours run against the recorded direction (r = ${r.toFixed(3)})`);
    assert.ok(Math.abs(r) >= 0.5 * Math.abs(best.correlation), `colour vs ${best.feature}: |r| = ${Math.abs(r).toFixed(3)}, recorded ${best.correlation}`);
    await shot(`units-${best.feature}-c${best.unit}.png`);
  });
});
