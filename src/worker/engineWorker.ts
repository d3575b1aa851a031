/**
 * The engine's worker thread (bundled as dist/worker.js). Runs traces off the extension host's event
 * loop, reports progress, honours cancellation between chunks (a shared Int32 flag, because a busy
 * synchronous run cannot receive messages), and answers exact-value requests and condition scans for the
 * traces it keeps. A scan goes in ~20 ms slices with setImmediate between them, so exact-value requests
 * (hovers) are answered while it runs; its own shared flag cancels it.
 */
import { parentPort } from 'worker_threads';
import type { Kernel } from '../engine/kernel';
import { referenceKernel } from '../engine/kernels/reference';
import { unpackNetwork } from '../engine/network';
import { CancelledError, type Trace, runNetwork } from '../engine/trace';
import { UnrollError } from '../engine/types';
import { createFastKernel } from '../engine/wasm/index';
import { traceSource, type StepSource } from '../expr/source';
import { tokenText } from '../input/types';
import type { HostToWorker, KernelName, TokenTable, WorkerToHost } from './messages';
import { runScan, setImmediateYield } from '../expr/scanJob';

/** A kept trace, its token texts (once the host sent them) and the scan source built over both. */
interface Held {
  trace: Trace;
  tokens?: TokenTable;
  /** Built at the first scan and reused: its 8-bit enclosures are worked out once per trace. */
  source?: StepSource;
}

const traces = new Map<number, Held>();
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

/**
 * x_t = e_{ids[t]}, only for the run: the trace keeps the ids (TraceStore), so this array is garbage once
 * the run ends — and the host never holds it (388 MB at 1M characters).
 */
function expandOneHot({ ids, inputSize }: { ids: Int32Array; inputSize: number }): Float32Array {
  if (!Number.isInteger(inputSize) || inputSize < 1) throw new UnrollError(`one-hot input needs a positive inputSize (got ${inputSize})`);
  const x = new Float32Array(ids.length * inputSize);
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
        const x = req.x ?? (req.oneHot ? expandOneHot(req.oneHot) : undefined);
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
        traces.set(traceId, { trace });
        // Bound the worker's memory even if a host never releases: keep the newest few traces.
        while (traces.size > MAX_KEPT_TRACES) traces.delete(traces.keys().next().value as number);
        // Shared buffers: the host reads the same memory, nothing is copied.
        post({ type: 'traced', id: msg.id, traceId, transfer: trace.toTransfer(), millis: performance.now() - started });
      } catch (e) {
        post({ type: 'error', id: msg.id, message: messageOf(e), cancelled: e instanceof CancelledError });
      }
      return;
    }
    case 'exactStep':
    case 'exactRange': {
      try {
        const trace = traces.get(msg.traceId)?.trace;
        if (!trace) throw new UnrollError('this trace was released; run it again');
        if (msg.type === 'exactStep') post({ type: 'exactStep', id: msg.id, value: trace.exactStep(msg.t) });
        else post({ type: 'exactRange', id: msg.id, value: trace.exactRange(msg.t0, msg.t1) });
      } catch (e) {
        post({ type: 'error', id: msg.id, message: messageOf(e), cancelled: false });
      }
      return;
    }
    case 'tokens': {
      const held = traces.get(msg.traceId);
      if (held) {
        held.tokens = msg.tokens;
        held.source = undefined;
      }
      return;
    }
    case 'scan':
      void scan(msg);
      return;
    case 'release':
      traces.delete(msg.traceId);
      return;
  }
}

/** A scan over a kept trace; it keeps its source even if the trace is released meanwhile. */
async function scan(msg: Extract<HostToWorker, { type: 'scan' }>): Promise<void> {
  const flag = new Int32Array(msg.cancel);
  const cancelled = () => Atomics.load(flag, 0) === 1;
  try {
    const held = traces.get(msg.traceId);
    if (!held) throw new UnrollError('this trace was released; run it again');
    const makeSource = (): StepSource => {
      const seq = held.tokens;
      return (held.source ??= traceSource(held.trace, seq ? { tokenAt: (t) => tokenText(seq, t) } : {}));
    };
    const outcome = cancelled() ? undefined : await runScan(makeSource, msg.spec, { yieldFn: setImmediateYield, isStale: cancelled });
    if (!outcome) post({ type: 'error', id: msg.id, message: 'the scan was cancelled', cancelled: true });
    else post({ type: 'scanned', id: msg.id, outcome });
  } catch (e) {
    post({ type: 'error', id: msg.id, message: messageOf(e), cancelled: false });
  }
}

function messageOf(e: unknown): string {
  if (e instanceof UnrollError) return e.message;
  return `internal error in the engine: ${(e as Error)?.message ?? String(e)}`;
}

parentPort?.on('message', handle);
