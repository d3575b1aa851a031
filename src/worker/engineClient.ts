/**
 * Host side of the engine worker (Node only, no `vscode` import): what the extension uses.
 *
 *   const client = new EngineClient({ workerPath: context.asAbsolutePath('dist/worker.js') });
 *   const trace = await client.trace({ network, x }, { onProgress, signal });
 *   trace.window(layer, dir, 'c', t0, t1);          // synchronous, from shared memory
 *   await trace.exactStep(t);                        // recomputed in the worker
 *   await trace.scan(spec, tokens, signal);          // "find all", evaluated in the worker
 *
 * Design: the worker allocates the trace in SharedArrayBuffers, so the host sees the compact store
 * (and checkpoints) the moment the run ends without a copy or a second allocation, and window() is a
 * synchronous read — hovers and webview windows never wait on the worker. Exact values are recomputed
 * by the worker (up to K steps per layer and direction, which at large hidden sizes takes longer than the
 * host should ever block), so exactStep/exactRange are async. Condition scans run in the worker too
 * (scanJob.ts), over the trace it keeps and its own copy of the token texts (sent once per trace); the host
 * never holds the dense input a one-hot run read.
 * A cancelled or failed run rejects (CancelledError / UnrollError); the caller's previous trace is untouched.
 */
import * as path from 'path';
import { Worker } from 'worker_threads';
import { packNetwork } from '../engine/network';
import { CancelledError, type Channel, type ExactRange, type ExactStep, Trace, type TraceMeta, type TraceWindow } from '../engine/trace';
import { type Network, UnrollError } from '../engine/types';
import { remember } from '../l10n/format';
import type { HostToWorker, KernelName, TokenTable, WorkerToHost } from './messages';
import type { ScanOutcome, ScanSpec } from '../expr/scanJob';

export interface TraceJob {
  network: Network;
  /** T × inputSize; or `oneHot` ids the worker expands (the host then never allocates or keeps the dense input) */
  x?: Float32Array;
  oneHot?: { ids: Int32Array; inputSize: number };
  h0?: Float32Array;
  c0?: Float32Array;
  checkpointEvery?: number;
  kernel?: KernelName;
}

/** A view that covers only part of its buffer is copied first: structured clone would send the whole buffer. */
function compact<A extends Float32Array | Uint32Array>(a: A): A {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : (a.slice() as A);
}

interface Pending {
  resolve(v: WorkerToHost): void;
  reject(e: Error): void;
  onProgress?: (p: { done: number; total: number }) => void;
}

/** A trace that lives in the worker; its compact store is shared with this thread. */
export class RemoteTrace {
  private released = false;
  private tokensSent = false;

  constructor(
    private readonly client: EngineClient,
    readonly traceId: number,
    /** A full Trace over the shared buffers (window() reads it; exact values are better asked async). */
    readonly local: Trace,
    /** wall time of the run in the worker */
    readonly millis: number,
  ) {}

  get meta(): TraceMeta {
    return this.local.meta;
  }

  window(layer: number, dir: number, channel: Channel, t0: number, t1: number): TraceWindow {
    return this.local.window(layer, dir, channel, t0, t1);
  }

  exactStep(t: number): Promise<ExactStep> {
    return this.client.request({ type: 'exactStep', id: 0, traceId: this.traceId, t }).then((m) => (m as { value: ExactStep }).value);
  }

  exactRange(t0: number, t1: number): Promise<ExactRange> {
    return this.client.request({ type: 'exactRange', id: 0, traceId: this.traceId, t0, t1 }).then((m) => (m as { value: ExactRange }).value);
  }

  /**
   * Steps where a condition (or breakpoint) holds, evaluated in the worker against exact values. `tokens` is
   * called once per trace, the first time it is scanned. Rejects with CancelledError when `signal` aborts
   * (the worker stops at its next slice) and with UnrollError when the worker cannot scan this trace.
   */
  async scan(spec: ScanSpec, tokens: () => TokenTable, signal?: AbortSignal): Promise<ScanOutcome> {
    if (signal?.aborted) throw new CancelledError();
    if (!this.tokensSent) {
      const t = tokens();
      this.client.post({ type: 'tokens', traceId: this.traceId, tokens: { source: t.source, baseOffset: t.baseOffset, offsets: compact(t.offsets), lengths: compact(t.lengths) } });
      this.tokensSent = true;
    }
    const cancel = new SharedArrayBuffer(4);
    const flag = new Int32Array(cancel);
    const onAbort = () => Atomics.store(flag, 0, 1);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const m = await this.client.request({ type: 'scan', id: 0, traceId: this.traceId, spec, cancel });
      const outcome = (m as Extract<WorkerToHost, { type: 'scanned' }>).outcome;
      // The worker made the error text: register its template here so the host can show it localised.
      if ('error' in outcome && outcome.l10n) remember(outcome.l10n);
      return outcome;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Let the worker drop its copy (also done automatically when this object is garbage collected);
   *  `local` stays usable: the host holds its own view of the shared buffers. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.client.releaseTrace(this);
  }
}

