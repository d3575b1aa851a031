/**
 * The `grad` contract: a fixture-style spec (metadata, weights file, x, h0, c0 and a `grad` object with
 * lossTerms / lossWeights) in, `{"grad": {...}}` in the fixtures' format out.
 * Pure: the caller passes the spec JSON and a function that reads the weights file.
 */
import type { CellSpec, Network } from '../types';
import { UnrollError, numDirections, outputSize } from '../types';
import { backwardNetwork, decoderParamsOf, forwardNetwork, gradNorms, nextTokenTargets, paramsOf, type LossSpec } from './network';
import { decoderFromNamed, fromNamed, readSafetensors, toNamed, type Convention } from './tensors';

type Json = Record<string, unknown>;

const CELLS: Record<string, Partial<CellSpec> & Pick<CellSpec, 'family'>> = {
  rnn_tanh: { family: 'rnn', nonlinearity: 'tanh' },
  rnn_relu: { family: 'rnn', nonlinearity: 'relu' },
  lstm: { family: 'lstm' },
  lstm_proj: { family: 'lstm' },
  lstm_peephole: { family: 'lstm', peephole: true },
  lstm_cifg: { family: 'lstm', coupling: 'keep-input' },
  lstm_cifg_peephole: { family: 'lstm', peephole: true, coupling: 'keep-input' },
  gru: { family: 'gru', resetAfter: true },
  gru_cho: { family: 'gru', resetAfter: false },
};

const int = (s: Json, k: string, min: number): number => {
  const v = s[k];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new UnrollError(`spec: "${k}" must be an integer ≥ ${min}`);
  return v;
};

/** Cell + shape from the spec's metadata; flags that contradict `cell` are errors, not guesses. */
export function cellOfSpec(s: Json): { cell: CellSpec; net: Pick<Network, 'cell' | 'shape'>; convention: Convention } {
  const name = String(s.cell);
  const base = CELLS[name];
  if (!base) throw new UnrollError(`spec: unknown cell "${name}" (expected one of ${Object.keys(CELLS).join(', ')})`);
  const convention = (s.convention ?? (name.startsWith('lstm_peep') || name.startsWith('lstm_cifg') || name === 'gru_cho' ? 'onnx' : 'pytorch')) as string;
  if (convention !== 'pytorch' && convention !== 'onnx') throw new UnrollError(`spec: grad supports the pytorch and onnx conventions, not "${convention}"`);
  const projSize = typeof s.projSize === 'number' ? s.projSize : 0;
  if (name === 'lstm_proj' && !(projSize > 0)) throw new UnrollError('spec: cell lstm_proj needs projSize > 0');
  if (name !== 'lstm_proj' && projSize > 0) throw new UnrollError(`spec: projSize ${projSize} contradicts cell ${name}`);
  if (base.family === 'rnn' && s.nonlinearity != null && s.nonlinearity !== base.nonlinearity)
    throw new UnrollError(`spec: nonlinearity "${String(s.nonlinearity)}" contradicts cell ${name}`);
  if (base.family === 'gru' && s.linearBeforeReset != null && Number(s.linearBeforeReset) !== (base.resetAfter ? 1 : 0))
    throw new UnrollError(`spec: linearBeforeReset ${String(s.linearBeforeReset)} contradicts cell ${name}`);
  if (base.family === 'lstm') {
    if (s.peephole != null && !!s.peephole !== !!base.peephole) throw new UnrollError(`spec: peephole ${String(s.peephole)} contradicts cell ${name}`);
    const cifg = base.coupling === 'keep-input';
    if (s.inputForget != null && !!s.inputForget !== cifg) throw new UnrollError(`spec: inputForget ${String(s.inputForget)} contradicts cell ${name}`);
  }
  let coupling = base.coupling ?? 'none';
  if (s.coupling != null) {
    if (coupling === 'none' || (s.coupling !== 'keep-forget' && s.coupling !== 'keep-input'))
      throw new UnrollError(`spec: coupling "${String(s.coupling)}" does not fit cell ${name}`);
    coupling = s.coupling as CellSpec['coupling'];
  }
  const cell: CellSpec = {
    family: base.family,
    nonlinearity: base.nonlinearity ?? 'tanh',
    peephole: !!base.peephole,
    coupling,
    resetAfter: base.resetAfter ?? true,
    projSize,
    clip: typeof s.clip === 'number' && s.clip > 0 ? s.clip : undefined,
  };
  const shape = {
    inputSize: int(s, 'inputSize', 1),
    hiddenSize: int(s, 'hiddenSize', 1),
    numLayers: int(s, 'numLayers', 1),
    bidirectional: !!s.bidirectional,
  };
  return { cell, net: { cell, shape }, convention };
}

/** A T × width matrix of finite numbers (nested or flat) → Float64Array. */
export function matrix(v: unknown, rows: number | null, width: number, what: string): { data: Float64Array; rows: number } {
  if (!Array.isArray(v)) throw new UnrollError(`spec: ${what} must be an array`);
  const flat = (v as unknown[]).flat(Infinity) as unknown[];
  if (flat.length % width !== 0 || (rows != null && flat.length !== rows * width))
    throw new UnrollError(`spec: ${what} has ${flat.length} numbers, expected ${rows ?? 'T'} × ${width}`);
  const data = new Float64Array(flat.length);
  flat.forEach((x, k) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new UnrollError(`spec: ${what} contains a non-finite value at index ${k}`);
    data[k] = x;
  });
  return { data, rows: flat.length / width };
}

function rows(m: Float64Array, width: number): number[][] {
  const out: number[][] = [];
  for (let k = 0; k < m.length; k += width) out.push(Array.from(m.subarray(k, k + width)));
  return out;
}

