/**
 * Where a benchmark scenario's main-thread time goes (BENCH_PROFILE=1): a Chrome trace summed by event
 * (style recalc, layout, paint, script…) in main-thread CPU time, the CPU time of each frame (robust on a
 * loaded machine, where wall-clock frame times mostly measure the other processes), and the V8 CPU
 * profile's hottest functions by self time. Finds the measured cause of the frame time that is left.
 */
import type { Browser, CDPSession, Page } from 'playwright-core';

interface TraceEvent {
  name: string; ph: string; pid: number; tid: number; ts: number; dur?: number; tdur?: number; id?: string; id2?: { local?: string };
  args?: { name?: string; beginData?: { stackTrace?: { functionName: string; lineNumber: number }[] } };
}
interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }

const EVENTS = ['FireAnimationFrame', 'TimerFire', 'EventDispatch', 'FunctionCall', 'UpdateLayoutTree', 'Layout', 'PrePaint', 'Paint', 'Layerize', 'Commit', 'HitTest', 'MinorGC', 'MajorGC', 'V8.GC_SCAVENGER'];

function pct(a: number[], p: number): number {
  const s = [...a].sort((x, y) => x - y);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
}

export interface TraceSummary {
  /** Main-thread CPU ms per event name (inclusive), and per script function that forced style/layout. */
  cpu: Record<string, number>;
  /** Main-thread CPU ms of each 'unroll-frame' (top-level tasks overlapping it, pro rata). */
  frameCpu: number[];
}

export function summarizeTrace(json: string): TraceSummary {
  const events = (JSON.parse(json) as { traceEvents: TraceEvent[] }).traceEvents;
  const mains = events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}/${e.tid}`);
  const count = new Map<string, number>();
  for (const e of events) if (e.ph === 'X') count.set(`${e.pid}/${e.tid}`, (count.get(`${e.pid}/${e.tid}`) ?? 0) + 1);
  const main = mains.sort((a, b) => (count.get(b) ?? 0) - (count.get(a) ?? 0))[0];
  const onMain = (e: TraceEvent) => `${e.pid}/${e.tid}` === main;
  const cpu: Record<string, number> = {};
  const add = (k: string, us: number) => { cpu[k] = (cpu[k] ?? 0) + us / 1000; };
  const tasks: TraceEvent[] = [];
  const frames: [number, number][] = [];
  const open = new Map<string, number>();
  for (const e of events) {
    if (e.name === 'unroll-frame' && onMain(e)) {
      // performance.measure: an async begin/end pair on the main thread.
      const id = e.id ?? e.id2?.local ?? '';
      if (e.ph === 'b') open.set(id, e.ts);
      else if (e.ph === 'e' && open.has(id)) { frames.push([open.get(id)!, e.ts]); open.delete(id); }
      continue;
    }
    if (e.ph !== 'X' || !onMain(e)) continue;
    if (e.name === 'RunTask') tasks.push(e);
    if (!EVENTS.includes(e.name)) continue;
    add(e.name, e.tdur ?? e.dur ?? 0);
    // Style and layout forced from script carry the script's stack: name who forced them.
    const top = e.args?.beginData?.stackTrace?.[0];
    if (top && (e.name === 'Layout' || e.name === 'UpdateLayoutTree')) add(`${e.name} forced by ${top.functionName || '(anonymous)'}:${top.lineNumber + 1}`, e.tdur ?? e.dur ?? 0);
  }
  // Only outermost tasks (a nested run loop's tasks are inside them).
  tasks.sort((a, b) => a.ts - b.ts);
  const top: TraceEvent[] = [];
  let until = -Infinity;
  for (const t of tasks) {
    if (t.ts < until) continue;
    top.push(t);
    until = t.ts + (t.dur ?? 0);
  }
  const frameCpu = frames.map(([s, end]) => {
    let us = 0;
    for (const t of top) {
      const te = t.ts + (t.dur ?? 0);
      if (te <= s || t.ts >= end || !t.dur) continue;
      us += (t.tdur ?? t.dur) * ((Math.min(te, end) - Math.max(t.ts, s)) / t.dur);
    }
    return us / 1000;
  });
  return { cpu, frameCpu };
}

/** Top functions by self ms in a CPU profile. */
export function hotFunctions(profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }, top = 14): string[] {
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const byFn = new Map<string, number>();
  for (const n of profile.nodes) {
    const ms = self.get(n.id) ?? 0;
    if (!ms || n.callFrame.functionName === '(idle)' || n.callFrame.functionName === '(program)') continue;
    const key = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber + 1}`;
    byFn.set(key, (byFn.get(key) ?? 0) + ms);
  }
  return [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => `${v.toFixed(0).padStart(5)} ms  ${k}`);
}

/** Runs `run` under tracing and the CPU profiler; prints the summaries. */
export async function profiled(browser: Browser, page: Page, cdp: CDPSession, name: string, run: () => Promise<void>): Promise<void> {
  const categories = ['toplevel', 'blink.user_timing', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'disabled-by-default-devtools.timeline.stack', 'v8'];
  // BENCH_TRACE_INVALIDATIONS=1: the saved trace also says why things were repainted (per node and reason);
  // it records a stack per invalidation, which makes every DOM write look far more expensive than it is.
  if (process.env.BENCH_TRACE_INVALIDATIONS) categories.push('disabled-by-default-devtools.timeline.invalidationTracking');
  await browser.startTracing(page, { categories });
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  await run();
  const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] } };
  const json = (await browser.stopTracing()).toString('utf8');
  if (process.env.BENCH_TRACE_DIR) {
    const file = (ext: string) => require('path').join(process.env.BENCH_TRACE_DIR, `${name.replace(/\W+/g, '-')}${ext}`);
    require('fs').writeFileSync(file('.json'), json);
    require('fs').writeFileSync(file('.cpuprofile'), JSON.stringify(profile));
  }
  const { cpu, frameCpu } = summarizeTrace(json);
  console.log(`  profile of "${name}" (tracing slows it): main-thread CPU per traced frame (${frameCpu.length} frames) p50 ${pct(frameCpu, 50).toFixed(1)} ms, p95 ${pct(frameCpu, 95).toFixed(1)} ms, max ${Math.max(...frameCpu).toFixed(1)} ms`);
  console.log(`    CPU ms by event (inclusive): ${Object.entries(cpu).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`);
  for (const line of hotFunctions(profile)) console.log(`    ${line}`);
}
