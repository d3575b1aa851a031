// End-to-end (issue 6): in a real VS Code (code-server + chromium), a conditional breakpoint typed into the
// visualizer's "Break when" field stops playback at the first step where it holds; stepping back with the keyboard
// moves the step counter and the status bar with it. The threshold is chosen from the values the webview itself
// shows (the cell diagram's f for unit 0), so the expected stop is known without reading the code under test.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { E2E_TIMEOUT, RESULTS, SHOTS, startWorkbench, stopWorkbench, runCommandIn, webviewIn, typeInQuickInput, stepShownIn } = require('./workbench');

const TEXT = 'The quick brown fox'; // line 2 of test/e2e/workspace/sample.txt
const LAST = TEXT.length - 1;

describe('Timeline in a real VS Code: break on a gate condition, play, step back', function () {
  this.timeout(E2E_TIMEOUT);
  let stateDir;
  let server;
  let browser;
  let page;

  const webview = () => webviewIn(page);
  const counter = () => webview().locator('.timeline .counter');
  const shot = (file) => page.screenshot({ path: path.join(SHOTS, file) });

  const runCommand = (title) => runCommandIn(page, title);

  /** Waits for step t in the counter, the chain and the diagram's numbers; returns f for unit 0. */
  async function stepShown(t) {
    const { nodes } = await stepShownIn(page, t, LAST, TEXT[t]);
    const m = /([+\-−]?\d+\.\d+)\s*$/.exec(nodes.f ?? '');
    assert.ok(m, `the diagram's f node shows no value: "${nodes.f}"`);
    return Number(m[1].replace('−', '-'));
  }

  /** The status bar item "LSTM step t (0–T−1) …" must say step t. */
  async function statusBarSays(t) {
    await page.locator('.statusbar-item', { hasText: new RegExp(`step ${t} \\(0–${LAST}\\)`) }).waitFor({ timeout: 30_000 });
  }

  before(async function () {
    ({ stateDir, server, browser, page } = await startWorkbench({ prefix: 'unroll-e2e-timeline-', sample: true, viewport: { width: 1400, height: 900 }, show: 'sample.txt' }));
  });

  after(async function () {
    await stopWorkbench({ stateDir, server, browser }, 'e2e-timeline-code-server.log');
  });

  afterEach(async function () {
    if (this.currentTest.state === 'failed' && page) await shot(`FAILED-timeline-${this.currentTest.title.replace(/\W+/g, '-')}.png`).catch(() => {});
  });

  it('"Break when f[0] < threshold" + play stops at the first hit, says why; two steps back move counter and status bar', async function () {
    await page.keyboard.press('Control+P');
    await typeInQuickInput(page, 'sample.txt');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'sample.txt' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-lines', { hasText: TEXT }).waitFor();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Shift+End'); // select line 2: 19 steps
    await runCommand('Unroll: Visualize LSTM');
    await webview().locator('#app[data-assets="loaded"]').waitFor({ timeout: 30_000 });
    await webview().locator('.diagram-svg g.node[data-node="f"]').waitFor({ timeout: 30_000 });

    // Read f (unit 0) at every step as a person would, stepping with the arrow key.
    await counter().click();
    const f = [await stepShown(0)];
    for (let t = 1; t <= LAST; t++) {
      await page.keyboard.press('ArrowRight');
      f.push(await stepShown(t));
    }
    // A threshold whose first hit is step k ≥ 3: f[k] is a new minimum, clear of the earlier values by ≥ 0.002
    // so the 3-decimal rounding of the shown values cannot decide it.
    let k = -1;
    for (let t = 3; t <= LAST && k < 0; t++) if (Math.min(...f.slice(0, t)) - f[t] >= 0.002) k = t;
    const threshold = k >= 0 ? ((Math.min(...f.slice(0, k)) + f[k]) / 2).toFixed(4) : undefined;
    const condition = k >= 0 ? `f[0] < ${threshold}` : 't == 7';
    if (k < 0) k = 7; // fallback: tests the mechanism on the step number alone
    console.log(`      (f[0] by step: ${f.join(' ')}; condition "${condition}", expected stop at step ${k})`);

    await page.keyboard.press('Home');
    await stepShown(0);
    const field = webview().locator('.timeline input.condition');
    await field.click();
    await field.pressSequentially(condition);
    await page.keyboard.press('Enter');
    // The scan answers with the number of hits along the sequence.
    await webview().locator('.timeline .bp-status', { hasText: `× ${condition}` }).waitFor({ timeout: 30_000 });
    assert.doesNotMatch(await webview().locator('.timeline .bp-status').textContent(), /^0 ×/, 'the condition never holds');
    assert.strictEqual(await counter().textContent().then((s) => /Step 0 \(/.test(s)), true, 'typing into the field did not step');

    await webview().locator('.timeline button[aria-label="Play"]').click();
    // Playback stops at the first hit and the status says which breakpoint fired and why.
    await webview().locator('.timeline .bp-status', { hasText: new RegExp(`: \\S+ ${k} — .*${condition.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) }).waitFor({ timeout: 30_000 });
    assert.strictEqual(await stepShown(k), f[k], 'stopped step shows the value read there before');
    await webview().locator('.timeline button[aria-label="Play"]').waitFor({ timeout: 30_000 }); // paused again
    await statusBarSays(k);
    await shot('timeline-breakpoint-hit.png');

    // Two steps back with the keyboard: the webview, its diagram and the status bar follow.
    await counter().click();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    assert.strictEqual(await stepShown(k - 2), f[k - 2]);
    await statusBarSays(k - 2);
    await shot('timeline-two-steps-back.png');
  });
});
