/**
 * The seam between the engine and its compute kernels. The reference kernel is plain TypeScript;
 * a WebAssembly SIMD kernel slots in behind the same interface. A kernel runs ONE direction of ONE
 * layer over a whole sequence and records every activation.
 */
import type { CellSpec, DirectionWeights } from './types';

export interface DirectionRun {
  /** Number of time steps. */
  steps: number;
  /** Layer input width (In). */
  inputSize: number;
  /** H */
  hiddenSize: number;
  /** Out = projSize || H */
  outputSize: number;
  /** x: [steps * inputSize], row t = input position t. */
  x: Float32Array;
  /** Initial hidden state [outputSize]; undefined = zeros. */
  h0?: Float32Array;
  /** Initial cell state [hiddenSize] (LSTM); undefined = zeros. */
  c0?: Float32Array;
  /** true: consume x[T-1] … x[0]. Records are still indexed by input position. */
  reverse: boolean;
}

/**
 * Where a kernel writes its results, all indexed by INPUT POSITION t (for reverse runs, row t is the
 * state after consuming x[t]). Arrays are preallocated by the caller.
 */
export interface DirectionRecord {
  /** [steps * G * H] gate activations in canonical order per step (LSTM i,f,g,o; GRU r,z,n). Empty for RNN. */
  gates: Float32Array;
  /** [steps * H] cell state C_t (LSTM family); empty otherwise. */
  c: Float32Array;
  /** [steps * H] pre-projection output m_t = o ⊙ tanh(C_t) (projected LSTM); empty otherwise. */
  m: Float32Array;
  /** [steps * Out] hidden state h_t. */
  h: Float32Array;
}

/**
 * Where a coding kernel sends the Trace's 8-bit codes (semantics exactly those of quantize.ts): per channel,
 * per block of `blockRows` run rows (blocks aligned to row 0 of the run), a range — fixed, or the block's
 * finite min/max rounded to float32 — then the codes of those rows.
 */
export interface CodeSink {
  /** Rows per range block (the Trace's checkpoint chunk K). */
  blockRows: number;
  /** The channels in storage order: the record a channel reads (gate index for gates) and its fixed range. */
  channels: { record: 'gates' | 'c' | 'm' | 'h'; gate: number; fixed: [number, number] | undefined }[];
  /** Range [lo, hi] of block `block` of channel ci (called before that block's codes arrive). */
  range(ci: number, block: number, lo: number, hi: number): void;
  /** Codes of run rows [r0, r0 + rows) of channel ci, dense rows of the channel's width (valid during the call only). */
  codes(ci: number, r0: number, rows: number, data: Uint8Array): void;
}

export interface Kernel {
  /** Names the arithmetic: kernels with the same name give bit-identical results (thread count does not matter). */
  readonly name: string;
  runDirection(cell: CellSpec, weights: DirectionWeights, run: DirectionRun, out: DirectionRecord): void;
  /**
   * Optional, for tracing: like runDirection, but the gates and m go only to `sink` as 8-bit codes, made where
   * the kernel keeps its records (the float32 gates never get copied out). `out.h` and `out.c` are filled;
   * `out.gates` and `out.m` may be empty. C and h are coded from the same float32 values written to `out`.
   */
  runDirectionCoded?(cell: CellSpec, weights: DirectionWeights, run: DirectionRun, out: DirectionRecord, sink: CodeSink): void;
}
