/**
 * `npm run bench:scan`: scanning 100,000 steps for a condition, the way the panel's "find all" does it, two
 * ways over the same trace (run in the engine worker): in-process on the extension host (TraceSession.scan
 * over a local trace, with its yields — the path before issue 6's worker scans) and in the engine worker
 * (TraceSession.fromRemote: the host only posts the request). For each: wall time, the host thread's longest
 * synchronous block (event-loop delay max) and its busy time; both against the plain exact scan (every step
 * recomputed in float32 and evaluated). Hits must be identical.
 * LSTM H=64 is the built-in trained character model on real text; H=512 is seeded random weights.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { monitorEventLoopDelay, performance } from 'perf_hooks';
import type { Trace } from '../../src/engine/trace';
import type { CellSpec, Network } from '../../src/engine/types';
import { defaultCharVocabulary, encodeChars, toDense } from '../../src/input';
import { loadModel, requireNetwork } from '../../src/model/load';
import { randomNetwork } from '../../src/model/random';
import { compileCondition, traceSource } from '../../src/expr';
import { DEFAULT_RANDOM_MODEL, TraceSession } from '../../src/panel/traceSession';
import type { ScanRequest, ScanResultMessage } from '../../src/protocol/messages';
import { EngineClient } from '../../src/worker/engineClient';

const LSTM: CellSpec = { family: 'lstm', nonlinearity: 'tanh', peephole: false, coupling: 'none', resetAfter: true, projSize: 0 };
const root = path.join(__dirname, '..', '..');

/** Real text: the project's own TypeScript sources, repeated to T characters. */
function corpus(T: number): string {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) files.push(fs.readFileSync(p, 'utf8'));
    }
  };
  walk(path.join(root, 'src'));
  let text = files.join('\n');
  while (text.length < T) text += text;
  return text.slice(0, T);
}

function builtInLstm(): Network {
  const full = path.join(root, 'media', 'models', 'char_lstm.safetensors');
  const read = (p: string) => { const f = path.isAbsolute(p) ? p : path.join(path.dirname(full), p); return fs.existsSync(f) ? fs.readFileSync(f) : undefined; };
  return requireNetwork(loadModel(full, fs.readFileSync(full), { readSibling: read }));
}

const CONDITIONS: { expr: string; hit?: string }[] = [
  { expr: 'f.mean < 0.2' }, // a forget event (the example)
  { expr: 'c[39] > 1' },
  { expr: 'abs(h[5] - h_prev[5]) > 0.5' },
  { expr: 'argmax(h) == 12' },
  { expr: 'o.max > 0.95' },
  { expr: 'i.mean > 0.99' }, // never fires
  { expr: 'h[0] > 0' }, // fires often
  { expr: 'f.mean > 0.45' }, // fires often
  { expr: 'count(f < 0.1) > 3 && c.max > 2' },
  { expr: 'f.mean < 0.35', hit: '%10' },
];

