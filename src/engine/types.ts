/**
 * The engine's canonical model of a recurrent network. Every loader (safetensors, ONNX, JSON, random)
 * normalises into these types; every kernel (plain TypeScript, WebAssembly SIMD) reads only them.
 * Pure: no `vscode` import, no I/O.
 */
import { messageOf, msg, type Message, type MessageArg } from '../l10n/format';

/** Cell family; the variant flags below refine it. */
export type CellFamily = 'rnn' | 'lstm' | 'gru';

/**
 * How a coupled input/forget gate (CIFG) is formed.
 * - `none`: independent i and f.
 * - `keep-forget`: the classic form (colah, Greff et al., TF CoupledInputForgetGateLSTMCell): f is computed, i = 1 − f.
 * - `keep-input`: ONNX Runtime's input_forget=1: i is computed, f = 1 − i.
 */
export type Coupling = 'none' | 'keep-forget' | 'keep-input';

/** The fixture/spec `cell` names: a family plus the variant, one string. */
export type CellName =
  | 'rnn_tanh'
  | 'rnn_relu'
  | 'lstm'
  | 'lstm_proj'
  | 'lstm_peephole'
  | 'lstm_cifg'
  | 'lstm_cifg_peephole'
  | 'gru'
  | 'gru_cho';

export interface CellSpec {
  family: CellFamily;
  /** RNN only: the activation of h_t. */
  nonlinearity: 'tanh' | 'relu';
  /** LSTM only: i, f see C_{t-1} and o sees C_t (Gers & Schmidhuber 2000). */
  peephole: boolean;
  /** LSTM only. */
  coupling: Coupling;
  /** GRU only: true = reset applied after the hidden matmul (PyTorch/cuDNN, ONNX linear_before_reset=1); false = Cho et al. 2014. */
  resetAfter: boolean;
  /** LSTM only: projection size (PyTorch proj_size); 0 = none. */
  projSize: number;
  /** ONNX-style clip of gate pre-activations; 0 or undefined = none. */
  clip?: number;
}

export interface NetworkShape {
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
}

/** Gate names in canonical (engine) order. */
export const LSTM_GATES = ['i', 'f', 'g', 'o'] as const;
export const GRU_GATES = ['r', 'z', 'n'] as const;
export type GateName = (typeof LSTM_GATES)[number] | (typeof GRU_GATES)[number];

/** Number of gate row-blocks per family: LSTM 4 (i,f,g,o), GRU 3 (r,z,n), RNN 1. */
export function gateCount(family: CellFamily): number {
  return family === 'lstm' ? 4 : family === 'gru' ? 3 : 1;
}

/**
 * Weights of one direction of one layer, in canonical gate order (LSTM i,f,g,o; GRU r,z,n; RNN one block),
 * row-major float32. G = gateCount, H = hiddenSize, In = layer input width, Out = outputSize (projSize || H).
 */
export interface DirectionWeights {
  /** W: [G*H, In] input weights. */
  W: Float32Array;
  /** R: [G*H, Out] recurrent weights. */
  R: Float32Array;
  /** Input-side bias [G*H] (PyTorch b_ih, ONNX Wb); zeros when the model has none. */
  bW: Float32Array;
  /** Recurrent-side bias [G*H] (PyTorch b_hh, ONNX Rb). Kept separate: the PyTorch GRU candidate needs b_hn inside r ⊙ (…). */
  bR: Float32Array;
  /** Peephole weights [3*H] in canonical order p_i, p_f, p_o (peephole LSTM only). */
  P?: Float32Array;
  /** Projection [P, H] (projected LSTM only): h_t = W_hr m_t. */
  Wproj?: Float32Array;
}

/** Optional linear decoder: logits_t = W h_t + b over the last layer's output [fwd | rev]. */
export interface Decoder {
  /** [V, D*Out] */
  W: Float32Array;
  /** [V] */
  b: Float32Array;
  vocabSize: number;
}

export interface Network {
  cell: CellSpec;
  shape: NetworkShape;
  /** layers[k][d]: d = 0 forward, 1 reverse. */
  layers: DirectionWeights[][];
  decoder?: Decoder;
  /** Where the weights came from, for display ("fixture.safetensors", "seeded random (seed 42)", …). */
  source: string;
}

/** Width of a layer's output per direction. */
export function outputSize(cell: CellSpec, shape: NetworkShape): number {
  return cell.family === 'lstm' && cell.projSize > 0 ? cell.projSize : shape.hiddenSize;
}

export function numDirections(shape: NetworkShape): number {
  return shape.bidirectional ? 2 : 1;
}

/** Input width of layer k. */
export function layerInputSize(cell: CellSpec, shape: NetworkShape, layer: number): number {
  return layer === 0 ? shape.inputSize : numDirections(shape) * outputSize(cell, shape);
}

/** Gate names of a cell family in canonical order (RNN has none: its only activation is h). */
export function gateNames(family: CellFamily): readonly GateName[] {
  return family === 'lstm' ? LSTM_GATES : family === 'gru' ? GRU_GATES : [];
}

/**
 * An error meant for a person: one clear line, no stack trace needed. Made from `msg(…)` (or with
 * `UnrollError.of`), it keeps the template and arguments so the host can show it localised.
 */
export class UnrollError extends Error {
  /** The localisable form of `message`, when it was made by `msg`. */
  readonly l10n?: Message;

  constructor(message: string) {
    super(message);
    this.name = 'UnrollError';
    this.l10n = messageOf(message);
  }

  /** `new UnrollError(msg(template, ...args))`. */
  static of(template: string, ...args: MessageArg[]): UnrollError {
    return new UnrollError(msg(template, ...args));
  }
}
