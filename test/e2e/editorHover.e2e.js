// End-to-end (editor features, issue 5): a person selects a Python function, runs "Unroll: Visualize GRU"
// from F1, hovers a token and reads the hover; then colours the text by a unit. Screenshots go to
// test-results/screenshots/editor-*.png.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { E2E_TIMEOUT, RESULTS, SHOTS, startWorkbench, stopWorkbench, runCommandIn, typeInQuickInput } = require('./workbench');


const PYTHON = 'def add(a, b):\n    return a + b\n\nprint(add(2, 3))\n';

describe('Editor hovers and colours in a real VS Code, as a person uses them', function () {
  this.timeout(E2E_TIMEOUT);
  let stateDir;
  let server;
  let browser;
  let page;
  const shot = (file) => page.screenshot({ path: path.join(SHOTS, file) });

  const runCommand = (title) => runCommandIn(page, title);

  /** Moves the mouse onto the first character of `token` of the line containing `lineText` and returns the hover's text. */
  async function hover(lineText, token) {
    const line = page.locator('.monaco-editor .view-line', { hasText: lineText }).first();
    const span = line.locator('span > span', { hasText: new RegExp(`^${token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }).first();
    const box = await span.boundingBox();
    assert.ok(box, `token "${token}" not visible`);
    // Onto the token's first character (Unroll's steps are characters). Two moves: hovers appear after
    // the mouse comes to rest.
    await page.mouse.move(box.x - 15, box.y + box.height / 2 + 30);
    await page.mouse.move(box.x + 3, box.y + box.height / 2, { steps: 4 });
    const contents = page.locator('.monaco-hover .hover-contents', { hasText: 'Unroll' }).first();
    await contents.waitFor({ timeout: 30_000 });
    return contents.innerText();
  }

  before(async function () {
    ({ stateDir, server, browser, page } = await startWorkbench({ prefix: 'unroll-e2e-editor-', files: { 'add.py': PYTHON }, viewport: { width: 1280, height: 800 }, show: 'add.py' }));
  });

  after(async function () {
    await stopWorkbench({ stateDir, server, browser }, 'e2e-editor-code-server.log');
  });

  afterEach(async function () {
    if (this.currentTest.state === 'failed' && page) await shot(`FAILED-editor-${this.currentTest.title.replace(/\W+/g, '-')}.png`).catch(() => {});
  });

  it('hovering a token of a visualized Python function shows that step of the GRU', async function () {
    await page.keyboard.press('Control+P');
    await typeInQuickInput(page, 'add.py');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'add.py' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-lines', { hasText: 'def add' }).waitFor();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+End'); // selects "def add(a, b):" and "    return a + b"
    await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+Home');
    await runCommand('Unroll: Visualize GRU');
    // The reading is announced ("…as characters…") with a button for the other readings.
    await page.locator('.notification-toast', { hasText: 'read the selection as characters' }).waitFor({ timeout: 30_000 });
    await page.keyboard.press('Escape');
    const text = await hover('return a + b', 'return');
    assert.match(text, /step 19 \(0–31\)/); // index 19: 0-based like the panel and the debugger
    assert.match(text, /GRU \(reset after\)/);
    assert.match(text, /reset r [=≈] \d\.\d\d/);
    assert.match(text, /Most active units: h\[\d+\]/);
    assert.match(text, /Show step 19/);
    const img = page.locator('.monaco-hover .hover-contents img').first();
    // A data: image decodes asynchronously (on a loaded machine after the hover text is there): wait for its load or error.
    const decoded = await img.evaluate((el) => new Promise((resolve) => {
      if (el.complete) return resolve(el.naturalWidth > 0);
      el.addEventListener('load', () => resolve(el.naturalWidth > 0), { once: true });
      el.addEventListener('error', () => resolve(false), { once: true });
      setTimeout(() => resolve(el.complete && el.naturalWidth > 0), 15_000);
    }));
    assert.ok(decoded, 'the C/h heat strip image renders');
    await shot('editor-hover.png');
  });

  it('Colour Text by Unit paints the function; Clear Colours removes it', async function () {
    // From the text, as a person colours it (line 4 is outside the run: no hover). With the panel as the active
    // editor, closing the first pick handed focus back to the webview, whose late focus (on a loaded machine)
    // closed the second pick as it opened.
    // A click by coordinates: a locator click scrolled the editor (line 4 to the top, the run out of view).
    const line4 = await page.locator('.monaco-editor .view-line', { hasText: 'print(add' }).boundingBox();
    await page.mouse.click(line4.x + 4, line4.y + line4.height / 2);
    await page.mouse.move(5, 790);
    await page.keyboard.press('Escape');
    await runCommand('Unroll: Colour Text by Unit');
    // States come first: h (hidden state). Wait for the focused row so Enter is not pressed into an empty list.
    await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'hidden state' }).waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'mean |value|' }).waitFor({ timeout: 30_000 });
    // Decorations are inline-styled spans in the view overlays. The current step's token is one of them
    // already (it stays marked), so count against that baseline.
    const overlays = '.monaco-editor .view-overlays [class*="ced-"]';
    const baseline = await page.locator(overlays).count();
    await page.keyboard.press('Enter'); // the most active unit
    await page.waitForFunction(([sel, b]) => document.querySelectorAll(sel).length > b + 3, [overlays, baseline], { timeout: 30_000 })
      .catch(async () => assert.fail(`only ${(await page.locator(overlays).count()) - baseline} decorated ranges`));
    await shot('editor-colours.png');
    await runCommand('Unroll: Clear Colours');
    await page.waitForFunction(([sel, b]) => document.querySelectorAll(sel).length <= b, [overlays, baseline], { timeout: 30_000 });
  });
});
