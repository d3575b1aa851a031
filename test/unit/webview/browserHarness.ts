/**
 * Runs the built webview (dist/webview.js, dist/mermaid.js, dist/webview.css) in headless Chromium
 * under the real CSP from buildHtml, with a fake VS Code host in Node that answers from a real
 * TraceSession. Lets tests press keys, read the DOM and take screenshots of what a person would see.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Browser, Page } from 'playwright-core';
import { buildHtml } from '../../../src/panel/html';
import { buildStrings } from '../../../src/panel/stringTable';
import { encodeSource, sequenceTokens, TraceSession, DEFAULT_RANDOM_MODEL, type RandomModelSettings } from '../../../src/panel/traceSession';
import { parseWebviewMessage, type HostToWebview, type RenderReport, type SequenceSource } from '../../../src/protocol/messages';

export const CHROMIUM = '/usr/bin/chromium';
export const ROOT = path.resolve(__dirname, '../../../..');
const ORIGIN = 'https://unroll.test';

/** A few theme variables of VS Code's Dark Modern / Light Modern themes (what the workbench injects). */
export const THEMES = {
  dark: { cls: 'vscode-dark', vars: { '--vscode-editor-background': '#1f1f1f', '--vscode-foreground': '#cccccc', '--vscode-focusBorder': '#0078d4', '--vscode-charts-green': '#89d185', '--vscode-charts-blue': '#3794ff', '--vscode-charts-orange': '#d18616', '--vscode-descriptionForeground': '#9d9d9d', '--vscode-panel-border': '#2b2b2b', '--vscode-input-background': '#313131', '--vscode-input-foreground': '#cccccc', '--vscode-button-secondaryBackground': '#313131', '--vscode-button-secondaryForeground': '#cccccc', '--vscode-font-family': 'sans-serif', '--vscode-editor-font-family': 'monospace', '--vscode-errorForeground': '#f85149' } },
  light: { cls: 'vscode-light', vars: { '--vscode-editor-background': '#ffffff', '--vscode-foreground': '#3b3b3b', '--vscode-focusBorder': '#005fb8', '--vscode-charts-green': '#388a34', '--vscode-charts-blue': '#1a85ff', '--vscode-charts-orange': '#d18616', '--vscode-descriptionForeground': '#3b3b3b', '--vscode-panel-border': '#e5e5e5', '--vscode-input-background': '#ffffff', '--vscode-input-foreground': '#3b3b3b', '--vscode-button-secondaryBackground': '#e5e5e5', '--vscode-button-secondaryForeground': '#3b3b3b', '--vscode-font-family': 'sans-serif', '--vscode-editor-font-family': 'monospace', '--vscode-errorForeground': '#f85149' } },
};

/** Typed arrays cannot cross page.evaluate as such: they travel as base64 with a type tag. */
function encode(v: unknown): unknown {
  if (v instanceof Uint8Array || v instanceof Float32Array) return { __ta: v instanceof Uint8Array ? 'u8' : 'f32', b64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  if (Array.isArray(v)) return v.map(encode);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)]));
  return v;
}

const PAGE_BRIDGE = `
  window.__decode = function decode(v) {
    if (v && typeof v === 'object' && v.__ta) {
      const bin = atob(v.b64); const u8 = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) u8[i] = bin.charCodeAt(i);
      return v.__ta === 'u8' ? u8 : new Float32Array(u8.buffer);
    }
    if (Array.isArray(v)) return v.map(decode);
    if (v && typeof v === 'object') { const o = {}; for (const k of Object.keys(v)) o[k] = decode(v[k]); return o; }
    return v;
  };
  let state = window.__initialState;
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => window.__toHost(JSON.parse(JSON.stringify(m))),
    getState: () => state,
    setState: (s) => { state = s; },
  });
`;

