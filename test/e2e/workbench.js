// One fresh code-server per e2e file: the packaged .vsix in a new profile, a workspace, Chromium on it.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { ROOT, makeStateDir, installVsix, startCodeServer, launchChromium } = require('../../scripts/lib/codeServer');

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

/** Runs a command as a person does: F1, type its title, wait for it to be the focused entry, Enter. */
async function runCommandIn(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.pressSequentially(title);
  await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: title.replace(/^.*: /, '') }).waitFor();
  await page.keyboard.press('Enter');
}

module.exports = { RESULTS, SHOTS, VSIX, startWorkbench, stopWorkbench, webviewIn, runCommandIn };
