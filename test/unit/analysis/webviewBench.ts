/**
 * Frame-time benchmark of the webview (chain + analysis views) in headless Chromium on a 10,000-step,
 * 512-unit LSTM trace: scrolling, zooming and playing. Run by scripts/bench-webview.js (not a test).
 *
 * Frame work time: for every frame, from the frame's start (the requestAnimationFrame timestamp, taken
 * before input events and rAF callbacks run) to a task posted from inside that frame's rAF, which runs
 * after style, layout and paint — i.e. script + layout + paint on the main thread. Recorded as
 * performance marks/measures ('unroll-frame'); p50/p95/max reported per scenario, plus the JS heap.
 * Also per scenario: main-thread and renderer-process CPU time (CDP ThreadTime/ProcessTime), which a loaded
 * machine distorts far less than wall times. BENCH_BASE_DIST=<dist folder of another build> runs that build
 * and this one alternately (BENCH_ROUNDS, default 2) in one process and prints baseline → this ratios.
 * BENCH_ONLY=<part of a scenario name> runs just that scenario; BENCH_PLAY_SPEED (default 120) sets playback's steps/s; BENCH_SETUP=<script> runs in the page first. BENCH_PROFILE=1 also prints, per scenario, main-thread time by trace event and the hottest functions.
 */
import * as os from 'os';
import { chromium, type Browser } from 'playwright-core';
import { cellSpecFor } from '../../../src/panel/traceSession';
import { randomNetwork } from '../../../src/model/random';
import { createFastKernel } from '../../../src/engine/wasm';
import { CHROMIUM, openAnalysis } from './harness';
import { charSession } from './sessionSource';
import type { TraceSession } from '../../../src/panel/traceSession';
import { profiled } from './benchProfile';

const T = Number(process.env.BENCH_STEPS ?? 10_000);
const H = Number(process.env.BENCH_UNITS ?? 512);

const FRAME_PROBE = `(() => {
  window.__frames = [];
  const loop = (ts) => {
    const mc = new MessageChannel();
    mc.port1.onmessage = () => {
      const end = performance.now();
      performance.measure('unroll-frame', { start: ts, end });
      if (window.__recording) window.__frames.push(end - ts);
    };
    mc.port2.postMessage(0);
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
})()`;

function pct(a: number[], p: number): number {
  const s = [...a].sort((x, y) => x - y);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
}

interface Result { frames: number; p50: number; p95: number; max: number; decodeMs: number; cpuMs: number; processMs: number; steps: number }
type Metrics = Record<string, number>;

