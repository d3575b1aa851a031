/**
 * Headless Chromium page running the built webview (dist/webview.js + css) under the real CSP, with a
 * fake host in Node answering the core requests from a TraceSession and the analysis requests from
 * AnalysisAnswers — for the analysis browser test, screenshots and the frame-time benchmark.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Browser, Page } from 'playwright-core';
import { AnalysisAnswers } from '../../../src/analysis/answers';
import { buildHtml } from '../../../src/panel/html';
import { buildStrings } from '../../../src/panel/stringTable';
import type { TraceSession } from '../../../src/panel/traceSession';
import { analysisSourceOf } from './sessionSource';
import { parseWebviewMessage, type HostToWebview, type SequenceSource } from '../../../src/protocol/messages';
import { THEMES } from '../webview/browserHarness';
import { ROOT } from '../engine/helpers';

export { ROOT };

export const CHROMIUM = '/usr/bin/chromium';
const ORIGIN = 'https://unroll.test';

function encode(v: unknown): unknown {
  if (v instanceof Uint8Array || v instanceof Float32Array || v instanceof Float64Array) {
    const tag = v instanceof Uint8Array ? 'u8' : v instanceof Float32Array ? 'f32' : 'f64';
    return { __ta: tag, b64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  }
  if (Array.isArray(v)) return v.map(encode);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)]));
  return v;
}

const PAGE_BRIDGE = `
  // Decoding the test transport's base64 is not work a VS Code webview does (postMessage clones typed
  // arrays): its time is counted apart so the benchmark can report it.
  window.__decodeMs = 0;
  window.__decodeTimed = function (v) { const t0 = performance.now(); const r = window.__decode(v); window.__decodeMs += performance.now() - t0; return r; };
  window.__decode = function decode(v) {
    if (v && typeof v === 'object' && v.__ta) {
      const bin = atob(v.b64); const u8 = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) u8[i] = bin.charCodeAt(i);
      return v.__ta === 'u8' ? u8 : v.__ta === 'f32' ? new Float32Array(u8.buffer) : new Float64Array(u8.buffer);
    }
    if (Array.isArray(v)) return v.map(decode);
    if (v && typeof v === 'object') { const o = {}; for (const k of Object.keys(v)) o[k] = decode(v[k]); return o; }
    return v;
  };
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => window.__toHost(JSON.parse(JSON.stringify(m))),
    getState: () => undefined,
    setState: () => undefined,
  });
`;

export interface AnalysisHarness {
  page: Page;
  /** Every message the webview posted (validated). */
  posted: { type: string; [k: string]: unknown }[];
  errors: string[];
  answers: AnalysisAnswers;
  /** The analysis section's frame (what a person sees of the views). */
  frame(): ReturnType<Page['locator']>;
  close(): Promise<void>;
}

export async function openAnalysis(browser: Browser, session: TraceSession, tokens: string[], opts: { theme?: keyof typeof THEMES; width?: number; height?: number; symbols?: readonly string[]; dist?: string } = {}): Promise<AnalysisHarness> {
  const theme = THEMES[opts.theme ?? 'dark'];
  const ctx = await browser.newContext({ viewport: { width: opts.width ?? 1100, height: opts.height ?? 1400 } });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  const text = tokens.join('');
  const source: SequenceSource = { text, label: 'sample.py:1:1', fromCurrentLine: false, originalLength: text.length };
  const answers = new AnalysisAnswers(analysisSourceOf(session, opts.symbols));
  const posted: AnalysisHarness['posted'] = [];
  const send = (m: HostToWebview) => page.evaluate((x) => window.postMessage((window as unknown as { __decodeTimed(v: unknown): unknown }).__decodeTimed(x), '*'), encode(m));
  await page.exposeFunction('__toHost', async (raw: unknown) => {
    const m = parseWebviewMessage(raw);
    if (!m) {
      errors.push(`malformed message: ${JSON.stringify(raw).slice(0, 200)}`);
      return;
    }
    posted.push(m as AnalysisHarness['posted'][number]);
    try {
      switch (m.type) {
        case 'ready':
          await send({ type: 'init', strings: buildStrings((x) => x), source, tokens, notices: [], view: undefined });
          await send({ type: 'traceReady', summary: session.summary });
          return;
        case 'requestWindow': return void (await send(session.window(m)));
        case 'requestExactStep': return void (await send(await session.exactStep(m)));
        case 'requestHeatmap': return void (await send(answers.heatmap(m)));
        case 'requestUnitStats': return void (await send(answers.unitStats(m)));
        case 'requestUnitSeries': return void (await send(answers.unitSeries(m)));
        case 'requestPredictions': return void (await send(await answers.predictions(m)));
        case 'exportTensor': return void (await send({ type: 'exportDone', id: m.id, ok: true, message: `exported ${m.channel}` }));
        case 'saveImage': return void (await send({ type: 'exportDone', id: m.id, ok: true, message: `saved ${m.name}` }));
        default:
      }
    } catch (e) {
      errors.push(`host: ${(e as Error).message}`);
    }
  });
  await page.addInitScript(PAGE_BRIDGE);
  // `dist`: another build of the webview (the benchmark compares a baseline build with this one).
  const dist = opts.dist ?? path.join(ROOT, 'dist');
  await page.route(`${ORIGIN}/**`, async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/') {
      const html = buildHtml({ cspSource: ORIGIN, nonce: 'testNonce123456789012', scriptUri: `${ORIGIN}/dist/webview.js`, styleUri: `${ORIGIN}/dist/webview.css`, mermaidUri: `${ORIGIN}/dist/mermaid.js`, loadingText: 'Loading…', lang: 'en' });
      const vars = Object.entries({ ...theme.vars, '--vscode-charts-purple': theme.cls === 'vscode-dark' ? '#b180d7' : '#652d90' }).map(([k, v]) => `${k}: ${v};`).join(' ');
      const themed = html.replace('<html lang="en">', `<html lang="en" style="${vars}">`).replace('<body>', `<body class="${theme.cls}">`);
      return route.fulfill({ status: 200, contentType: 'text/html', body: themed });
    }
    const file = path.join(dist, path.basename(url.pathname));
    if (!fs.existsSync(file)) return route.fulfill({ status: 404, body: '' });
    return route.fulfill({ status: 200, contentType: file.endsWith('.css') ? 'text/css' : 'text/javascript', body: fs.readFileSync(file) });
  });
  await page.goto(`${ORIGIN}/`);
  await page.waitForSelector('.analysis .heatmap-canvas', { state: 'attached' });
  return { page, posted, errors, answers, frame: () => page.locator('section.analysis'), close: () => ctx.close() };
}
