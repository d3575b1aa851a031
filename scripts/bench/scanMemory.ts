/**
 * `npm run bench:scan -- --memory`: the extension host's memory with a 1,000,000-character one-hot trace
 * run in the engine worker and held as the visualizer holds it (a TraceSession), before and after one
 * condition scan. Before issue 6's worker scans the host also kept the dense input the worker expanded
 * (1M × 97 float32 = 388 MB of shared memory) only so scans could read x. The worker shares this process
 * (rss counts both threads, and shared buffers are not in the host's arrayBuffers), so the last line is taken
 * after stopping the worker: what remains is what the host's session keeps alive.
 */
import * as os from 'os';
import { performance } from 'perf_hooks';
import type { CellSpec } from '../../src/engine/types';
import { defaultCharVocabulary, encodeChars } from '../../src/input';
import { randomNetwork } from '../../src/model/random';
import { DEFAULT_RANDOM_MODEL, TraceSession } from '../../src/panel/traceSession';
import { EngineClient } from '../../src/worker/engineClient';

const LSTM: CellSpec = { family: 'lstm', nonlinearity: 'tanh', peephole: false, coupling: 'none', resetAfter: true, projSize: 0 };
const MB = (n: number) => `${(n / 2 ** 20).toFixed(0)} MB`;

function usage(label: string): void {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  console.log(`${label.padEnd(40)} rss ${MB(m.rss).padStart(8)}  arrayBuffers ${MB(m.arrayBuffers).padStart(8)}  heapUsed ${MB(m.heapUsed).padStart(8)}  (load ${os.loadavg()[0].toFixed(1)})`);
}

async function main(): Promise<void> {
  const T = 1_000_000;
  let text = '';
  for (let i = 0; text.length < T; i++) text += `  const v${i} = f(a[${i % 97}], "s") + g(b); // ${i}\n`;
  const seq = encodeChars(text.slice(0, T), defaultCharVocabulary());
  const net = randomNetwork(LSTM, { inputSize: seq.inputSize, hiddenSize: 16, numLayers: 1, bidirectional: false }, 42);
  const client = new EngineClient();
  usage(`${T} characters encoded`);
  const t0 = performance.now();
  const remote = await client.trace({ network: net, oneHot: { ids: seq.ids!, inputSize: seq.inputSize } });
  const session = TraceSession.fromRemote(1, seq, net, { ...DEFAULT_RANDOM_MODEL }, remote);
  usage(`traced in ${(performance.now() - t0).toFixed(0)} ms, session held`);
  const s0 = performance.now();
  const r = await session.scan({ type: 'scan', id: 1, runId: 1, expression: 'token == "("' });
  usage(`scanned in ${(performance.now() - s0).toFixed(0)} ms (${r?.hits?.length ?? r?.error} hits)`);
  await client.dispose();
  await new Promise((done) => setTimeout(done, 500));
  usage('worker stopped, the session still held');
  console.log(`the trace's own buffers: ${MB(session.trace.byteSize().total)} (input ${MB(session.trace.byteSize().input)}), ${session.trace.steps} steps`);
}

main().catch((e) => {
  console.error(`bench:scan --memory failed: ${(e as Error).message}`);
  process.exit(1);
});
