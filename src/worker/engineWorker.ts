/**
 * The engine's worker thread (bundled as dist/worker.js). Runs traces off the extension host's event
 * loop, reports progress, honours cancellation between chunks (a shared Int32 flag, because a busy
 * synchronous run cannot receive messages), and answers exact-value requests for the traces it keeps.
 */
import { parentPort } from 'worker_threads';
import type { Kernel } from '../engine/kernel';
import { referenceKernel } from '../engine/kernels/reference';
import { unpackNetwork } from '../engine/network';
import { CancelledError, type Trace, runNetwork } from '../engine/trace';
import { UnrollError } from '../engine/types';
import { createFastKernel } from '../engine/wasm/index';
import type { HostToWorker, KernelName, WorkerToHost } from './messages';

const traces = new Map<number, Trace>();
let nextTraceId = 1;
let fast: Kernel | undefined;

/**
 * 'wasm' (the default): wasm SIMD, splitting each step across a second core at H ≥ 512 where that pays,
 * else the tiled TypeScript kernel. A trace's exact values are recomputed by the kernel that recorded it.
 */
function kernelFor(name: KernelName | undefined): Kernel {
  if (name === 'reference') return referenceKernel;
  return (fast ??= createFastKernel({ threads: 2 }));
}

/** Traces kept for exact-value requests; older ones answer "released". */
const MAX_KEPT_TRACES = 8;

/** Progress at most every 50 ms: enough for a progress bar, cheap for the host. */
const PROGRESS_EVERY_MS = 50;

/** x_t = e_{ids[t]}, in shared memory when available so the host can keep it without a copy. */
function expandOneHot({ ids, inputSize }: { ids: Int32Array; inputSize: number }): Float32Array {
  if (!Number.isInteger(inputSize) || inputSize < 1) throw new UnrollError(`one-hot input needs a positive inputSize (got ${inputSize})`);
  const bytes = ids.length * inputSize * 4;
  const x = new Float32Array(typeof SharedArrayBuffer === 'undefined' ? new ArrayBuffer(bytes) : new SharedArrayBuffer(bytes));
  for (let t = 0; t < ids.length; t++) {
    const id = ids[t];
    if (!(id >= 0 && id < inputSize)) throw new UnrollError(`one-hot id ${id} at step ${t} is outside 0…${inputSize - 1}`);
    x[t * inputSize + id] = 1;
  }
  return x;
}

function post(msg: WorkerToHost): void {
  parentPort!.postMessage(msg);
}

function handle(msg: HostToWorker): void {
  switch (msg.type) {
    case 'trace': {
      const flag = new Int32Array(msg.cancel);
      const started = performance.now();
      let lastPost = 0;
      try {
        const req = msg.request;
        const expanded = req.x ? undefined : req.oneHot ? expandOneHot(req.oneHot) : undefined;
        const x = req.x ?? expanded;
        if (!x) throw new UnrollError('a trace request needs x or oneHot');
        const trace = runNetwork(unpackNetwork(req.network), x, {
          h0: req.h0,
          c0: req.c0,
          checkpointEvery: req.checkpointEvery,
          kernel: kernelFor(req.kernel),
          shared: true,
          signal: { get aborted() { return Atomics.load(flag, 0) === 1; } },
          onProgress: ({ done, total }) => {
            const now = performance.now();
            if (now - lastPost >= PROGRESS_EVERY_MS || done === total) {
              lastPost = now;
              post({ type: 'progress', id: msg.id, done, total });
            }
          },
        });
        const traceId = nextTraceId++;
        traces.set(traceId, trace);
        // Bound the worker's memory even if a host never releases: keep the newest few traces.
        while (traces.size > MAX_KEPT_TRACES) traces.delete(traces.keys().next().value as number);
        // Shared buffers: the host reads the same memory, nothing is copied.
        post({ type: 'traced', id: msg.id, traceId, transfer: trace.toTransfer(), millis: performance.now() - started, ...(expanded ? { x: expanded } : {}) });
      } catch (e) {
        post({ type: 'error', id: msg.id, message: messageOf(e), cancelled: e instanceof CancelledError });
      }
      return;
    }
    case 'exactStep':
    case 'exactRange': {
      try {
        const trace = traces.get(msg.traceId);
        if (!trace) throw new UnrollError('this trace was released; run it again');
        if (msg.type === 'exactStep') post({ type: 'exactStep', id: msg.id, value: trace.exactStep(msg.t) });
        else post({ type: 'exactRange', id: msg.id, value: trace.exactRange(msg.t0, msg.t1) });
      } catch (e) {
        post({ type: 'error', id: msg.id, message: messageOf(e), cancelled: false });
      }
      return;
    }
    case 'release':
      traces.delete(msg.traceId);
      return;
  }
}

function messageOf(e: unknown): string {
  if (e instanceof UnrollError) return e.message;
  return `internal error in the engine: ${(e as Error)?.message ?? String(e)}`;
}

parentPort?.on('message', handle);
