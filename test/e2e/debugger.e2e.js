// End-to-end: F5 on a sequence file starts the `unroll` debugger in a real VS Code (code-server), stops at
// step 0, shows the gates in the Variables view, steps (over, into, out, back) and the visualizer's
// timeline follows. Keyboard only, like a person. Screenshots go to test-results/screenshots/debug-*.png.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { E2E_TIMEOUT, RESULTS, SHOTS, startWorkbench, stopWorkbench, webviewIn, typeInQuickInput } = require('./workbench');

const STEPS = fs.readFileSync(path.join(__dirname, 'workspace', 'sample.txt'), 'utf8').length;

describe('Unroll debugger in a real VS Code: F5 on a sequence file', function () {
  this.timeout(E2E_TIMEOUT);
  let stateDir;
  let server;
  let browser;
  let page;

  const webview = () => webviewIn(page);
  const shot = (file) => page.screenshot({ path: path.join(SHOTS, file) });
  const callStack = (text) => page.locator('.debug-call-stack .monaco-list-row', { hasText: text }).first();
  // The visualizer's counter is 0-based like the debugger: "Step t (0–T−1)".
  const counter = (step) => webview().getByText(new RegExp(`Step ${step} \\(0–${STEPS - 1}\\)`)).first();

  async function runCommand(title, { refocus = true } = {}) {
    if (refocus) {
      // Give the keyboard back to the workbench (a webview or a tree may hold focus after a stop).
      await page.keyboard.press('Escape');
      await page.locator('.monaco-editor .view-lines', { hasText: 'hello world' }).first().click();
    }
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.pressSequentially(title);
    await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: title.replace(/^.*: /, '') }).waitFor();
    await page.keyboard.press('Enter');
  }

  before(async function () {
    ({ stateDir, server, browser, page } = await startWorkbench({ prefix: 'unroll-e2e-debug-', sample: true, viewport: { width: 1400, height: 900 }, show: 'sample.txt' }));
  });

  after(async function () {
    await stopWorkbench({ stateDir, server, browser }, 'e2e-debug-code-server.log');
  });

  afterEach(async function () {
    if (this.currentTest.state === 'failed' && page) await shot(`FAILED-debug-${this.currentTest.title.replace(/\W+/g, '-')}.png`).catch(() => {});
  });

  it('F5 stops at step 0 on the first token, with every gate in the Variables view', async function () {
    await page.keyboard.press('Control+P');
    await typeInQuickInput(page, 'sample.txt');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'sample.txt' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-lines', { hasText: 'hello world' }).waitFor();
    // Open the visualizer on the whole file, so it can follow the debugger.
    await page.locator('.monaco-editor .view-lines', { hasText: 'hello world' }).click();
    await page.keyboard.press('Control+A');
    await runCommand('Unroll: Visualize LSTM', { refocus: false });
    await counter(0).waitFor({ timeout: 30_000 });
    // Back to the text, then F5 (no launch.json: the extension fills in a configuration for this file).
    await page.locator('.monaco-editor .view-lines', { hasText: 'hello world' }).first().click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('F5');
    const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Unroll' }).first();
    // Either a debugger pick (Enter takes Unroll) or already stopped. One wait for whichever comes first: a
    // race of two waits left the losing one pending, to press Enter into a later quick input.
    await pick.or(callStack('step 0')).first().waitFor({ timeout: 30_000 });
    if (await pick.isVisible()) await page.keyboard.press('Enter');
    await callStack('step 0 "h"').waitFor({ timeout: 30_000 });
    const variables = page.locator('.debug-variables');
    for (const v of ['x_t', 'h_{t-1}', 'C_{t-1}', 'i_t', 'f_t', 'o_t', 'C_t', 'h_t']) {
      await variables.locator('.monaco-list-row', { hasText: v }).first().waitFor({ timeout: 30_000 });
    }
    const fRow = await variables.locator('.monaco-list-row', { hasText: 'f_t' }).first().textContent();
    assert.match(fRow, /mean -?\d.*min -?\d.*max -?\d.*\(64 units\)/);
    // The stopped location is the token: the editor shows the top-stack-frame decoration on line 1.
    await page.locator('.debug-top-stack-frame-column, .debug-top-stack-frame-line').first().waitFor({ timeout: 30_000 });
    await shot('debug-stopped-on-entry.png');
    // Hovering a token of the sequence file shows that step's state ("w" of "world" is step 6).
    const span = page.locator('.monaco-editor .view-line span > span', { hasText: 'hello world' }).first();
    const box = await span.boundingBox();
    const charWidth = box.width / 'hello world'.length;
    const x = box.x + charWidth * 6.5;
    const y = box.y + box.height / 2;
    // The hover appears once the mouse rests on the token and the debug adapter answered. The mouse comes
    // straight down from the breadcrumbs (no token there): from line 2, a loaded machine showed line 2's hover
    // ("q") on the way, drawn over line 1, and the mouse then rested on that hover instead of on "w". VS Code
    // schedules no new hover for the position it already has, so a retry first rests on another token ("h").
    const hoverWidget = page.locator('.debug-hover-widget', { hasText: 'step 6 "w"' }).first();
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) await page.mouse.move(box.x + charWidth * 0.5, y, { steps: 2 });
      await page.mouse.move(x, y - box.height * 1.5);
      await page.mouse.move(x, y, { steps: 4 });
      try {
        await hoverWidget.waitFor({ timeout: 20_000 });
        break;
      } catch (e) {
        if (attempt === 2) throw e;
      }
    }
    await shot('debug-hover-token.png');
    await page.mouse.move(box.x + box.width + 300, y + 300);
  });

  it('F10 steps through time and the visualizer follows; F11 goes into layer and gate; Shift+F11 back up', async function () {
    for (let k = 0; k < 3; k++) {
      await page.keyboard.press('F10');
      await callStack(`step ${k + 1} `).waitFor({ timeout: 30_000 });
    }
    await callStack('step 3 "l"').waitFor();
    await counter(3).waitFor({ timeout: 30_000 });
    await shot('debug-step-3-visualizer-follows.png');
    await page.keyboard.press('F11');
    await callStack('layer 0, step 3').waitFor({ timeout: 30_000 });
    await page.keyboard.press('F11');
    await callStack('i_t (layer 0)').waitFor({ timeout: 30_000 });
    await page.keyboard.press('F10');
    await callStack('f_t (layer 0)').waitFor({ timeout: 30_000 });
    // The visualizer selects the gate the debugger stepped into (its row label in the chain is marked).
    await webview().locator('.band-label.selected', { hasText: /^f$/ }).first().waitFor({ timeout: 30_000 });
    await shot('debug-into-forget-gate.png');
    await page.keyboard.press('Shift+F11');
    await callStack('f_t (layer 0)').waitFor({ state: 'detached', timeout: 30_000 });
    await callStack('layer 0, step 3').waitFor({ timeout: 30_000 });
    await page.keyboard.press('Shift+F11');
    await callStack('layer 0, step 3').waitFor({ state: 'detached', timeout: 30_000 });
    await callStack('step 3 "l"').waitFor({ timeout: 30_000 });
  });

  it('F9 puts a breakpoint on line 2; F5 continues to its first token', async function () {
    await page.locator('.monaco-editor .view-line span > span', { hasText: 'quick brown' }).first().click();
    await page.keyboard.press('F9');
    await page.locator('.codicon-debug-breakpoint').first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('F5');
    await callStack('step 12 "T"').waitFor({ timeout: 30_000 });
    await counter(12).waitFor({ timeout: 30_000 });
    await shot('debug-gutter-breakpoint.png');
  });

  it('Step Back goes back two steps; the Debug Console evaluates the expression language', async function () {
    // Step Back has no default key: a person clicks its button on the debug toolbar.
    const stepBack = page.locator('.debug-toolbar .codicon-debug-step-back').first();
    await stepBack.click();
    await callStack('step 11 ').waitFor({ timeout: 30_000 });
    await stepBack.click();
    await callStack('step 10 "d"').waitFor({ timeout: 30_000 });
    await counter(10).waitFor({ timeout: 30_000 });
    // The Debug Console opened with the session; type into its input line.
    await page.locator('.repl-input-wrapper').first().click();
    await page.keyboard.type('token == "d" && f.len == 64');
    await page.keyboard.press('Enter');
    await page.locator('.repl .monaco-list-row', { hasText: 'true' }).first().waitFor({ timeout: 30_000 });
    await shot('debug-step-back-and-console.png');
    // The debugger follows the visualizer's timeline too: step the timeline with its keyboard.
    await counter(10).click();
    await page.keyboard.press('ArrowRight');
    await counter(11).waitFor({ timeout: 30_000 });
    await callStack('step 11 ').waitFor({ timeout: 30_000 });
    await shot('debug-follows-timeline.png');
    await page.keyboard.press('Escape');
    await page.locator('.monaco-editor .view-line span > span', { hasText: 'hello world' }).first().click();
    await page.keyboard.press('Shift+F5');
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 30_000 });
  });
});