export interface Harness {
  page: Page;
  session: TraceSession | undefined;
  posted: unknown[];
  errors: string[];
  report(): Promise<RenderReport>;
  /** Waits until the webview has no requests in flight and the diagram shows the current step's values. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export async function openWebview(browser: Browser, text: string, opts: { theme?: keyof typeof THEMES; width?: number; height?: number; model?: RandomModelSettings } = {}): Promise<Harness> {
  const theme = THEMES[opts.theme ?? 'dark'];
  const ctx = await browser.newContext({ viewport: { width: opts.width ?? 1100, height: opts.height ?? 900 } });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  const source: SequenceSource = { text, label: 'sample.txt:1:1', fromCurrentLine: false, originalLength: text.length };
  const seq = encodeSource(source);
  const posted: unknown[] = [];
  const reports = new Map<number, (r: RenderReport) => void>();
  let nextReport = 1;
  const h: Harness = {
    page, session: undefined, posted, errors,
    async report() {
      const id = nextReport++;
      const p = new Promise<RenderReport>((res) => reports.set(id, res));
      await send({ type: 'renderReportRequest', id });
      return p;
    },
    async settle() {
      await page.waitForFunction(() => !document.querySelector('.progress') || document.querySelector('.progress')!.textContent === '', undefined, { timeout: 30_000 });
      // The diagram is drawn and shows the current step's exact values (not only its token).
      await page.waitForSelector('.diagram-svg[aria-busy="false"] svg', { timeout: 30_000 });
      await page.waitForTimeout(150);
    },
    close: () => ctx.close(),
  };
  const send = (m: HostToWebview) => page.evaluate((x) => window.postMessage((window as unknown as { __decode(v: unknown): unknown }).__decode(x), '*'), encode(m));
  await page.exposeFunction('__toHost', async (raw: unknown) => {
    const m = parseWebviewMessage(raw);
    posted.push(raw);
    if (!m) return;
    const s = h.session;
    if (m.type === 'ready') {
      await send({ type: 'init', strings: buildStrings((x) => x), source, tokens: sequenceTokens(seq), notices: [], view: undefined });
      if (seq.steps) {
        h.session = TraceSession.runLocal(1, seq, opts.model ?? DEFAULT_RANDOM_MODEL);
        await send({ type: 'traceReady', summary: h.session.summary });
      }
    } else if (m.type === 'renderReport') reports.get(m.id)?.(m);
    else if (m.type === 'requestWindow' && s) await send(s.window(m));
    else if (m.type === 'requestExactStep' && s) await send(await s.exactStep(m));
    else if (m.type === 'scan' && s) {
      const r = await s.scan(m, { layer: 0, dir: 0 });
      if (r) await send(r);
    }
  });
  await page.addInitScript(`window.__initialState = undefined;${PAGE_BRIDGE}`);
  const dist = path.join(ROOT, 'dist');
  await page.route(`${ORIGIN}/**`, async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/') {
      const html = buildHtml({ cspSource: ORIGIN, nonce: 'testNonce123456789012', scriptUri: `${ORIGIN}/dist/webview.js`, styleUri: `${ORIGIN}/dist/webview.css`, mermaidUri: `${ORIGIN}/dist/mermaid.js`, loadingText: 'Loading…', lang: 'en' });
      const vars = Object.entries(theme.vars).map(([k, v]) => `${k}: ${v};`).join(' ');
      // What VS Code's webview host injects: theme class on body, variables on html.
      const themed = html.replace('<html lang="en">', `<html lang="en" style="${vars}">`).replace('<body>', `<body class="${theme.cls}">`);
      return route.fulfill({ status: 200, contentType: 'text/html', body: themed });
    }
    const file = path.join(dist, path.basename(url.pathname));
    if (!fs.existsSync(file)) return route.fulfill({ status: 404, body: '' });
    return route.fulfill({ status: 200, contentType: file.endsWith('.css') ? 'text/css' : 'text/javascript', body: fs.readFileSync(file) });
  });
  await page.goto(`${ORIGIN}/`);
  return h;
}
