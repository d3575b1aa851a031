// End-to-end: the packaged .vsix installed into a fresh code-server, driven through chromium like a person
// (keyboard only: Ctrl+P, Shift+Arrow, F1). Screenshots go to test-results/screenshots/.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { E2E_TIMEOUT, RESULTS, SHOTS, startWorkbench, stopWorkbench, runCommandIn, webviewIn, typeInQuickInput } = require('./workbench');


describe('Unroll in a real VS Code, as a person uses it', function () {
  this.timeout(E2E_TIMEOUT);
  let stateDir;
  let server;
  let browser;
  let page;

  const webview = () => webviewIn(page);
  const tokens = () => webview().locator('.cell .token');
  const shot = (file) => page.screenshot({ path: path.join(SHOTS, file) });

  async function openWorkbench() {
    await page.goto(`${server.url}?folder=${encodeURIComponent(path.join(stateDir, 'workspace'))}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'sample.txt' }).waitFor({ timeout: 60_000 });
  }

  const runCommand = (title) => runCommandIn(page, title);

  async function tokenTexts(count) {
    await tokens().nth(count - 1).waitFor({ timeout: 60_000 }); // after a reload: workbench, extension host, webview and trace again
    return tokens().allTextContents();
  }

  before(async function () {
    ({ stateDir, server, browser, page } = await startWorkbench({ prefix: 'unroll-e2e-', sample: true, viewport: { width: 1280, height: 800 } }));
    await openWorkbench();
  });

  after(async function () {
    await stopWorkbench({ stateDir, server, browser }, 'e2e-code-server.log');
  });

  afterEach(async function () {
    if (this.currentTest.state === 'failed' && page) await shot(`FAILED-${this.currentTest.title.replace(/\W+/g, '-')}.png`).catch(() => {});
  });

  it('selecting "hello" and running Unroll: Visualize LSTM from F1 shows five time steps beside the editor', async function () {
    await page.keyboard.press('Control+P');
    await typeInQuickInput(page, 'sample.txt');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'sample.txt' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-lines', { hasText: 'hello world' }).waitFor();
    await page.keyboard.press('Control+Home');
    for (let i = 0; i < 5; i++) await page.keyboard.press('Shift+ArrowRight');
    const t0 = Date.now();
    await runCommand('Unroll: Visualize LSTM');
    assert.deepStrictEqual(await tokenTexts(5), ['h', 'e', 'l', 'l', 'o']);
    console.log(`      (F1 → command → tokens visible in ${Date.now() - t0} ms)`);
    assert.strictEqual(await page.locator('.editor-group-container').count(), 2, 'the panel opens in a second editor group, beside the text');
    await shot('visualize-selection.png');
  });

  it('the panel is restored with the same time steps after the window reloads', async function () {
    // "Developer: Reload Window" is how a person reloads VS Code; it saves the workbench state first.
    const reloaded = page.waitForEvent('load', { timeout: 60_000 });
    await runCommand('Developer: Reload Window');
    await reloaded;
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    assert.deepStrictEqual(await tokenTexts(5), ['h', 'e', 'l', 'l', 'o']);
    await shot('restored-after-reload.png');
  });

  it('with no selection the current line is shown and the panel says so', async function () {
    await page.locator('.monaco-editor .view-lines', { hasText: 'quick brown' }).click();
    await page.keyboard.press('Control+G');
    await typeInQuickInput(page, '2');
    await page.keyboard.press('Enter');
    await runCommand('Unroll: Visualize LSTM');
    // The line has 19 characters; the chain is virtualized, so check the first cells and the step count shown.
    await webview().getByText(/current line/i).first().waitFor({ timeout: 30_000 });
    assert.deepStrictEqual((await tokenTexts(3)).slice(0, 3), ['T', 'h', 'e']);
    await webview().getByText(/Step 0 \(0–18\)/).first().waitFor({ timeout: 30_000 });
    await shot('current-line.png');
  });
});
