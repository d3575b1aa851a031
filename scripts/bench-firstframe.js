#!/usr/bin/env node
// `npm run bench:firstframe [-- --runs=N] [-- --json]` (issue 4): in ONE code-server run, the time from pressing Enter on
// F1 → "Unroll: Visualize LSTM" to the first painted frame of the unrolled chain, against the time the same VS Code
// takes from Enter on a peer command to the first painted frame of an EMPTY webview panel. The peer is a tiny extension
// written and packaged here, installed only in this bench's profile (it never ships). Runs alternate peer/Unroll;
// run 1 of each includes activating its extension (cold), runs 2..N+1 are warm; medians of the warm runs, target ratio
// <= 1.5. Both sides time the same way: Date.now() at the Enter keydown in the workbench, Date.now() two animation
// frames after the content was drawn (performance marks 'unroll:*' in each webview).
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { ROOT, codeServerInstalled, makeStateDir, installVsix, startCodeServer, launchChromium } = require('./lib/codeServer');

const args = process.argv.slice(2);
const RUNS = Math.max(5, Number(args.find((a) => a.startsWith('--runs='))?.slice(7) ?? (args.includes('--quick') ? 5 : 7)) || 7);
const JSON_OUT = args.includes('--json');
const say = (s) => { if (!JSON_OUT) console.log(s); };
const { name, version } = require('../package.json');
const VSIX = process.env.UNROLL_VSIX || path.join(ROOT, `${name}-${version}.vsix`);
// A realistic selection: one paragraph of prose (the chain shows its first screen of cells in detail).
const TEXT = 'The long short-term memory network keeps a cell state that runs along the whole sequence like a conveyor '
  + 'belt. At every step a forget gate decides what to drop from it, an input gate decides which new candidate values '
  + 'to write, and an output gate decides what part of the cell state becomes the hidden state that the next step sees.';

const PEER_PKG = {
  name: 'unroll-bench-peer', displayName: 'Unroll bench peer', publisher: 'unrollbench', version: '0.0.1', license: 'MIT',
  engines: { vscode: '^1.100.0' }, main: './extension.js', activationEvents: [],
  contributes: { commands: [{ command: 'unrollBench.emptyWebview', title: 'Open Empty Webview', category: 'Unroll Bench' }] },
};
// The same panel options Unroll uses (beside, focused, scripts on); the page only marks its first painted frame.
const PEER_JS = `const vscode = require('vscode');
const crypto = require('crypto');
exports.activate = (ctx) => {
  ctx.subscriptions.push(vscode.commands.registerCommand('unrollBench.emptyWebview', () => {
    const panel = vscode.window.createWebviewPanel('unrollBench.empty', 'Empty', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, { enableScripts: true });
    const nonce = crypto.randomBytes(16).toString('hex');
    panel.webview.html = '<!DOCTYPE html><html><head><meta charset="UTF-8"><meta http-equiv="Content-Security-Policy" content="default-src \\'none\\'; script-src \\'nonce-' + nonce + '\\'"></head>'
      + '<body><main id="app"></main><script nonce="' + nonce + '">performance.mark("unroll:script", { detail: Date.now() });'
      + 'requestAnimationFrame(() => requestAnimationFrame(() => performance.mark("unroll:first-frame", { detail: Date.now() })));</script></body></html>';
  }));
};
exports.deactivate = () => {};
`;

function packagePeer(dir) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(PEER_PKG, null, 2));
  fs.writeFileSync(path.join(dir, 'extension.js'), PEER_JS);
  fs.writeFileSync(path.join(dir, 'README.md'), 'Bench-only peer of Unroll: opens an empty webview panel.\n');
  fs.writeFileSync(path.join(dir, 'LICENSE'), 'MIT\n');
  const out = path.join(dir, 'peer.vsix');
  const vsce = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  const r = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--out', out], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0 || !fs.existsSync(out)) throw new Error(`packaging the peer extension failed: ${(r.stderr || r.stdout || '').trim().split('\n').pop()}`);
  return out;
}

