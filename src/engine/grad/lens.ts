/**
 * The memory lens: how strongly a readout at step T depends on every earlier state,
 * ‖∂L_T/∂h_t‖₂ and ‖∂L_T/∂C_t‖₂ for every layer, direction and step — why a vanilla RNN forgets
 * (the norms decay geometrically) and an LSTM can remember (they ride the forget gates).
 * Readouts: one unit's h_T (or C_T), the log-probability the decoder gives a token at T, or any fixed
 * vector v·h_T (the fixtures' L_T). Pure: weights and input in, norms out.
 */
import type { Network } from '../types';
import { UnrollError, numDirections, outputSize } from '../types';
import { backwardNetwork, decoderParamsOf, forwardNetwork, paramsOf, topOutput, type LossSpec } from './network';

export type Readout =
  | { kind: 'unit'; layer: number; direction: 0 | 1; unit: number; step: number; state?: 'h' | 'c' }
  | { kind: 'logprob'; step: number; token: number }
  | { kind: 'vector'; layer: number; direction: 0 | 1; step: number; v: Float64Array };

export interface LensResult {
  /** [layer][direction] → per step ‖∂L_T/∂h_t‖₂ (and ‖∂L_T/∂C_t‖₂ for the LSTM family, else empty). */
  layers: { h: Float64Array; c: Float64Array }[][];
  /** The readout's value at T. */
  value: number;
}

export function memoryLens(net: Network, x: Float32Array | Float64Array, readout: Readout, init: { h0?: Float64Array[]; c0?: Float64Array[] } = {}): LensResult {
  const { cell, shape } = net;
  const In = shape.inputSize;
  if (x.length === 0 || x.length % In !== 0) throw new UnrollError(`memory lens: the input has ${x.length} values, not a multiple of inputSize ${In}`);
  const T = x.length / In;
  if (!Number.isInteger(readout.step) || readout.step < 0 || readout.step >= T) throw new UnrollError(`memory lens: step ${readout.step} is outside 0…${T - 1}`);
  const L = shape.numLayers;
  const D = numDirections(shape);
  const Out = outputSize(cell, shape);
  const H = shape.hiddenSize;
  const params = paramsOf(net);
  const caches = forwardNetwork(net, params, { steps: T, x: Float64Array.from(x), tokens: null }, init);
  const loss: LossSpec = { h: Array.from({ length: L }, () => new Array(D).fill(null)), c: Array.from({ length: L }, () => new Array(D).fill(null)) };
  let value = 0;
  const t = readout.step;
  if (readout.kind === 'logprob') {
    const dec = decoderParamsOf(net);
    if (!dec) throw new UnrollError('memory lens: a log-probability readout needs a model with a decoder');
    if (!Number.isInteger(readout.token) || readout.token < 0 || readout.token >= dec.vocabSize) throw new UnrollError(`memory lens: token ${readout.token} is outside the vocabulary`);
    const width = D * Out;
    const out = topOutput(caches).subarray(t * width, (t + 1) * width);
    const z = Array.from({ length: dec.vocabSize }, (_, v) => dec.b[v] + out.reduce((s, o, j) => s + dec.W[v * width + j] * o, 0));
    const mx = Math.max(...z);
    const lse = mx + Math.log(z.reduce((s, v) => s + Math.exp(v - mx), 0));
    value = z[readout.token] - lse;
    // ∂ log p_y / ∂ out = Wᵀ (e_y − softmax): a linear readout of the top layer's output at T.
    for (let d = 0; d < D; d++) {
      const w = new Float64Array(T * Out);
      for (let v = 0; v < dec.vocabSize; v++) {
        const g = (v === readout.token ? 1 : 0) - Math.exp(z[v] - lse);
        for (let q = 0; q < Out; q++) w[t * Out + q] += g * dec.W[v * width + d * Out + q];
      }
      loss.h![L - 1][d] = w;
    }
  } else {
    const { layer, direction } = readout;
    if (layer < 0 || layer >= L || direction >= D) throw new UnrollError(`memory lens: no layer ${layer} direction ${direction} in this network`);
    const state = readout.kind === 'unit' ? (readout.state ?? 'h') : 'h';
    if (state === 'c' && cell.family !== 'lstm') throw new UnrollError('memory lens: only the LSTM family has a cell state C_t');
    const width = state === 'c' ? H : Out;
    const w = new Float64Array(T * width);
    if (readout.kind === 'unit') {
      if (readout.unit < 0 || readout.unit >= width) throw new UnrollError(`memory lens: unit ${readout.unit} is outside 0…${width - 1}`);
      w[t * width + readout.unit] = 1;
    } else {
      if (readout.v.length !== Out) throw new UnrollError(`memory lens: the readout vector has ${readout.v.length} entries, expected ${Out}`);
      w.set(readout.v, t * Out);
    }
    (state === 'c' ? loss.c! : loss.h!)[layer][direction] = w;
  }
  const g = backwardNetwork(net, params, caches, loss, undefined, { statesOnly: true });
  if (readout.kind !== 'logprob') value = g.lossValue;
  const norms = (a: Float64Array, width: number) => Float64Array.from({ length: T }, (_, s) => Math.hypot(...a.subarray(s * width, (s + 1) * width)));
  return {
    layers: g.stateGrads.map((row) => row.map((sg) => ({ h: norms(sg.h, Out), c: sg.c.length ? norms(sg.c, H) : new Float64Array(0) }))),
    value,
  };
}
