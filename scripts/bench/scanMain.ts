/**
 * `npm run bench:scan`: scanning 100,000 steps for a condition, the way the panel's "find all" does it
 * (TraceSession.scan with its yields), against the plain exact scan (every step recomputed in float32 and
 * evaluated) on the same trace. Hits must be identical; the table shows both wall times and the load.
 * LSTM H=64 is the built-in trained character model on real text; H=512 is seeded random weights.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { runNetwork } from '../../src/engine/trace';
import type { CellSpec, Network } from '../../src/engine/types';
import { defaultCharVocabulary, encodeChars, toDense } from '../../src/input';
import { loadModel, requireNetwork } from '../../src/model/load';
import { randomNetwork } from '../../src/model/random';
import { scanCondition, traceSource } from '../../src/expr';
import { DEFAULT_RANDOM_MODEL, TraceSession } from '../../src/panel/traceSession';

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
  { expr: 'f.mean < 0.2' },
  { expr: 'f.mean < 0.35' },
  { expr: 'c[39] > 1' },
  { expr: 'abs(h[5] - h_prev[5]) > 0.5' },
  { expr: 'argmax(h) == 12' },
  { expr: 'o.max > 0.95' },
  { expr: 'i.mean > 0.99' },
  { expr: 'h[0] > 0' },
  { expr: 'count(f < 0.1) > 3 && c.max > 2' },
  { expr: 'f.mean < 0.35', hit: '%10' },
];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const json = args.includes('--json');
  const T = quick ? 20_000 : 100_000;
  const say = (s: string) => { if (!json) console.log(s); };
  const text = corpus(T);
  const seq = encodeChars(text, defaultCharVocabulary());
  const x = toDense(seq);
  say(`Unroll bench:scan: ${T} steps, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), node ${process.version}`);
  say('fast = TraceSession.scan (what the panel runs, with its yields); exact = every step recomputed in float32 and evaluated');
  say('');
  const pad = (c: string[]) => c.map((s, i) => (i === 0 ? s.padEnd(44) : s.padStart(10))).join(' ');
  say(pad(['condition', 'H', 'hits', 'fast ms', 'exact ms', 'same', 'load']));
  for (const H of quick ? [64] : [64, 512]) {
    const net = H === 64 ? builtInLstm() : randomNetwork(LSTM, { inputSize: seq.inputSize, hiddenSize: H, numLayers: 1, bidirectional: false }, 42);
    const trace = runNetwork(net, x);
    const session = TraceSession.fromTrace(1, seq, net, { ...DEFAULT_RANDOM_MODEL, hiddenSize: H }, trace, x, 0);
    let id = 0;
    for (const c of CONDITIONS) {
      const t0 = performance.now();
      const r = await session.scan({ type: 'scan', id: ++id, runId: 1, expression: c.expr, ...(c.hit ? { hitCondition: c.hit } : {}) });
      const fastMs = performance.now() - t0;
      if (!r || r.error) throw new Error(`${c.expr}: ${r?.error}`);
      const t1 = performance.now();
      const exact = scanCondition(traceSource(trace, { x, bounds: false }), c.expr);
      const exactMs = performance.now() - t1;
      const want = c.hit ? exact.filter((_, k) => (k + 1) % 10 === 0) : exact;
      const same = JSON.stringify(want) === JSON.stringify(r.hits);
      const load = os.loadavg()[0];
      const label = c.hit ? `${c.expr}  (hit count ${c.hit})` : c.expr;
      if (json) console.log(JSON.stringify({ condition: label, hiddenSize: H, steps: T, hits: r.hits!.length, fastMs, exactMs, same, load }));
      say(pad([label, String(H), String(r.hits!.length), fastMs.toFixed(0), exactMs.toFixed(0), same ? 'yes' : 'NO', load.toFixed(1)]));
      if (!same) process.exitCode = 1;
    }
  }
}

main().catch((e) => {
  console.error(`bench:scan failed: ${(e as Error).message}`);
  process.exit(1);
});