/** Hits of every condition from one exact pass over all steps (the old path's work, shared). */
function exactPass(trace: Trace, x: Float32Array, exprs: string[]): { hits: number[][]; ms: number; cpuMs: number } {
  const src = traceSource(trace, { x, bounds: false });
  const conds = exprs.map((e) => compileCondition(e, src.meta));
  const hits = exprs.map((): number[] => []);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  src.forEachStep(0, src.steps, (s) => conds.forEach((c, i) => c.test(s) && hits[i].push(s.t)));
  const c = process.cpuUsage(c0);
  return { hits, ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
}

/** One scan with the host thread's view of it: wall ms, longest synchronous block (ms), busy ms. */
async function timed(session: TraceSession, req: ScanRequest): Promise<{ r: ScanResultMessage | undefined; wall: number; block: number; busy: number }> {
  // Collect the previous scan's garbage first, so neither path pays for the other's.
  (globalThis as { gc?: () => void }).gc?.();
  const h = monitorEventLoopDelay({ resolution: 1 });
  const elu0 = performance.eventLoopUtilization();
  h.enable();
  const t0 = performance.now();
  const r = await session.scan(req);
  const wall = performance.now() - t0;
  h.disable();
  const elu = performance.eventLoopUtilization(elu0);
  return { r, wall, block: h.max / 1e6, busy: elu.active };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const json = args.includes('--json');
  const T = quick ? 20_000 : 100_000;
  const say = (s: string) => { if (!json) console.log(s); };
  const text = corpus(T);
  const seq = encodeChars(text, defaultCharVocabulary());
  const x = toDense(seq);
  const client = new EngineClient(); // dist/bench/worker.js, built next to this bundle
  say(`Unroll bench:scan: ${T} steps of this repository's TypeScript, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), node ${process.version}`);
  say('host = in-process TraceSession.scan on the extension host thread (the path before worker scans); worker = the scan in the engine worker.');
  say('wall ms; block = longest synchronous block on the host thread (event-loop delay max, ms); busy = host thread busy ms;');
  say('exact = the unscreened path, every step recomputed in float32 and evaluated (H=512: one pass shared by all conditions);');
  say('same = identical hits (host, worker, exact). load = 1-minute load average at the time (2 cores; other work was running).');
  say('');
  const pad = (c: string[]) => c.map((s, i) => (i === 0 ? s.padEnd(44) : s.padStart(8))).join(' ');
  say(pad(['condition', 'H', 'hits', 'host ms', 'block', 'busy', 'wrk ms', 'block', 'busy', 'exact ms', 'same', 'load']));
  const sizesArg = args.find((a) => a.startsWith('--sizes='));
  const sizes = sizesArg ? sizesArg.slice(8).split(',').map(Number) : quick ? [64] : [64, 512];
  for (const H of sizes) {
    const net = H === 64 ? builtInLstm() : randomNetwork(LSTM, { inputSize: seq.inputSize, hiddenSize: H, numLayers: 1, bidirectional: false }, 42);
    const r0 = performance.now();
    const remote = await client.trace({ network: net, oneHot: { ids: seq.ids!, inputSize: seq.inputSize }, kernel: 'wasm' });
    const trace = remote.local;
    say(`H=${H}: ${net.source ?? ''} traced in the worker in ${(performance.now() - r0).toFixed(0)} ms (${trace.meta.kernel})`);
    const settings = { ...DEFAULT_RANDOM_MODEL, hiddenSize: H };
    const host = TraceSession.fromTrace(1, seq, net, settings, trace, x, 0);
    const worker = TraceSession.fromRemote(1, seq, net, settings, remote);
    const shared = H > 128 ? exactPass(trace, x, CONDITIONS.map((c) => c.expr)) : undefined;
    if (shared) say(`H=${H}: one exact pass over all ${T} steps for all conditions: ${shared.ms.toFixed(0)} ms wall, ${shared.cpuMs.toFixed(0)} ms CPU`);
    let id = 0;
    for (const [k, c] of CONDITIONS.entries()) {
      const req: ScanRequest = { type: 'scan', id: ++id, runId: 1, expression: c.expr, ...(c.hit ? { hitCondition: c.hit } : {}) };
      const a = await timed(host, req);
      const b = await timed(worker, req);
      for (const m of [a, b]) if (!m.r || m.r.error) throw new Error(`${c.expr}: ${m.r?.error}`);
      const own = shared ? undefined : exactPass(trace, x, [c.expr]);
      const exact = shared ? shared.hits[k] : own!.hits[0];
      const exactMs = shared ? shared.ms : own!.ms;
      const want = c.hit ? exact.filter((_, j) => (j + 1) % 10 === 0) : exact;
      const same = JSON.stringify(want) === JSON.stringify(a.r!.hits) && JSON.stringify(want) === JSON.stringify(b.r!.hits);
      const load = os.loadavg()[0];
      const label = c.hit ? `${c.expr}  (hit count ${c.hit})` : c.expr;
      if (json) {
        console.log(JSON.stringify({
          condition: label, hiddenSize: H, steps: T, hits: b.r!.hits!.length, hostWallMs: a.wall, hostBlockMs: a.block, hostBusyMs: a.busy,
          workerWallMs: b.wall, workerBlockMs: b.block, workerBusyMs: b.busy, exactMs, same, load,
        }));
      }
      const f = (v: number) => v.toFixed(0);
      say(pad([label, String(H), String(b.r!.hits!.length), f(a.wall), f(a.block), f(a.busy), f(b.wall), f(b.block), f(b.busy), shared ? '(shared)' : f(exactMs), same ? 'yes' : 'NO', load.toFixed(1)]));
      if (!same) process.exitCode = 1;
    }
    remote.release();
  }
  await client.dispose();
}

main().catch((e) => {
  console.error(`bench:scan failed: ${(e as Error).message}`);
  process.exit(1);
});