/** One build of the webview (`dist`, default dist/) through the four scenarios; prints and returns its results. */
async function runBuild(browser: Browser, session: TraceSession, tokens: string[], label: string, dist?: string): Promise<Record<string, Result>> {
  const h = await openAnalysis(browser, session, tokens, { theme: 'dark', width: 1280, height: 1000, dist });
  const { page } = h;
  await page.waitForSelector('.text-by-unit .tok', { timeout: 120_000 }).catch(async (e) => { await page.screenshot({ path: 'test-results/analysis/bench-fail.png' }); console.log(h.errors, h.posted.length, h.posted.slice(-5).map((m) => m.type)); throw e; });
  // The cell diagram's one mermaid render must be over (BENCH_ONLY=play would otherwise time it as frames).
  await page.waitForSelector('.diagram-svg svg', { timeout: 120_000 });
  await page.waitForTimeout(1500);
  await page.evaluate(FRAME_PROBE);
  // BENCH_SETUP: script run in the page first, to test a hypothesis (e.g. hide a view and see what is left).
  if (process.env.BENCH_SETUP) await page.evaluate(process.env.BENCH_SETUP);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const metrics = async (): Promise<Metrics> => Object.fromEntries(((await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] }).metrics.map((m) => [m.name, m.value]));
  const step = () => page.evaluate(() => Number(/\d+/.exec(document.querySelector('.timeline .counter')?.textContent ?? '')?.[0] ?? 0));
  const results: Record<string, Result> = {};
  const record = async (name: string, run: () => Promise<void>) => {
    if (process.env.BENCH_ONLY && !name.includes(process.env.BENCH_ONLY)) return; // e.g. BENCH_ONLY=play
    await page.evaluate(() => { const w = window as unknown as { __frames: number[]; __recording: boolean; __decodeMs: number }; w.__frames = []; w.__recording = true; w.__decodeMs = 0; });
    // CPU time of the renderer's main thread and of its whole process: unlike frame wall times, these
    // barely move when other processes load the machine.
    const m0 = await metrics();
    const s0 = await step();
    if (process.env.BENCH_PROFILE) await profiled(browser, page, cdp, name, run);
    else await run();
    const m1 = await metrics();
    const [frames, decodeMs] = await page.evaluate(() => { const w = window as unknown as { __frames: number[]; __recording: boolean; __decodeMs: number }; w.__recording = false; return [w.__frames, w.__decodeMs] as const; });
    results[name] = {
      frames: frames.length, p50: pct(frames, 50), p95: pct(frames, 95), max: Math.max(...frames), decodeMs,
      cpuMs: (m1.ThreadTime - m0.ThreadTime) * 1000, processMs: (m1.ProcessTime - m0.ProcessTime) * 1000, steps: (await step()) - s0,
    };
  };
  // Boxes are read after scrolling each view into the viewport: a wheel over a point below it reaches nothing.
  const boxOf = async (selector: string) => {
    await page.locator(selector).scrollIntoViewIfNeeded();
    return (await page.locator(selector).boundingBox())!;
  };
  let chain = await boxOf('.chain-scroller');
  await record('scroll chain (wheel)', async () => {
    await page.mouse.move(chain.x + chain.width / 2, chain.y + chain.height / 2);
    for (let i = 0; i < 120; i++) { await page.mouse.wheel(0, 240); await page.waitForTimeout(16); }
  });
  const heat = await boxOf('.heatmap-canvas');
  await record('zoom heatmap (ctrl+wheel) then scroll it', async () => {
    await page.mouse.move(heat.x + heat.width / 2, heat.y + heat.height / 2);
    await page.keyboard.down('Control');
    for (let i = 0; i < 40; i++) { await page.mouse.wheel(0, -120); await page.waitForTimeout(16); }
    await page.keyboard.up('Control');
    for (let i = 0; i < 80; i++) { await page.mouse.wheel(0, 120); await page.waitForTimeout(16); }
  });
  chain = await boxOf('.chain-scroller');
  await record('zoom chain (ctrl+wheel) out and in', async () => {
    await page.mouse.move(chain.x + chain.width / 2, chain.y + chain.height / 2);
    await page.keyboard.down('Control');
    for (let i = 0; i < 40; i++) { await page.mouse.wheel(0, 120); await page.waitForTimeout(16); }
    for (let i = 0; i < 40; i++) { await page.mouse.wheel(0, -120); await page.waitForTimeout(16); }
    await page.keyboard.up('Control');
  });
  // BENCH_PLAY_SPEED (one of the speed menu's values): a speed a loaded machine still keeps up with
  // compares builds at equal work per frame.
  const speed = process.env.BENCH_PLAY_SPEED ?? '120';
  await record(`play at ${speed} steps/s for 4 s`, async () => {
    await page.selectOption('select.speed', speed);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press(' ');
    await page.waitForTimeout(4000);
    await page.keyboard.press(' ');
  });
  // The views' own measures (e.g. 'unroll-analysis-draw'; any 'unroll-*' added to find a cost), over all scenarios run.
  const own = await page.evaluate(() => {
    const by: Record<string, number[]> = {};
    for (const e of performance.getEntriesByType('measure')) if (e.name.startsWith('unroll-') && e.name !== 'unroll-frame') (by[e.name] ??= []).push(e.duration);
    return by;
  });
  const end = await metrics();
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
  console.log(`${label}: load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  for (const [name, r] of Object.entries(results)) {
    console.log(`  ${name.padEnd(42)} frames ${String(r.frames).padStart(4)}  p50 ${r.p50.toFixed(1).padStart(5)} ms  p95 ${r.p95.toFixed(1).padStart(5)} ms  max ${r.max.toFixed(0).padStart(5)} ms | main-thread CPU ${(r.cpuMs / Math.max(1, r.frames)).toFixed(1).padStart(4)} ms/frame, renderer CPU ${r.processMs.toFixed(0).padStart(5)} ms${r.steps ? `, ${r.steps} steps` : ''} (test-transport decoding ${r.decodeMs.toFixed(0)} ms)`);
  }
  for (const [name, d] of Object.entries(own)) console.log(`  views' own measure '${name}': ${d.length} times, p50 ${pct(d, 50).toFixed(1)} ms, p95 ${pct(d, 95).toFixed(1)} ms, max ${Math.max(...d).toFixed(1)} ms`);
  console.log(`  memory: JS heap used ${mb(end.JSHeapUsedSize)} of ${mb(end.JSHeapTotalSize)}; DOM nodes ${end.Nodes}`);
  if (h.errors.length) console.log(`  page errors: ${h.errors.slice(0, 3).join(' | ')}`);
  await h.close();
  return results;
}

