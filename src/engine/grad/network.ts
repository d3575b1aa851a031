/**
 * Whole-network BPTT: stacks, bidirectional layers, losses on h_t / C_t and the decoder's mean
 * next-token cross-entropy, the per-step state gradients and the "vanishing gradient" norms of L_T.
 * Pure: weights in, numbers out.
 */
import type { Network } from '../types';
import { layerInputSize, numDirections, outputSize } from '../types';
import { dotRows, gemmTN, transpose } from './rows';
import { backwardDirection, forwardDirection, zeroGrads, type DirCache, type DirGrads, type DirParams } from './direction';

export type Params = DirParams[][];

/** Widen a network's float32 weights to float64 (the exact path for gradients and training). */
export function paramsOf(net: Network): Params {
  const f64 = (a: Float32Array | undefined): Float64Array | undefined => (a ? Float64Array.from(a) : undefined);
  return net.layers.map((dirs) =>
    dirs.map((w) => ({ W: f64(w.W)!, R: f64(w.R)!, bW: f64(w.bW)!, bR: f64(w.bR)!, P: f64(w.P), Wproj: f64(w.Wproj) })),
  );
}

export interface DecoderParams {
  W: Float64Array; // [V, D*Out]
  b: Float64Array; // [V]
  vocabSize: number;
}

export function decoderParamsOf(net: Network): DecoderParams | undefined {
  const d = net.decoder;
  return d ? { W: Float64Array.from(d.W), b: Float64Array.from(d.b), vocabSize: d.vocabSize } : undefined;
}

/** The network input: dense rows x_t, or token ids of a one-hot input. */
export interface NetInput {
  steps: number;
  x: Float64Array | null;
  tokens: Int32Array | null;
}

/** Initial states as rows layer*D + direction (torch h_0 order); undefined = zeros. */
export interface InitialStates {
  h0?: Float64Array[];
  c0?: Float64Array[];
}

export function forwardNetwork(net: Network, params: Params, input: NetInput, init: InitialStates = {}): DirCache[][] {
  const { cell, shape } = net;
  const D = numDirections(shape);
  const Out = outputSize(cell, shape);
  const T = input.steps;
  const caches: DirCache[][] = [];
  let layerIn: { x: Float64Array | null; tokens: Int32Array | null } = { x: input.x, tokens: input.tokens };
  for (let l = 0; l < shape.numLayers; l++) {
    const In = layerInputSize(cell, shape, l);
    const row: DirCache[] = [];
    for (let d = 0; d < D; d++) {
      const dims = { steps: T, inputSize: In, hiddenSize: shape.hiddenSize, outputSize: Out, reverse: d === 1 };
      row.push(forwardDirection(cell, params[l][d], dims, layerIn, init.h0?.[l * D + d], init.c0?.[l * D + d]));
    }
    caches.push(row);
    const next = new Float64Array(T * D * Out);
    for (let t = 0; t < T; t++) for (let d = 0; d < D; d++) next.set(row[d].h.subarray(t * Out, t * Out + Out), (t * D + d) * Out);
    layerIn = { x: next, tokens: null };
  }
  return caches;
}

/** Last layer's output [T, D*Out], [forward | reverse] per row (torch `output`). */
export function topOutput(caches: DirCache[][]): Float64Array {
  const top = caches[caches.length - 1];
  const { steps: T, outputSize: Out } = top[0].dims;
  const D = top.length;
  const out = new Float64Array(T * D * Out);
  for (let t = 0; t < T; t++) for (let d = 0; d < D; d++) out.set(top[d].h.subarray(t * Out, t * Out + Out), (t * D + d) * Out);
  return out;
}

/** L = Σ lossWeights·h (+ ·C) + meanNll; weights per [layer][direction], [T*Out] / [T*H]. */
export interface LossSpec {
  h?: (Float64Array | null)[][];
  c?: (Float64Array | null)[][];
  /** Mean cross-entropy of the decoder's prediction at step t of target[t] (−1 = no term); see nextTokenTargets. */
  nllTargets?: Int32Array;
}

