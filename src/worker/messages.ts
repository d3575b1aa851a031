/**
 * Typed messages between the extension host (EngineClient) and the engine worker thread.
 * Big data never goes through JSON: weights and inputs are typed arrays (structured clone / transfer),
 * the trace itself lives in SharedArrayBuffers both threads read.
 */
import type { PackedNetwork } from '../engine/network';
import type { ExactRange, ExactStep, TraceTransfer } from '../engine/trace';
import type { TokenTable } from '../input/types';
import type { ScanOutcome, ScanSpec } from '../expr/scanJob';

export type KernelName = 'reference' | 'wasm';

/** What the host asks the worker to trace. */
export interface TraceRequest {
  network: PackedNetwork;
  /** T × inputSize; or, for one-hot inputs, `oneHot` (the worker expands it: a 1M-step one-hot input is ~390 MB) */
  x?: Float32Array;
  oneHot?: { ids: Int32Array; inputSize: number };
  h0?: Float32Array;
  c0?: Float32Array;
  checkpointEvery?: number;
  /** default 'wasm' (wasm SIMD, two cores at H ≥ 512; the tiled TypeScript kernel where wasm SIMD is missing) */
  kernel?: KernelName;
}

/**
 * The text of every step, for the `token` name in conditions and log messages: sent once per trace (the
 * first time it is scanned), as the EncodedSequence keeps it (tokenText reads these four fields).
 */
export type { TokenTable };

export type HostToWorker =
  | { type: 'trace'; id: number; request: TraceRequest; /** Int32Array[1]; 1 = cancel */ cancel: SharedArrayBuffer }
  | { type: 'exactStep'; id: number; traceId: number; t: number }
  | { type: 'exactRange'; id: number; traceId: number; t0: number; t1: number }
  | { type: 'tokens'; traceId: number; tokens: TokenTable }
  | { type: 'scan'; id: number; traceId: number; spec: ScanSpec; /** Int32Array[1]; 1 = cancel */ cancel: SharedArrayBuffer }
  | { type: 'release'; traceId: number };

export type WorkerToHost =
  | { type: 'progress'; id: number; done: number; total: number }
  | { type: 'traced'; id: number; traceId: number; transfer: TraceTransfer; millis: number }
  | { type: 'exactStep'; id: number; value: ExactStep }
  | { type: 'exactRange'; id: number; value: ExactRange }
  | { type: 'scanned'; id: number; outcome: ScanOutcome }
  | { type: 'error'; id: number; message: string; cancelled: boolean };