/** Newest modification time of the files the .vsix is built from. */
function newestSource() {
  let newest = fs.statSync(path.join(ROOT, 'package.json')).mtimeMs;
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  };
  for (const d of ['src', 'webview']) walk(path.join(ROOT, d));
  return newest;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main() {
  if (!codeServerInstalled()) throw new Error('code-server is not installed: run "bash scripts/install-vscode.sh" first');
  if (!process.env.UNROLL_VSIX && (!fs.existsSync(VSIX) || fs.statSync(VSIX).mtimeMs < newestSource())) {
    say(`[bench:firstframe] ${path.basename(VSIX)} is missing or older than src/ and webview/: packaging it`);
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'package.js'), '--skip-typecheck'], { cwd: ROOT, stdio: JSON_OUT ? 'ignore' : 'inherit' });
    if (r.status !== 0) throw new Error('packaging Unroll failed (see above)');
  }
  if (!fs.existsSync(VSIX)) throw new Error(`${VSIX} not found`);
  const stateDir = makeStateDir('unroll-bench-ff-');
  const ws = path.join(stateDir, 'workspace');
  fs.mkdirSync(ws);
  fs.writeFileSync(path.join(ws, 'bench.txt'), `${TEXT}\n`);
  installVsix(stateDir, VSIX);
  installVsix(stateDir, packagePeer(path.join(stateDir, 'peer')));
  let server;
  let browser;
  try {
    server = await startCodeServer({ stateDir });
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${server.url}?folder=${encodeURIComponent(ws)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'bench.txt' }).waitFor({ timeout: 60_000 });
    // The workbench clock at the Enter that runs a command (capture phase: before VS Code handles it).
    await page.evaluate(() => window.addEventListener('keydown', (e) => { if (e.key === 'Enter') window.__benchEnterAt = Date.now(); }, true));

    const palette = async (title, filter) => {
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor();
      await input.pressSequentially(title);
      await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: filter ?? title.replace(/^.*: /, '') }).waitFor({ timeout: 20_000 });
    };
    const openAndSelect = async () => {
      await page.keyboard.press('Control+P');
      await page.locator('.quick-input-widget input').pressSequentially('bench.txt');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'bench.txt' }).first().waitFor();
      await page.keyboard.press('Enter');
      await page.locator('.monaco-editor .view-lines', { hasText: 'conveyor' }).waitFor();
      await page.locator('.monaco-editor .view-lines').first().click();
      await page.keyboard.press('Control+Home');
      await page.keyboard.press('Shift+End');
    };
    /** The inner webview document of the (only) open panel, once it has marked `markName`. */
    const webviewMarks = async (markName) => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        for (const f of page.frames()) {
          if (!/\/fake\.html|index\.html/.test(f.url()) || f.parentFrame() === page.mainFrame()) continue;
          const marks = await f.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark')
            .filter((m) => m.name.startsWith('unroll:')).map((m) => [m.name.slice(7), m.detail]))).catch(() => undefined);
          if (marks && marks[markName] !== undefined) {
            marks.docStart = await f.evaluate(() => Date.now() - performance.now());
            return marks;
          }
        }
        if (Date.now() > deadline) throw new Error(`no webview marked "${markName}" within 60 s`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const closeAll = async () => {
      await palette('View: Close All Editors', 'Close All Editors');
      await page.keyboard.press('Enter');
      await page.locator('iframe.webview').first().waitFor({ state: 'detached', timeout: 20_000 }).catch(() => {});
    };

    const runOnce = async (which) => {
      await closeAll();
      await openAndSelect();
      await page.evaluate(() => { window.__benchEnterAt = 0; });
      if (which === 'peer') await palette('Unroll Bench: Open Empty Webview', 'Open Empty Webview');
      else await palette('Unroll: Visualize LSTM');
      await page.keyboard.press('Enter');
      const marks = await webviewMarks(which === 'peer' ? 'first-frame' : 'first-data-frame');
      const t0 = await page.evaluate(() => window.__benchEnterAt);
      if (!t0) throw new Error('the Enter keydown was not seen by the workbench');
      const rel = Object.fromEntries(Object.entries(marks).map(([k, v]) => [k, v - t0]));
      await page.keyboard.press('Escape'); // leave no quick input or hover open
      return rel;
    };

    const results = { peer: [], unroll: [] };
    for (let i = 0; i <= RUNS; i++) {
      for (const which of i % 2 ? ['unroll', 'peer'] : ['peer', 'unroll']) {
        const r = await runOnce(which);
        results[which].push(r);
        say(`  run ${i}${i === 0 ? ' (cold)' : ''} ${which.padEnd(6)} ${Object.entries(r).sort((a, b) => a[1] - b[1]).map(([k, v]) => `${k} ${Math.round(v)}`).join(', ')} ms`);
      }
    }
    const warm = (which, key) => results[which].slice(1).map((r) => r[key]).filter((v) => v !== undefined);
    const peerMs = median(warm('peer', 'first-frame'));
    const chainMs = median(warm('unroll', 'first-frame'));
    const dataMs = median(warm('unroll', 'first-data-frame'));
    const summary = {
      runs: RUNS, load: os.loadavg().map((x) => Number(x.toFixed(2))), selectionChars: TEXT.length,
      peerEmptyWebviewMs: peerMs, unrollFirstChainFrameMs: chainMs, unrollFirstPaintedTraceMs: dataMs,
      ratioChain: chainMs / peerMs, ratioTrace: dataMs / peerMs,
      cold: { peer: results.peer[0]['first-frame'], unrollChain: results.unroll[0]['first-frame'], unrollTrace: results.unroll[0]['first-data-frame'] },
      unrollMedians: Object.fromEntries(Object.keys(results.unroll[1]).map((k) => [k, median(warm('unroll', k))])),
      peerMedians: Object.fromEntries(Object.keys(results.peer[1]).map((k) => [k, median(warm('peer', k))])),
    };
    if (JSON_OUT) console.log(JSON.stringify(summary));
    else {
      say('');
      say(`First frame after the command (code-server ${require('./lib/codeServer').CS_VERSION}, headless Chromium 1400x900, ${TEXT.length}-char selection), medians of ${RUNS} warm runs:`);
      say(`  empty webview panel (peer)            ${peerMs.toFixed(0)} ms`);
      say(`  Unroll: first chain frame (tokens)    ${chainMs.toFixed(0)} ms   ratio ${(chainMs / peerMs).toFixed(2)}`);
      say(`  Unroll: first frame with trace strips ${dataMs.toFixed(0)} ms   ratio ${(dataMs / peerMs).toFixed(2)}   (target <= 1.5)`);
      say(`  cold (first command, activates the extension): peer ${summary.cold.peer.toFixed(0)} ms, Unroll chain ${summary.cold.unrollChain.toFixed(0)} / strips ${summary.cold.unrollTrace.toFixed(0)} ms`);
      say(`  Unroll stage medians (ms after Enter): ${Object.entries(summary.unrollMedians).sort((a, b) => a[1] - b[1]).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`);
      say(`  load average ${summary.load.join(' ')} on ${os.cpus().length} cores`);
    }
  } finally {
    if (browser) await browser.close().catch(() => {});
    if (server) await server.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`bench:firstframe failed: ${e.message || e}`);
  process.exit(1);
});