export interface NetworkGradients {
  lossValue: number;
  /** Weight gradients per [layer][direction], canonical layout. */
  weights: DirGrads[][];
  decoder?: { W: Float64Array; b: Float64Array };
  /** dL/dx [T*inputSize] (w.r.t. the one-hot vectors for token input); null when not requested. */
  x: Float64Array | null;
  h0: Float64Array[];
  c0: Float64Array[];
  /** Total dL/dh_t, dL/dC_t per [layer][direction]. */
  stateGrads: { h: Float64Array; c: Float64Array }[][];
}

export interface BackwardNetOptions {
  /** Skip weight gradients (state gradients only). */
  statesOnly?: boolean;
  /** Compute dL/dx of the network input (costly for one-hot inputs). */
  inputGrad?: boolean;
}

/**
 * Mean next-token cross-entropy over the steps that have a target (targets[t] ≥ 0), and dL/dlogits.
 * Uses log-sum-exp so saturated logits cannot overflow.
 */
function meanNll(dec: DecoderParams, out: Float64Array, width: number, targets: Int32Array, T: number) {
  const V = dec.vocabSize;
  const dlogits = new Float64Array(T * V);
  let terms = 0;
  for (let t = 0; t < T; t++) if (targets[t] >= 0) terms++;
  if (terms === 0) return { loss: 0, dlogits };
  let loss = 0;
  const z = new Float64Array(V);
  for (let t = 0; t < T; t++) {
    const y = targets[t];
    if (y < 0) continue;
    let mx = -Infinity;
    dotRows(dec.W, width, 0, V, out, t * width, dec.b, z, 0);
    for (let v = 0; v < V; v++) if (z[v] > mx) mx = z[v];
    let sum = 0;
    for (let v = 0; v < V; v++) sum += Math.exp(z[v] - mx);
    const lse = mx + Math.log(sum);
    loss += lse - z[y];
    for (let v = 0; v < V; v++) dlogits[t * V + v] = Math.exp(z[v] - lse) / terms;
    dlogits[t * V + y] -= 1 / terms;
  }
  return { loss: loss / terms, dlogits };
}

/** The fixtures' meanNll: step t predicts tokens[t+1], t = 0..T−2. */
export function nextTokenTargets(tokens: Int32Array): Int32Array {
  const y = new Int32Array(tokens.length).fill(-1);
  for (let t = 0; t + 1 < tokens.length; t++) y[t] = tokens[t + 1];
  return y;
}