export class EngineClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly workerPath: string;
  /** A RemoteTrace dropped without release() still lets the worker free its copy. */
  private readonly finalizer = new FinalizationRegistry<number>((traceId) => this.post({ type: 'release', traceId }));

  /** workerPath: the bundled dist/worker.js (default: next to this bundle). */
  constructor(opts: { workerPath?: string } = {}) {
    this.workerPath = opts.workerPath ?? path.join(__dirname, 'worker.js');
  }

  async trace(job: TraceJob, opts: { onProgress?: (p: { done: number; total: number }) => void; signal?: AbortSignal } = {}): Promise<RemoteTrace> {
    if (opts.signal?.aborted) throw new CancelledError();
    const cancel = new SharedArrayBuffer(4);
    const flag = new Int32Array(cancel);
    const onAbort = () => Atomics.store(flag, 0, 1);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const network = packNetwork(job.network);
    try {
      const msg = await this.request(
        {
          type: 'trace',
          id: 0,
          cancel,
          request: { network, ...(job.x ? { x: compact(job.x) } : { oneHot: job.oneHot }), h0: job.h0 && compact(job.h0), c0: job.c0 && compact(job.c0), checkpointEvery: job.checkpointEvery, kernel: job.kernel },
        },
        opts.onProgress,
        [network.data.buffer as ArrayBuffer],
      );
      const done = msg as Extract<WorkerToHost, { type: 'traced' }>;
      const remote = new RemoteTrace(this, done.traceId, Trace.fromTransfer(done.transfer), done.millis);
      this.finalizer.register(remote, done.traceId, remote);
      return remote;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Internal: send a request and wait for its answer. */
  request(msg: HostToWorker, onProgress?: Pending['onProgress'], transfer: ArrayBuffer[] = []): Promise<WorkerToHost> {
    const id = this.nextId++;
    return new Promise<WorkerToHost>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      try {
        const w = this.ensureWorker();
        w.ref(); // keep the process alive while an answer is owed
        w.postMessage({ ...msg, id }, transfer);
      } catch (e) {
        this.pending.delete(id);
        reject(new UnrollError(`could not reach the engine worker: ${(e as Error).message}`));
      }
    });
  }

  /** Internal: the worker may drop its copy of this trace (the host's shared view stays valid). */
  releaseTrace(remote: RemoteTrace): void {
    this.finalizer.unregister(remote);
    this.post({ type: 'release', traceId: remote.traceId });
  }

  post(msg: HostToWorker): void {
    this.worker?.postMessage(msg);
  }

  /** Stop the worker; pending requests reject. */
  async dispose(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    this.failAll('the engine was shut down');
    if (w) await w.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.workerPath);
    w.on('message', (m: WorkerToHost) => this.onMessage(m));
    w.on('error', (e) => {
      if (this.worker === w) this.worker = undefined;
      this.failAll(`the engine worker failed: ${e.message}`);
    });
    w.on('exit', (code) => {
      if (this.worker === w) {
        this.worker = undefined;
        this.failAll(`the engine worker stopped (exit code ${code})`);
      }
    });
    this.worker = w;
    return w;
  }

  private onMessage(m: WorkerToHost): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.type === 'progress') {
      p.onProgress?.({ done: m.done, total: m.total });
      return;
    }
    this.pending.delete(m.id);
    if (this.pending.size === 0) this.worker?.unref(); // an idle worker must not keep the host alive
    if (m.type === 'error') p.reject(m.cancelled ? new CancelledError() : new UnrollError(m.message));
    else p.resolve(m);
  }

  private failAll(message: string): void {
    for (const p of this.pending.values()) p.reject(new UnrollError(message));
    this.pending.clear();
  }
}
