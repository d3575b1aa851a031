// Starts and stops a real VS Code (code-server 4.100.3) with a fresh, isolated state folder.
// Shared by the integration tier, the e2e tier and the demo. See /work/shared/notes/real-vscode.md.
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const CS_VERSION = '4.100.3';
const TOOLS = process.env.UNROLL_TOOLS_DIR || path.join(ROOT, '.tools');
const CS_ENTRY = path.join(TOOLS, `code-server-${CS_VERSION}`, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const CHROMIUM = process.env.UNROLL_CHROMIUM || '/usr/bin/chromium';

/** Same UI on every run: no welcome page, trust prompt, tips, update checks or telemetry. */
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'security.workspace.trust.enabled': false,
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'git.enabled': false,
  'editor.hover.delay': 300,
  'window.commandCenter': false,
  'chat.commandCenter.enabled': false,
};

function codeServerInstalled() {
  return fs.existsSync(CS_ENTRY);
}

/** Fails with one actionable line when the tools are missing. */
function requireTools() {
  if (!codeServerInstalled()) {
    throw new Error(`code-server ${CS_VERSION} is not installed in ${path.relative(ROOT, TOOLS) || TOOLS}: run "bash scripts/install-vscode.sh" (needs root or sudo for apt)`);
  }
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: run "bash scripts/install-vscode.sh" (needs root or sudo for apt)`);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** A fresh state folder: HOME, XDG_*, TMPDIR, user data and extensions all live inside it. */
function makeStateDir(prefix = 'unroll-vscode-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  for (const d of ['home', 'data/User', 'ext', 'tmp', 'xdg-config', 'xdg-data', 'xdg-cache']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  fs.writeFileSync(path.join(dir, 'data', 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  fs.writeFileSync(path.join(dir, 'config.yaml'), 'auth: none\ncert: false\n');
  return dir;
}

function stateEnv(stateDir, extra) {
  return {
    ...process.env,
    HOME: path.join(stateDir, 'home'),
    XDG_CONFIG_HOME: path.join(stateDir, 'xdg-config'),
    XDG_DATA_HOME: path.join(stateDir, 'xdg-data'),
    XDG_CACHE_HOME: path.join(stateDir, 'xdg-cache'),
    TMPDIR: path.join(stateDir, 'tmp'),
    EXTENSIONS_GALLERY: '{}', // marketplace off: it would try to reach the internet
    ...extra,
  };
}

function commonArgs(stateDir) {
  return [
    '--user-data-dir', path.join(stateDir, 'data'),
    '--extensions-dir', path.join(stateDir, 'ext'),
    '--config', path.join(stateDir, 'config.yaml'),
  ];
}

/** Installs a .vsix into the state folder's extensions dir (offline: by file, never by id). */
function installVsix(stateDir, vsixPath) {
  const r = spawnSync(process.execPath, [CS_ENTRY, ...commonArgs(stateDir), '--install-extension', vsixPath],
    { env: stateEnv(stateDir), encoding: 'utf8', timeout: 120_000 }); // ~2 s when idle; far more on a loaded 2-core machine
  const out = `${r.stdout || ''}${r.stderr || ''}`;
  if (r.status !== 0 || !/successfully installed/i.test(out)) {
    throw new Error(`installing ${path.basename(vsixPath)} into code-server failed: ${out.trim().split('\n').pop() || r.error || `exit ${r.status}`}`);
  }
  return out;
}

/**
 * Starts code-server in its own process group on 127.0.0.1 (webviews need a secure context).
 * Resolves once /healthz answers; rejects with the log tail if it exits or does not come up.
 */
async function startCodeServer(opts = {}) {
  // The free port is found, released, then bound by code-server: another process (a parallel run) can take it
  // in between. Then code-server exits with EADDRINUSE: try another port.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startCodeServerOn({ ...opts, port: opts.port || (await freePort()) });
    } catch (e) {
      if (opts.port || attempt === 3 || !/EADDRINUSE/.test(e.message)) throw e;
    }
  }
}

async function startCodeServerOn({ stateDir, folder, env = {}, port, timeoutMs = 60_000, logFile }) {
  requireTools();
  stateDir = stateDir || makeStateDir();
  logFile = logFile || path.join(stateDir, 'code-server.log');
  const log = fs.openSync(logFile, 'a');
  const args = [CS_ENTRY, ...commonArgs(stateDir), '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override'];
  if (folder) args.push(folder);
  const child = spawn(process.execPath, args, { env: stateEnv(stateDir, env), stdio: ['ignore', log, log], detached: true });
  fs.closeSync(log);
  const kill = () => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ } };
  process.on('exit', kill);

  let exited = null;
  child.on('exit', (code, signal) => { exited = { code, signal }; });
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + timeoutMs;
  const tail = () => fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-5).join(' | ');
  for (;;) {
    if (exited) { process.removeListener('exit', kill); throw new Error(`code-server exited during start (${exited.code ?? exited.signal}): ${tail()}`); }
    if (Date.now() > deadline) { kill(); throw new Error(`code-server did not answer on ${url} within ${timeoutMs / 1000} s: ${tail()}`); }
    try {
      // A server that accepts the connection but never answers must not hang the loop past its deadline.
      const res = await fetch(`${url}healthz`, { signal: AbortSignal.timeout(5000) });
      if (res.ok && !exited) break;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    url, port, stateDir, logFile, pid: child.pid,
    /** Kills the whole group (code-server can leave a file-watcher child behind on SIGTERM). */
    async stop() {
      process.removeListener('exit', kill);
      if (exited) return;
      try { process.kill(-child.pid, 'SIGTERM'); } catch { return; }
      const until = Date.now() + 3000;
      while (!exited && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      kill();
    },
  };
}

/** Headless Debian chromium driven by playwright-core (never a downloaded browser). */
async function launchChromium() {
  requireTools();
  const { chromium } = require('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

module.exports = { ROOT, CS_VERSION, CHROMIUM, codeServerInstalled, requireTools, freePort, makeStateDir, installVsix, startCodeServer, launchChromium };