async function main(): Promise<void> {
  const text = Array.from({ length: T }, (_, t) => 'def f(x):\n    return (x[0] + "a, b")  # c\n'[t % 44]).join('');
  const kernel = createFastKernel();
  const t0 = Date.now();
  const net = randomNetwork(cellSpecFor('lstm'), { inputSize: 97, hiddenSize: H, numLayers: 1, bidirectional: false }, 42);
  const session = charSession(net, text, 1, kernel);
  const traceMs = Date.now() - t0;
  const tokens = Array.from(text);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  console.log(`webview benchmark: LSTM T=${T} H=${H} (trace computed in ${traceMs} ms, wasm kernel), headless Chromium, 1280×1000`);
  try {
    // BENCH_BASE_DIST: a baseline build's dist folder, run alternately with this one (same process, same load).
    const base = process.env.BENCH_BASE_DIST;
    const rounds = base ? Math.max(1, Number(process.env.BENCH_ROUNDS ?? 2)) : 1;
    const runs: Record<string, Record<string, Result>[]> = { base: [], this: [] };
    for (let r = 0; r < rounds; r++) {
      if (base) runs.base.push(await runBuild(browser, session, tokens, `baseline build (${base}), round ${r + 1}`, base));
      runs.this.push(await runBuild(browser, session, tokens, base ? `this build, round ${r + 1}` : 'this build'));
    }
    if (base) {
      console.log('main-thread CPU per frame and frame p95, baseline → this build (mean over rounds):');
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      for (const name of Object.keys(runs.this[0])) {
        const f = (k: 'base' | 'this', g: (x: Result) => number) => mean(runs[k].map((x) => g(x[name])));
        const cpu = (x: Result) => x.cpuMs / Math.max(1, x.frames);
        console.log(`  ${name.padEnd(42)} CPU ${f('base', cpu).toFixed(1)} → ${f('this', cpu).toFixed(1)} ms/frame (×${(f('this', cpu) / f('base', cpu)).toFixed(2)}); p95 ${f('base', (x) => x.p95).toFixed(1)} → ${f('this', (x) => x.p95).toFixed(1)} ms; renderer CPU ${f('base', (x) => x.processMs).toFixed(0)} → ${f('this', (x) => x.processMs).toFixed(0)} ms`);
      }
    }
  } finally {
    await browser.close();
    kernel.dispose();
  }
}

main().catch((e) => {
  console.error(`bench-webview: ${(e as Error).message}`);
  process.exitCode = 1;
});
