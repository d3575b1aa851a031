/**
 * The Trace's public types (see trace.ts): run options, metadata, windows of 8-bit codes, exact values,
 * and the transfer form. Kept apart so the store and the worker protocol can import them alone.
 */
import type { Kernel } from './kernel';
import type { PackedNetwork } from './network';
import type { Channel } from './quantize';
import { type CellSpec, type GateName, type NetworkShape, UnrollError } from './types';

export const DEFAULT_CHECKPOINT_EVERY = 64;

/** Thrown when a run's signal is aborted; the caller keeps whatever it showed before. */
export class CancelledError extends UnrollError {
  constructor() {
    super('the trace was cancelled');
    this.name = 'CancelledError';
  }
}

export interface RunOptions {
  /** Initial hidden states [numLayers * D * outputSize], row layer*D + dir (torch h_0 order); default zeros. */
  h0?: Float32Array;
  /** Initial cell states [numLayers * D * hiddenSize] (LSTM family); default zeros. */
  c0?: Float32Array;
  kernel?: Kernel;
  /** K: exact state is kept every K steps; a seek recomputes at most K steps. */
  checkpointEvery?: number;
  /** Called after each chunk; units are layer-direction-steps. */
  onProgress?: (p: { done: number; total: number }) => void;
  /** Checked between chunks (an AbortSignal works; so does any object with `aborted`). */
  signal?: { readonly aborted: boolean };
  /** Allocate the trace in SharedArrayBuffers so threads can read it without copying. */
  shared?: boolean;
}

export interface TraceMeta {
  version: 1;
  cell: CellSpec;
  shape: NetworkShape;
  steps: number;
  outputSize: number;
  numDirections: number;
  gateNames: GateName[];
  /** Channels recorded per layer and direction, in storage order. */
  channels: Channel[];
  checkpointEvery: number;
  /** Decoder vocabulary size; 0 = no decoder (no logits). */
  vocabSize: number;
  source: string;
  kernel: string;
  /** How x is kept: 'one-hot' (a symbol id per step) when every row is one-hot, else dense float32. */
  inputEncoding: 'dense' | 'one-hot';
  /** ranges[layer][dir][channel] = [lo, hi] of the 8-bit codes that window() returns. */
  ranges: Partial<Record<Channel, [number, number]>>[][];
}

export interface TraceWindow {
  /** (t1 − t0) rows of `width` codes; value = lo + q·(hi − lo)/255 (see dequantize). */
  data: Uint8Array;
  width: number;
  t0: number;
  t1: number;
  lo: number;
  hi: number;
}

/** Exact values of one step for one layer and direction. */
export interface ExactDirectionStep {
  /** The layer's input at this position (x_t for layer 0, [fwd h ; rev h] of the layer below otherwise). */
  x: Float32Array;
  /** State this step started from (forward: after t−1; reverse: after t+1; or the initial state). */
  hPrev: Float32Array;
  cPrev?: Float32Array;
  gates: Partial<Record<GateName, Float32Array>>;
  c?: Float32Array;
  m?: Float32Array;
  h: Float32Array;
}

export interface ExactStep {
  t: number;
  layers: { forward: ExactDirectionStep; reverse?: ExactDirectionStep }[];
  /** decoder logits of this step (when the network has a decoder) */
  logits?: Float32Array;
}

/** Exact values of a range of steps for one layer and direction, rows t0..t1−1. */
export interface ExactDirectionRange {
  h: Float32Array;
  c?: Float32Array;
  m?: Float32Array;
  gates: Partial<Record<GateName, Float32Array>>;
}

export interface ExactRange {
  t0: number;
  t1: number;
  layers: { forward: ExactDirectionRange; reverse?: ExactDirectionRange }[];
  /** (t1 − t0) × vocabSize */
  logits?: Float32Array;
}

export interface TraceTransfer {
  meta: TraceMeta;
  network: Omit<PackedNetwork, 'data'>;
  /** [weights, x, then per (layer, dir): compact, chunk ranges, checkpoints]; see TraceStore. */
  buffers: (ArrayBuffer | SharedArrayBuffer)[];
}

/** The buffers of a transfer that may be put in a postMessage transfer list (shared ones are not). */
export function transferList(t: TraceTransfer): ArrayBuffer[] {
  return t.buffers.filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
}
