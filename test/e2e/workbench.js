// One fresh code-server per e2e file: the packaged .vsix in a new profile, a workspace, Chromium on it.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { ROOT, makeStateDir, installVsix, startCodeServer, launchChromium } = require('../../scripts/lib/codeServer');

/**
 * Per-test hang guard for every e2e file (each describe sets it; it overrides mocha's --timeout 120000): under
 * three busy loops on 2 cores (load ~17-21) the longest test (timeline) took 73-80 s, the 120 s default too close.
 */
const E2E_TIMEOUT = 300_000;

const RESULTS = process.env.UNROLL_RESULTS_DIR || path.join(ROOT, 'test-results');
const SHOTS = path.join(RESULTS, 'screenshots');
const { name, version } = require('../../package.json');
const VSIX = process.env.UNROLL_VSIX || path.join(ROOT, `${name}-${version}.vsix`);

/**
 * Starts the workbench. `sample`: copy test/e2e/workspace; `files`: more files to write into the workspace;
 * `theme`: the colour theme in the profile's user settings (code-server's own default is light); `show`: open the folder in the page and wait
 * until that file is listed in the Explorer (leave it out to navigate yourself).
 */
async function startWorkbench({ prefix, sample = false, files = {}, theme, viewport, show }) {
  assert.ok(fs.existsSync(VSIX), `${path.basename(VSIX)} not found: run "node scripts/package.js" first`);
  fs.mkdirSync(SHOTS, { recursive: true });
  const stateDir = makeStateDir(prefix);
  const workspace = path.join(stateDir, 'workspace');
  if (sample) fs.cpSync(path.join(__dirname, 'workspace'), workspace, { recursive: true });
  fs.mkdirSync(workspace, { recursive: true });
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(workspace, file), text);
  if (theme) {
    const settingsFile = path.join(stateDir, 'data', 'User', 'settings.json');
    const settings = JSON.parse(fs.readFileSync(settingsFile, 'utf8'));
    fs.writeFileSync(settingsFile, JSON.stringify({ ...settings, 'workbench.colorTheme': theme }, null, 2));
  }
  installVsix(stateDir, VSIX);
  const server = await startCodeServer({ stateDir });
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport });
  if (show) {
    await page.goto(`${server.url}?folder=${encodeURIComponent(workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: show }).waitFor({ timeout: 60_000 });
  }
  return { stateDir, server, browser, page, workspace };
}

/** Closes Chromium and code-server, keeps the server log in test-results/`logName`, removes the profile. */
async function stopWorkbench({ stateDir, server, browser }, logName) {
  if (browser) await browser.close().catch(() => {});
  if (server) {
    await server.stop();
    fs.copyFileSync(server.logFile, path.join(RESULTS, logName));
  }
  if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
}

/** The Unroll panel's content frame (VS Code nests a webview's document in two iframes). */
function webviewIn(page) {
  return page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
}

/**
 * Types into the quick input once it is shown. The shortcut that opens it (Ctrl+P, Ctrl+G, Ctrl+K Ctrl+T)
 * runs its command asynchronously: on a loaded machine, keys typed earlier went to the editor instead.
 */
async function typeInQuickInput(page, text) {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 30_000 });
  await input.pressSequentially(text);
}

/** The Unroll panel's document as a Playwright Frame, to wait and read inside it in one step. */
async function webviewFrameIn(page) {
  const outer = await (await page.locator('iframe.webview.ready').elementHandle()).contentFrame();
  return (await outer.locator('iframe#active-frame').elementHandle()).contentFrame();
}

/**
 * Waits until the panel shows step `t` everywhere — the counter "t (0–last)", the chain's current cell, the
 * diagram's numbers (data-step t, not busy) and its token — and returns what it shows, all read in the same
 * moment in the page: { counter, currentCells, nodes: { id: text } }. (The counter and the token change at once,
 * the numbers when the host's exact values arrive: waiting on one and then reading another raced.)
 */
async function stepShownIn(page, t, last, token, timeout = 30_000) {
  const frame = await webviewFrameIn(page);
  const look = ([step, n, tok]) => {
    const counter = document.querySelector('.timeline .counter')?.textContent ?? '';
    const diagram = document.querySelector('.diagram-svg');
    const nodes = Object.fromEntries([...(diagram?.querySelectorAll('g.node[data-node]') ?? [])].map((g) => [g.dataset.node, g.textContent.trim()]));
    const ok = new RegExp(`\\b${step} \\(0–${n}\\)`).test(counter)
      && !!document.querySelector(`.cell.current[data-step="${step}"]`)
      && diagram?.dataset.step === String(step) && diagram.getAttribute('aria-busy') === 'false'
      && (!tok.trim() || nodes.x?.includes(`“${tok}”`) || nodes.x?.includes(`"${tok}"`));
    const seen = { counter, currentCells: document.querySelectorAll('.cell.current').length, diagramStep: diagram?.dataset.step, busy: diagram?.getAttribute('aria-busy'), nodes };
    return ok ? seen : { pending: seen };
  };
  // Polled from here, one evaluation at a time, not with a waitForFunction inside the page: on a loaded CI
  // machine the in-page poll (timers of a webview iframe two levels deep) stalled for the whole 30 s while
  // the panel already showed the step — the final read after the timeout found everything in place.
  const deadline = Date.now() + timeout;
  let seen;
  for (;;) {
    seen = await frame.evaluate(look, [t, last, token]);
    if (!seen.pending) return seen;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`step ${t} (token "${token}") was not shown everywhere within ${timeout / 1000} s; the panel showed ${JSON.stringify(seen.pending)}`);
}

/** Runs a command as a person does: F1, type its title, wait for it to be the focused entry, Enter. */
async function runCommandIn(page, title) {
  await page.keyboard.press('F1');
  await typeInQuickInput(page, title);
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: title.replace(/^.*: /, '') }).waitFor();
  await page.keyboard.press('Enter');
}

module.exports = { E2E_TIMEOUT, RESULTS, SHOTS, VSIX, startWorkbench, stopWorkbench, webviewIn, webviewFrameIn, stepShownIn, runCommandIn, typeInQuickInput };
