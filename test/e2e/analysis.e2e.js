// End-to-end (issue 10): in a real VS Code (code-server + chromium), visualize a selection, then in the
// analysis views click a heatmap row: the text-by-unit view names that unit and colours the tokens by it.
// Export C as CSV through the save dialog a person sees (code-server's simple file dialog) and read the file:
// T rows × H unit columns of numbers, T and H as the webview shows them (step counter, "H=" in the toolbar),
// the selected unit's value at the current step equal to the screen-reader table's. Dark and light
// screenshots go to test-results/screenshots/analysis-*.png.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { E2E_TIMEOUT, RESULTS, SHOTS, startWorkbench, stopWorkbench, runCommandIn, webviewIn, typeInQuickInput, webviewFrameIn } = require('./workbench');

// Written into the test's own workspace copy: brackets and quotes, the structure trained char models track.
const FILE = 'brackets.py';
const TEXT = 'def f(x):\n    return [(x[0] + 1), {"a": (2, 3)}]\nprint(f([4, 5]))\n';
const ROW = 9; // the heatmap row clicked (units sorted by index: row k is unit k)

describe('Analysis views in a real VS Code: heatmap row → coloured text, CSV export of a tensor', function () {
  this.timeout(E2E_TIMEOUT);
  let stateDir;
  let server;
  let browser;
  let page;

  const webview = () => webviewIn(page);
  const shot = (file) => page.screenshot({ path: path.join(SHOTS, file) });
  const tokenColours = () => webview().locator('.text-by-unit .tok').evaluateAll((els) => els.map((e) => e.style.backgroundColor));
  const webviewFrame = () => webviewFrameIn(page);
  /** Waits until the text-by-unit view is coloured by `channel`/`unit` (its values arrived, not the previous unit's). */
  const coloured = (channel, unit) => webview().locator(`.text-by-unit[data-series="${channel}/${unit}"][aria-busy="false"]`).waitFor({ timeout: 30_000 });
  /** Waits until the tokens' colours differ from `previous` (a new unit's values or theme arrived). */
  async function coloursChangeFrom(previous) {
    const frame = await webviewFrame();
    await frame.waitForFunction((prev) => {
      const now = [...document.querySelectorAll('.text-by-unit .tok')].map((e) => e.style.backgroundColor);
      return now.length > 0 && now.every((c) => c) && JSON.stringify(now) !== prev;
    }, JSON.stringify(previous), { timeout: 30_000 });
  }

  const runCommand = (title) => runCommandIn(page, title);

  async function clearNotifications() {
    await runCommand('Notifications: Clear All Notifications');
    await page.locator('.notification-toast').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => {});
  }

  before(async function () {
    ({ stateDir, server, browser, page } = await startWorkbench({ prefix: 'unroll-e2e-analysis-', sample: true, files: { [FILE]: TEXT }, theme: 'Default Dark Modern', viewport: { width: 1400, height: 1000 }, show: FILE }));
  });

  after(async function () {
    await stopWorkbench({ stateDir, server, browser }, 'e2e-analysis-code-server.log');
  });

  afterEach(async function () {
    if (this.currentTest.state === 'failed' && page) await shot(`FAILED-analysis-${this.currentTest.title.replace(/\W+/g, '-')}.png`).catch(() => {});
  });

  let steps = 0;
  let units = 0;

  it('clicking a heatmap row names that unit above the text and colours the tokens by it', async function () {
    await page.keyboard.press('Control+P');
    await typeInQuickInput(page, FILE);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: FILE }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-lines', { hasText: 'return' }).waitFor();
    await page.locator('.monaco-editor .view-lines').click();
    await page.keyboard.press('Control+A');
    await runCommand('Unroll: Visualize LSTM');

    const counter = webview().locator('.timeline .counter');
    await counter.filter({ hasText: /\(0–\d+\)/ }).waitFor({ timeout: 60_000 });
    steps = Number(/\(0–(\d+)\)/.exec(await counter.textContent())[1]) + 1;
    assert.strictEqual(steps, TEXT.length, 'the built-in character model reads one step per character');
    const model = webview().locator('.toolbar .model');
    await model.filter({ hasText: /H=\d+/ }).waitFor({ timeout: 60_000 });
    units = Number(/H=(\d+)/.exec(await model.textContent())[1]);
    assert.ok(units > ROW, `H=${units} has no row ${ROW}`);

    // Before any click the text is coloured by unit 0 of C.
    const caption = webview().locator('.text-caption');
    await caption.filter({ hasText: /^Unit 0 · c · / }).waitFor({ timeout: 30_000 });
    await coloured('c', 0);
    await coloursChangeFrom([]);
    const before = await tokenColours();
    assert.strictEqual(before.length, TEXT.length, 'every token of a short text is shown');

    await clearNotifications();
    const heat = webview().locator('.heatmap-canvas');
    await heat.scrollIntoViewIfNeeded();
    const box = await heat.boundingBox();
    // Row ROW of `units` rows (one per unit while they fit), a quarter of the way along time.
    await heat.click({ position: { x: box.width / 4, y: ((ROW + 0.5) * box.height) / units } });
    await caption.filter({ hasText: new RegExp(`^Unit ${ROW} · c · Layer 0 forward`) }).waitFor({ timeout: 30_000 });
    // The caption names the unit at once; the colours change when its values arrive.
    await coloured('c', ROW);
    await coloursChangeFrom(before);
    const after = await tokenColours();
    assert.strictEqual(after.length, TEXT.length);
    assert.ok(new Set(after).size >= 5, `the tokens show the unit's values in several colours, got ${new Set(after).size}`);
    assert.notDeepStrictEqual(after, before, `unit ${ROW} colours the text differently from unit 0`);
    // The screen-reader table follows the selection.
    await webview().locator('.focus-table caption', { hasText: new RegExp(`unit ${ROW},`) }).waitFor({ timeout: 30_000 });
    await webview().locator('.focus-table tbody th', { hasText: /^c$/ }).waitFor({ timeout: 30_000 });
    await webview().locator('.analysis').scrollIntoViewIfNeeded();
    await shot('analysis-dark.png');
  });

  it('exporting C as CSV through the save dialog writes T rows × H units of the values the view shows', async function () {
    assert.ok(steps && units, 'the first test set up the view');
    const status = webview().locator('.analysis-status');
    // The table's exact value of the selected unit at the current step, to find in the file.
    const step = Number(/^Step (\d+) /.exec(await webview().locator('.focus-table caption').textContent())[1]);
    const shown = Number(await webview().locator('.focus-table tbody tr', { has: webview().locator('th', { hasText: /^c$/ }) }).locator('td').first().textContent());

    await webview().locator('button[aria-label="Export exact values as CSV"]').click();
    // No native dialogs in a browser: VS Code's simple save dialog, pre-filled with the workspace path.
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => /layer0-forward-c\.csv$/.test(document.querySelector('.quick-input-widget input')?.value ?? ''), undefined, { timeout: 30_000 });
    const target = await input.inputValue();
    await shot('analysis-save-dialog.png');
    await page.keyboard.press('Enter');
    await status.filter({ hasText: /^Saved / }).waitFor({ timeout: 30_000 });
    assert.match(await status.textContent(), new RegExp(`\\(${steps} steps × ${units} units\\)`));

    const file = path.join(stateDir, 'workspace', 'layer0-forward-c.csv');
    assert.ok(target.endsWith('layer0-forward-c.csv'), target);
    assert.ok(fs.existsSync(file), `${file} was not written`);
    const [head, ...rows] = parseCsv(fs.readFileSync(file, 'utf8'));
    assert.deepStrictEqual(head.slice(0, 2), ['step', 'token']);
    assert.deepStrictEqual(head.slice(2), Array.from({ length: units }, (_, u) => `c${u}`));
    assert.strictEqual(rows.length, steps, 'one row per time step');
    rows.forEach((r, t) => {
      assert.strictEqual(r.length, 2 + units, `row ${t} has ${r.length} cells`);
      assert.strictEqual(Number(r[0]), t);
      assert.strictEqual(r[1], TEXT[t], `row ${t} names its token`);
      for (const v of r.slice(2)) assert.ok(v !== '' && Number.isFinite(Number(v)), `row ${t}: "${v}" is not a number`);
    });
    // C is unbounded but not constant: a trained LSTM's cells move over the text.
    const col = rows.map((r) => Number(r[2 + ROW]));
    assert.ok(Math.max(...col) > Math.min(...col), `unit ${ROW}'s C never changes`);
    assert.strictEqual(Number(rows[step][2 + ROW]).toFixed(4), shown.toFixed(4), `C of unit ${ROW} at step ${step}: file vs table`);
  });

  it('in a light theme the analysis views follow the theme', async function () {
    const bg = () => webview().locator('body').evaluate((b) => getComputedStyle(b).backgroundColor);
    const dark = await bg();
    const darkColours = await tokenColours();
    // As a person switches: Ctrl+K Ctrl+T (Preferences: Color Theme) → click "Light Modern".
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+T');
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: /^\s*Light Modern/ }).first();
    await row.waitFor({ timeout: 30_000 });
    await row.click();
    await webview().locator('body.vscode-light').waitFor({ timeout: 30_000 });
    assert.notStrictEqual(await bg(), dark);
    // The text colours are recomputed against the light background.
    await coloursChangeFrom(darkColours);
    await clearNotifications();
    await webview().locator('.analysis').scrollIntoViewIfNeeded();
    await shot('analysis-light.png');
  });
});

/** RFC 4180 rows: quoted cells may hold commas, doubled quotes and line breaks (the newline token). */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') quoted = false; else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; } else if (c === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; } else cell += c;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows;
}
