/**
 * The engine worker through its host client (the bundled dist/worker.js, as the extension runs it):
 * same numbers as an in-thread run, shared-memory windows, progress, cancellation that leaves the worker
 * usable, one-line errors, and a host event loop that keeps turning while a long trace runs.
 */
import * as assert from 'assert';
import * as path from 'path';
import { monitorEventLoopDelay } from 'perf_hooks';
import { CancelledError, runNetwork } from '../../../src/engine/trace';
import { type CellSpec, UnrollError } from '../../../src/engine/types';
import { mulberry32, randomNetwork } from '../../../src/model/random';
import { EngineClient } from '../../../src/worker/engineClient';
import { ROOT, compareAll, loadFixture } from './helpers';

const LSTM: CellSpec = { family: 'lstm', nonlinearity: 'tanh', peephole: false, coupling: 'none', resetAfter: true, projSize: 0 };

function longJob(T: number, H = 48) {
  const network = randomNetwork(LSTM, { inputSize: 8, hiddenSize: H, numLayers: 1, bidirectional: false }, 1);
  const x = Float32Array.from({ length: T * 8 }, (_, i) => Math.sin(i * 0.37));
  return { network, x };
}

describe('engine worker', function () {
  this.timeout(120_000);
  const client = new EngineClient({ workerPath: path.join(ROOT, 'dist/worker.js') });
  after(() => client.dispose());

  it('traces a trained fixture in the worker: windows, exact steps and logits equal an in-thread run', async () => {
    const { doc, spec, net } = loadFixture('char_lstm_public');
    const progress: number[] = [];
    const remote = await client.trace({ network: net, x: spec.x!, checkpointEvery: 32 }, { onProgress: (p) => progress.push(p.done / p.total) });
    const local = runNetwork(net, spec.x!, { checkpointEvery: 32 });
    assert.deepStrictEqual(remote.meta, local.meta);
    assert.strictEqual(progress[progress.length - 1], 1);
    for (const ch of ['i', 'c', 'h'] as const) assert.deepStrictEqual(remote.window(0, 0, ch, 10, 200), local.window(0, 0, ch, 10, 200));
    const s = await remote.exactStep(130);
    assert.deepStrictEqual(s, local.exactStep(130));
    const r = await remote.exactRange(0, 256);
    const want: number[][] = doc.expected.logits;
    compareAll(want, Array.from({ length: 256 }, (_, t) => Array.from(r.logits!.subarray(t * 97, (t + 1) * 97))), doc.tolerance, 'logits');
    remote.release();
    await assert.rejects(remote.exactStep(0), (e: Error) => e instanceof UnrollError && /released/.test(e.message));
  });

  it('one-hot input sent as ids: the worker expands it, the values are the fixture\'s, and the host keeps only the ids', async () => {
    const { doc, spec, net } = loadFixture('char_lstm_public');
    const V = net.shape.inputSize;
    const x = spec.x!;
    const ids = Int32Array.from({ length: x.length / V }, (_, t) => x.subarray(t * V, (t + 1) * V).indexOf(1));
    assert.ok(ids.every((id) => id >= 0), 'the fixture input is one-hot');
    const remote = await client.trace({ network: net, oneHot: { ids, inputSize: V }, checkpointEvery: 32 });
    // 4 bytes a step on the host, not T × 97 floats (388 MB at a million characters).
    assert.strictEqual(remote.local.byteSize().input, ids.byteLength);
    assert.ok(!('x' in remote), 'the host holds no dense input');
    const at = await remote.exactStep(40);
    assert.deepStrictEqual(Array.from(at.layers[0].forward.x), Array.from(x.subarray(40 * V, 41 * V)), 'the input the run read');
    const r = await remote.exactRange(0, 256);
    compareAll(doc.expected.logits, Array.from({ length: 256 }, (_, t) => Array.from(r.logits!.subarray(t * V, (t + 1) * V))), doc.tolerance, 'logits');
    remote.release();
    await assert.rejects(client.trace({ network: net, oneHot: { ids: Int32Array.of(3, V), inputSize: V } }),
      (e: Error) => e instanceof UnrollError && /one-hot id 97 at step 1 is outside 0…96/.test(e.message));
  });

  it('the wasm kernel option gives the fixture\'s values too (or falls back to the reference kernel)', async () => {
    const { doc, spec, net } = loadFixture('gru_i4_h8_t200');
    const remote = await client.trace({ network: net, x: spec.x!, kernel: 'wasm', checkpointEvery: 16 });
    assert.match(remote.meta.kernel, /wasm|reference/);
    const r = await remote.exactRange(0, 200);
    compareAll(doc.expected.layers[0].forward.h, Array.from({ length: 200 }, (_, t) => Array.from(r.layers[0].forward.h.subarray(t * 8, (t + 1) * 8))), doc.tolerance, 'h');
    remote.release();
  });

  it('wasm in the worker (two threads at H = 512): exact steps recomputed anywhere equal the recorded checkpoints bit for bit', async () => {
    const K = 32;
    const big = { network: randomNetwork(LSTM, { inputSize: 16, hiddenSize: 512, numLayers: 1, bidirectional: false }, 7), x: Float32Array.from({ length: 200 * 16 }, (_, i) => Math.sin(i * 0.61)) };
    const stack = { network: randomNetwork({ ...LSTM, family: 'gru' }, { inputSize: 5, hiddenSize: 24, numLayers: 2, bidirectional: true }, 8), x: Float32Array.from({ length: 300 * 5 }, (_, i) => Math.cos(i * 0.23)) };
    for (const job of [big, stack]) {
      const remote = await client.trace({ ...job, checkpointEvery: K });
      assert.strictEqual(remote.meta.kernel, 'wasm-simd');
      const T = remote.meta.steps;
      const r = mulberry32(T);
      for (let n = 0; n < 5; n++) {
        const j = 1 + Math.floor(r() * (Math.ceil(T / K) - 1)); // a chunk after the first
        // Forward: the last step of chunk j − 1, recomputed from checkpoint j − 1, lands exactly on checkpoint j
        // (the recorded state that exactStep(jK) reports as its previous state). Reverse: the mirror image.
        const [before, at] = await Promise.all([remote.exactStep(j * K - 1), remote.exactStep(j * K)]);
        const last = remote.meta.shape.numLayers - 1;
        assert.deepStrictEqual(before.layers[last].forward.h, at.layers[last].forward.hPrev);
        if (before.layers[0].forward.c) assert.deepStrictEqual(before.layers[0].forward.c, at.layers[0].forward.cPrev);
        if (at.layers[0].reverse) {
          const end = Math.min(T, (j + 1) * K);
          const [ra, rb] = await Promise.all([remote.exactStep(end - 1), end < T ? remote.exactStep(end) : undefined]);
          if (rb) assert.deepStrictEqual(rb.layers[last].reverse!.h, ra.layers[last].reverse!.hPrev);
        }
        // The host recomputes with the same arithmetic as the worker (its own wasm kernel, one thread).
        const t = Math.floor(r() * T);
        const exact = await remote.exactStep(t);
        assert.deepStrictEqual(remote.local.exactStep(t), exact);
        // Fixed-range codes are the JS store's rounding of exactly these float32 values.
        const gate = exact.layers[0].forward.gates[job === big ? 'i' : 'z']!;
        const codes = remote.window(0, 0, job === big ? 'i' : 'z', t, t + 1).data;
        assert.deepStrictEqual([...codes], [...Uint8ClampedArray.from(gate, (v) => v * 255)]);
      }
      remote.release();
    }
  });

  it('cancels a long run; the worker then serves the next trace', async () => {
    const ac = new AbortController();
    const job = longJob(200_000);
    let calls = 0;
    await assert.rejects(
      client.trace(job, { signal: ac.signal, onProgress: () => { if (++calls === 1) ac.abort(); } }),
      CancelledError,
    );
    const small = longJob(10, 4);
    const next = await client.trace(small);
    assert.strictEqual(next.meta.steps, 10);
    assert.deepStrictEqual(await next.exactStep(9), runNetwork(small.network, small.x).exactStep(9));
  });

  it('an already aborted signal never starts a run', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(client.trace(longJob(10), { signal: ac.signal }), CancelledError);
  });

  it('keeps at most 8 traces in the worker; a released trace still reads on the host', async () => {
    const job = longJob(5, 4);
    const first = await client.trace(job);
    const later = [];
    for (let i = 0; i < 8; i++) later.push(await client.trace(job));
    await assert.rejects(first.exactStep(0), /released/);
    assert.deepStrictEqual(await later[7].exactStep(4), runNetwork(job.network, job.x).exactStep(4));
    later[7].release();
    assert.strictEqual(later[7].window(0, 0, 'h', 0, 5).data.length, 5 * 4);
    assert.deepStrictEqual(later[7].local.exactStep(4), runNetwork(job.network, job.x).exactStep(4));
  });

  it('bad input rejects with the engine\'s one-line message', async () => {
    const job = longJob(3);
    job.x[4] = NaN;
    await assert.rejects(client.trace(job), (e: Error) => e instanceof UnrollError && /x\[0\]\[4\] is NaN/.test(e.message));
  });

  it('the host event loop stays responsive while a long trace runs (no delay over 250 ms)', async () => {
    const h = monitorEventLoopDelay({ resolution: 10 });
    h.enable();
    const t = await client.trace(longJob(30_000));
    h.disable();
    assert.strictEqual(t.meta.steps, 30_000);
    const maxMs = h.max / 1e6;
    assert.ok(maxMs < 250, `max event-loop delay ${maxMs.toFixed(1)} ms`);
    t.release();
  });
});