function shaped(data: Float32Array, shape: number[]): unknown {
  if (shape.length <= 1) return Array.from(data);
  const inner = shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0] }, (_, k) => shaped(data.subarray(k * inner, (k + 1) * inner), shape.slice(1)));
}

/** Compute the spec's loss, its gradients, state gradients and gradNorms; returns the `grad` object. */
export function computeGradSpec(spec: Json, readWeights: (file: string) => Uint8Array): Json {
  const { cell, net: meta, convention } = cellOfSpec(spec);
  const { shape } = meta;
  const g = spec.grad as Json | undefined;
  if (!g || typeof g !== 'object') throw new UnrollError('spec: no "grad" object (lossTerms, lossWeights) defines the loss');
  const wf = (spec.weights as Json | undefined)?.file;
  if (typeof wf !== 'string') throw new UnrollError('spec: weights.file is missing');
  const named = readSafetensors(readWeights(wf), wf);
  const net: Network = { cell, shape, layers: fromNamed({ cell, shape, convention }, named, wf), source: wf };
  const dec = decoderFromNamed(net, named, wf);
  if (dec) net.decoder = dec;
  const D = numDirections(shape);
  const Out = outputSize(cell, shape);
  const H = shape.hiddenSize;
  const L = shape.numLayers;
  const lstm = cell.family === 'lstm';
  const x = matrix(spec.x, null, shape.inputSize, 'x');
  const T = x.rows;
  if (T < 1) throw new UnrollError('spec: x has no time steps');
  const init = {
    h0: spec.h0 == null ? undefined : rows(matrix(spec.h0, L * D, Out, 'h0').data, Out).map((r) => Float64Array.from(r)),
    c0: spec.c0 == null || !lstm ? undefined : rows(matrix(spec.c0, L * D, H, 'c0').data, H).map((r) => Float64Array.from(r)),
  };
  const terms = (g.lossTerms ?? { h: true }) as Json;
  const lw = ((g.lossWeights as Json | undefined)?.layers ?? []) as Json[];
  if (lw.length !== L) throw new UnrollError(`spec: grad.lossWeights.layers has ${lw.length} layers, expected ${L}`);
  const dirName = (d: number) => (d === 0 ? 'forward' : 'reverse');
  const loss: LossSpec = { h: [], c: [] };
  for (let l = 0; l < L; l++) {
    loss.h!.push([]);
    loss.c!.push([]);
    for (let d = 0; d < D; d++) {
      const w = lw[l]?.[dirName(d)] as Json | undefined;
      if (!w) throw new UnrollError(`spec: grad.lossWeights.layers[${l}].${dirName(d)} is missing`);
      loss.h![l].push(terms.h === false ? null : matrix(w.h, T, Out, `lossWeights.layers[${l}].${dirName(d)}.h`).data);
      loss.c![l].push(lstm && terms.c ? matrix(w.c, T, H, `lossWeights.layers[${l}].${dirName(d)}.c`).data : null);
    }
  }
  if (terms.meanNll) {
    if (!net.decoder) throw new UnrollError('spec: lossTerms.meanNll needs decoder.weight and decoder.bias in the weights file');
    const tok = spec.tokens;
    if (!Array.isArray(tok) || tok.length !== T || tok.some((k) => !Number.isInteger(k) || k < 0 || k >= net.decoder!.vocabSize))
      throw new UnrollError(`spec: lossTerms.meanNll needs "tokens": ${T} integer ids below ${net.decoder.vocabSize}`);
    loss.nllTargets = nextTokenTargets(Int32Array.from(tok as number[]));
  }
  const params = paramsOf(net);
  const decP = decoderParamsOf(net);
  const caches = forwardNetwork(net, params, { steps: T, x: x.data, tokens: null }, init);
  const gr = backwardNetwork(net, params, caches, loss, decP, { inputGrad: true });
  // L_T uses the last layer's loss weights at each direction's last processed step (t = T−1 forward, 0 reverse).
  const vT = Array.from({ length: D }, (_, d) => {
    const w = matrix((lw[L - 1][dirName(d)] as Json).h, T, Out, `lossWeights.layers[${L - 1}].${dirName(d)}.h`).data;
    const t = d === 0 ? T - 1 : 0;
    return w.slice(t * Out, (t + 1) * Out);
  });
  const norms = gradNorms(net, params, caches, vT);
  const present = new Set(named.keys());
  const weights: Json = {};
  for (const [name, t] of toNamed({ cell, shape, convention }, gr.weights, present)) weights[name] = shaped(t.data, t.shape);
  if (gr.decoder && net.decoder) {
    const width = D * Out;
    weights['decoder.weight'] = rows(gr.decoder.W, width);
    weights['decoder.bias'] = Array.from(gr.decoder.b);
  }
  const byDir = <T>(f: (l: number, d: number) => T) =>
    Array.from({ length: L }, (_, l) => Object.fromEntries(Array.from({ length: D }, (_, d) => [dirName(d), f(l, d)])));
  const out: Json = {
    lossValue: gr.lossValue,
    weights,
    x: rows(gr.x!, shape.inputSize),
    h0: gr.h0.map((r) => Array.from(r)),
  };
  if (lstm) out.c0 = gr.c0.map((r) => Array.from(r));
  out.stateGrads = {
    layers: byDir((l, d) => {
      const s = gr.stateGrads[l][d];
      return lstm ? { h: rows(s.h, Out), c: rows(s.c, H) } : { h: rows(s.h, Out) };
    }),
  };
  out.gradNorms = {
    lossValue: norms.lossValue,
    layers: byDir((l, d) => (lstm ? { h: norms.layers[l][d].h, c: norms.layers[l][d].c } : { h: norms.layers[l][d].h })),
  };
  return out;
}
