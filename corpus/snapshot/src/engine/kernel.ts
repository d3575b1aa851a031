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

export interface Kernel {
  readonly name: string;
  runDirection(cell: CellSpec, weights: DirectionWeights, run: DirectionRun, out: DirectionRecord): void;
}