export function backwardNetwork(
  net: Network,
  params: Params,
  caches: DirCache[][],
  loss: LossSpec,
  dec?: DecoderParams,
  opts: BackwardNetOptions = {},
): NetworkGradients {
  const { cell, shape } = net;
  const L = shape.numLayers;
  const D = numDirections(shape);
  const Out = outputSize(cell, shape);
  const T = caches[0][0].dims.steps;
  const lstm = cell.family === 'lstm';
  let lossValue = 0;
  // Loss value and the direct dL/dh_t, dL/dC_t of every layer and direction.
  const dhDirect: Float64Array[][] = [];
  const dcDirect: (Float64Array | null)[][] = [];
  for (let l = 0; l < L; l++) {
    dhDirect.push([]);
    dcDirect.push([]);
    for (let d = 0; d < D; d++) {
      const wh = loss.h?.[l]?.[d] ?? null;
      const dhd = new Float64Array(T * Out);
      if (wh) {
        const h = caches[l][d].h;
        for (let k = 0; k < dhd.length; k++) {
          lossValue += wh[k] * h[k];
          dhd[k] = wh[k];
        }
      }
      dhDirect[l].push(dhd);
      const wc = lstm ? (loss.c?.[l]?.[d] ?? null) : null;
      if (wc) {
        const c = caches[l][d].c;
        for (let k = 0; k < wc.length; k++) lossValue += wc[k] * c[k];
      }
      dcDirect[l].push(wc);
    }
  }
  let decGrads: { W: Float64Array; b: Float64Array } | undefined;
  if (loss.nllTargets && dec) {
    const width = D * Out;
    const out = topOutput(caches);
    const { loss: nll, dlogits } = meanNll(dec, out, width, loss.nllTargets, T);
    lossValue += nll;
    const V = dec.vocabSize;
    decGrads = { W: new Float64Array(V * width), b: new Float64Array(V) };
    const dOut = new Float64Array(width);
    const WT = transpose(dec.W, V, width);
    for (let t = 0; t < T; t++) {
      if (loss.nllTargets[t] < 0) continue;
      dOut.fill(0);
      for (let v = 0; v < V; v++) decGrads.b[v] += dlogits[t * V + v];
      dotRows(WT, V, 0, width, dlogits, t * V, dOut, dOut, 0); // dOut = W_decᵀ dlogits_t, rows ascending
      for (let d = 0; d < D; d++) {
        const dh = dhDirect[L - 1][d];
        for (let q = 0; q < Out; q++) dh[t * Out + q] += dOut[d * Out + q];
      }
    }
    // dW_dec = Σ_t dlogits_t ⊗ out_t in one pass (steps without a target have zero dlogits).
    gemmTN(decGrads.W, V, width, dlogits, out, T);
  }
  const weights: DirGrads[][] = params.map((row) => row.map((p) => zeroGrads(p)));
  const stateGrads: { h: Float64Array; c: Float64Array }[][] = Array.from({ length: L }, () => []);
  const h0: Float64Array[] = new Array(L * D);
  const c0: Float64Array[] = new Array(L * D);
  let dxInput: Float64Array | null = null;
  for (let l = L - 1; l >= 0; l--) {
    const In = caches[l][0].dims.inputSize;
    const wantDx = l > 0 || !!opts.inputGrad;
    const dx = wantDx ? new Float64Array(T * In) : null;
    for (let d = 0; d < D; d++) {
      const r = backwardDirection(cell, params[l][d], caches[l][d], {
        dhDirect: dhDirect[l][d],
        dcDirect: dcDirect[l][d],
        grads: opts.statesOnly ? null : weights[l][d],
        dx,
      });
      stateGrads[l][d] = { h: r.dh, c: r.dc };
      h0[l * D + d] = r.dh0;
      c0[l * D + d] = lstm ? r.dc0 : new Float64Array(0);
    }
    if (l > 0) {
      // Split the gradient at layer l-1's output into its forward and reverse halves.
      for (let t = 0; t < T; t++)
        for (let d = 0; d < D; d++)
          for (let q = 0; q < Out; q++) dhDirect[l - 1][d][t * Out + q] += dx![(t * D + d) * Out + q];
    } else dxInput = dx;
  }
  return { lossValue, weights, decoder: decGrads, x: dxInput, h0, c0, stateGrads };
}

/**
 * Norms for the "vanishing gradient" view: L_T = Σ_d v_d · h^(L-1,d)_{t_d} (t_forward = T−1,
 * t_reverse = 0), and ‖dL_T/dh^(l,d)_t‖₂, ‖dL_T/dC^(l,d)_t‖₂ for every layer, direction and step.
 */
export function gradNorms(net: Network, params: Params, caches: DirCache[][], v: (Float64Array | null)[]) {
  const L = net.shape.numLayers;
  const D = numDirections(net.shape);
  const Out = outputSize(net.cell, net.shape);
  const T = caches[0][0].dims.steps;
  const h: (Float64Array | null)[][] = Array.from({ length: L }, () => new Array(D).fill(null));
  let lossValue = 0;
  for (let d = 0; d < D; d++) {
    const vd = v[d];
    if (!vd) continue;
    const t = d === 0 ? T - 1 : 0;
    const w = new Float64Array(T * Out);
    w.set(vd, t * Out);
    h[L - 1][d] = w;
  }
  const g = backwardNetwork(net, params, caches, { h }, undefined, { statesOnly: true });
  lossValue = g.lossValue;
  const norm = (a: Float64Array, width: number, t: number): number => {
    let s = 0;
    for (let j = 0; j < width; j++) s += a[t * width + j] * a[t * width + j];
    return Math.sqrt(s);
  };
  const layers = g.stateGrads.map((row) =>
    row.map((sg) => ({
      h: Array.from({ length: T }, (_, t) => norm(sg.h, Out, t)),
      c: sg.c.length ? Array.from({ length: T }, (_, t) => norm(sg.c, net.shape.hiddenSize, t)) : null,
    })),
  );
  return { lossValue, layers };
}
