/**
 * The `grad` contract: a fixture-style spec (any spec `trace` accepts, plus a `grad` object with
 * lossTerms / lossWeights) in, the fixtures' `grad` format out (lossValue, weights, x, h0, c0,
 * stateGrads, gradNorms). The network comes from the engine's own spec loader, so `grad` differentiates
 * exactly the network `trace` runs. Pure: the caller passes the spec JSON and a file reader.
 */
import type { Network } from '../types';
import { UnrollError, numDirections, outputSize } from '../types';
import { networkFromSpec, parseSpec } from '../../model/spec';
import { gradientsByName } from './names';
import { backwardNetwork, decoderParamsOf, forwardNetwork, gradNorms, nextTokenTargets, paramsOf, type LossSpec } from './network';

type Json = Record<string, unknown>;

/** A rows × width matrix of finite numbers (nested or flat) → Float64Array. */
function matrix(v: unknown, rows: number, width: number, what: string): Float64Array {
  if (!Array.isArray(v)) throw new UnrollError(`spec: ${what} must be an array (${rows} × ${width})`);
  const flat = (v as unknown[]).flat(Infinity) as unknown[];
  if (flat.length !== rows * width) throw new UnrollError(`spec: ${what} has ${flat.length} numbers, expected ${rows} × ${width}`);
  const data = new Float64Array(flat.length);
  flat.forEach((x, k) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new UnrollError(`spec: ${what} has a non-finite value at index ${k}`);
    data[k] = x;
  });
  return data;
}

const rows = (m: Float64Array | Float32Array, width: number): number[][] => {
  const out: number[][] = [];
  for (let k = 0; k < m.length; k += width) out.push(Array.from(m.subarray(k, k + width)));
  return out;
};

function shaped(data: Float32Array | Float64Array, shape: number[]): unknown {
  if (shape.length <= 1) return Array.from(data);
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0] }, (_, k) => shaped(data.subarray(k * inner, (k + 1) * inner), shape.slice(1)));
}

const DIRS = ['forward', 'reverse'] as const;

/**
 * Compute the spec's loss, every gradient, the state gradients and gradNorms.
 * `readWeights(file)` resolves weights.file (relative to the spec) and returns its bytes.
 */
export function computeGradSpec(doc: unknown, readWeights: (file: string) => Uint8Array): Json {
  const spec = parseSpec(doc);
  const g = (doc as Json).grad as Json | undefined;
  if (!g || typeof g !== 'object') throw new UnrollError('spec: no "grad" object; it defines the loss (lossTerms, lossWeights.layers[l].forward/reverse.h/c)');
  const weights = spec.weightsFile ? { name: spec.weightsFile, bytes: readWeights(spec.weightsFile) } : undefined;
  const net: Network = networkFromSpec(spec, weights);
  const { cell, shape } = net;
  const D = numDirections(shape);
  const Out = outputSize(cell, shape);
  const H = shape.hiddenSize;
  const L = shape.numLayers;
  const lstm = cell.family === 'lstm';
  let x = spec.x;
  if (!x && spec.tokens && spec.tokens.every((k) => k < shape.inputSize)) {
    // A character model's spec may give only token ids: x_t is then the one-hot vector e_{tokens[t]}.
    x = new Float32Array(spec.tokens.length * shape.inputSize);
    spec.tokens.forEach((k, t) => (x![t * shape.inputSize + k] = 1));
  }
  if (!x || x.length === 0) throw new UnrollError('spec: no input sequence "x" (T × inputSize)');
  const T = x.length / shape.inputSize;
  const toRows = (a: Float32Array | undefined, w: number) => (a ? rows(a, w).map((r) => Float64Array.from(r)) : undefined);
  const init = { h0: toRows(spec.h0, Out), c0: lstm ? toRows(spec.c0, H) : undefined };

  const terms = (g.lossTerms ?? { h: true }) as Json;
  const lw = (g.lossWeights as Json | undefined)?.layers;
  if (!Array.isArray(lw) || lw.length !== L) throw new UnrollError(`spec: grad.lossWeights.layers must list ${L} layer(s)`);
  const weightOf = (l: number, d: number, key: 'h' | 'c', width: number): Float64Array => {
    const w = (lw[l] as Json)?.[DIRS[d]] as Json | undefined;
    if (!w || w[key] == null) throw new UnrollError(`spec: grad.lossWeights.layers[${l}].${DIRS[d]}.${key} is missing`);
    return matrix(w[key], T, width, `grad.lossWeights.layers[${l}].${DIRS[d]}.${key}`);
  };
  const loss: LossSpec = {
    h: Array.from({ length: L }, (_, l) => Array.from({ length: D }, (_, d) => (terms.h === false ? null : weightOf(l, d, 'h', Out)))),
    c: Array.from({ length: L }, (_, l) => Array.from({ length: D }, (_, d) => (lstm && terms.c ? weightOf(l, d, 'c', H) : null))),
  };
  if (terms.meanNll) {
    const V = net.decoder?.vocabSize;
    if (!V) throw new UnrollError('spec: lossTerms.meanNll needs a decoder (decoder.weight, decoder.bias) in the weights file');
    const tok = (doc as Json).tokens;
    if (!Array.isArray(tok) || tok.length !== T || tok.some((k) => !Number.isInteger(k) || k < 0 || k >= V))
      throw new UnrollError(`spec: lossTerms.meanNll needs "tokens": ${T} integer ids below ${V} (one per step of x)`);
    loss.nllTargets = nextTokenTargets(Int32Array.from(tok as number[]));
  }

  const params = paramsOf(net);
  const caches = forwardNetwork(net, params, { steps: T, x: Float64Array.from(x), tokens: null }, init);
  const gr = backwardNetwork(net, params, caches, loss, decoderParamsOf(net), { inputGrad: true });
  // L_T: the last layer's loss weights at each direction's last processed step (t = T−1 forward, 0 reverse).
  const vT = Array.from({ length: D }, (_, d) => {
    const t = d === 0 ? T - 1 : 0;
    return weightOf(L - 1, d, 'h', Out).slice(t * Out, (t + 1) * Out);
  });
  const norms = gradNorms(net, params, caches, vT);

  const named: Json = {};
  for (const [name, t] of gradientsByName(spec, weights, net, gr)) named[name] = shaped(t.data, t.shape);
  const byDir = <V>(f: (l: number, d: number) => V) =>
    Array.from({ length: L }, (_, l) => Object.fromEntries(Array.from({ length: D }, (_, d) => [DIRS[d], f(l, d)])));
  const out: Json = { lossValue: gr.lossValue, weights: named, x: rows(gr.x!, shape.inputSize), h0: gr.h0.map((r) => Array.from(r)) };
  if (lstm) out.c0 = gr.c0.map((r) => Array.from(r));
  out.stateGrads = {
    layers: byDir((l, d) => {
      const s = gr.stateGrads[l][d];
      return lstm ? { h: rows(s.h, Out), c: rows(s.c, H) } : { h: rows(s.h, Out) };
    }),
  };
  out.gradNorms = {
    loss: 'L_T = Σ_d lossWeights.layers[L-1][d].h[t_d] · h^(L-1,d)_{t_d}, t_forward = T-1, t_reverse = 0',
    lossValue: norms.lossValue,
    layers: byDir((l, d) => (lstm ? { h: norms.layers[l][d].h, c: norms.layers[l][d].c } : { h: norms.layers[l][d].h })),
  };
  return out;
}
