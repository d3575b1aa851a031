// Runs the integration suite (dist/test/integration/index.js) inside code-server's real extension host:
// the workbench URL carries extensionDevelopmentPath/extensionTestsPath (code-server's CLI rejects them),
// chromium opens it, and the workbench reports through window.codeAutomationLog/codeAutomationExit.
const fs = require('fs');
const path = require('path');
const { ROOT, makeStateDir, startCodeServer, launchChromium } = require('./codeServer');

const MARK = '[unroll-test]';

/**
 * @returns {Promise<{passed:number, failed:number, pending:number, failures:{title:string,error:string}[]}>}
 * Never throws for a failed start: that is returned as one counted failure with a clear reason.
 */
async function runIntegration({ extensionPath = ROOT, resultsDir, timeoutMs = 420_000, grep } = {}) {
  const testsPath = path.join(extensionPath, 'dist', 'test', 'integration', 'index.js');
  const failure = (error) => ({ passed: 0, failed: 1, pending: 0, failures: [{ title: 'integration tier', error }] });
  if (!fs.existsSync(testsPath)) return failure(`${path.relative(ROOT, testsPath)} is missing: build first (node esbuild.js)`);

  const stateDir = makeStateDir('unroll-it-');
  const workspace = path.join(stateDir, 'workspace');
  fs.cpSync(path.join(ROOT, 'test', 'integration', 'workspace'), workspace, { recursive: true });
  const resultsFile = path.join(stateDir, 'results.json');
  const logPath = path.join(resultsDir, 'integration-workbench.log');
  fs.mkdirSync(resultsDir, { recursive: true });
  const logLines = [];
  let server;
  let browser;
  try {
    server = await startCodeServer({ stateDir, env: { UNROLL_TEST_RESULTS: resultsFile, ...(grep ? { UNROLL_TEST_GREP: grep } : {}) } });
    const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
    const payload = [['extensionDevelopmentPath', remote(extensionPath)], ['extensionTestsPath', remote(testsPath)]];
    const url = `${server.url}?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    browser = await launchChromium();
    const page = await browser.newPage();
    const exit = new Promise((resolve) => {
      page.exposeFunction('codeAutomationExit', (code) => resolve(code)).catch(() => resolve(-1));
    });
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = (Array.isArray(args) ? args : [args]).map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
      logLines.push(`[${type}] ${line}`);
      // Only our reporter's lines go to the terminal; the whole workbench log is kept as an artifact.
      for (const l of line.split('\n')) if (l.includes(MARK) && !l.includes(`${MARK} RESULT`)) console.log(`  ${l.slice(l.indexOf(MARK) + MARK.length + 1)}`);
    });
    page.on('console', (m) => logLines.push(`[page ${m.type()}] ${m.text()}`));
    // A crashed or closed page never calls codeAutomationExit: stop waiting at once instead of timing out.
    const gone = new Promise((resolve) => { page.once('crash', () => resolve('crash')); page.once('close', () => resolve('close')); });
    await page.goto(url);
    let timer;
    const code = await Promise.race([exit, gone, new Promise((r) => { timer = setTimeout(() => r('timeout'), timeoutMs); })]);
    clearTimeout(timer);
    if (code === 'crash' || code === 'close') return failure(`the workbench page ${code === 'crash' ? 'crashed' : 'closed'} before the suite finished (see ${path.relative(ROOT, logPath)})`);
    if (code === 'timeout') return failure(`the extension host did not finish the suite within ${timeoutMs / 1000} s (see ${path.relative(ROOT, logPath)})`);
    if (fs.existsSync(resultsFile)) {
      const r = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
      return r.passed + r.failed > 0 ? r : failure('the suite ran no tests (is dist/test/integration/suite built?)');
    }
    // Fallback: the summary line our reporter printed (if the host's env did not reach run()).
    const marked = logLines.map((l) => l.match(/\[unroll-test\] RESULT (\{.*\})/)).find(Boolean);
    if (marked) return JSON.parse(marked[1]);
    return failure(`the suite exited with code ${code} without reporting results (see ${path.relative(ROOT, logPath)})`);
  } catch (e) {
    return failure(`could not run the suite in code-server: ${e.message.split('\n')[0]}`);
  } finally {
    fs.writeFileSync(logPath, logLines.join('\n') + '\n');
    if (browser) await browser.close().catch(() => {});
    if (server) {
      await server.stop();
      fs.copyFileSync(server.logFile, path.join(resultsDir, 'integration-code-server.log'));
    }
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

module.exports = { runIntegration };
