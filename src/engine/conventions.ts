/**
 * Named weight tensors in a framework's convention → the canonical Network (gate order LSTM i,f,g,o;
 * GRU r,z,n; W [G·H, In], R [G·H, Out], two biases, peepholes p_i,p_f,p_o).
 *
 * PyTorch  state_dict names weight_ih_l{k}[_reverse], weight_hh_…, bias_ih_…, bias_hh_…, weight_hr_… (proj);
 *          rows i,f,g,o / r,z,n. An optional common prefix ("lstm.", "rnn.") is found automatically.
 * ONNX     W_l{k} [D, G·H, In], R_l{k} [D, G·H, Out], B_l{k} [D, 2·G·H] = [Wb ; Rb], P_l{k} [D, 3H] = p_i,p_o,p_f;
 *          rows i,o,f,c / z,r,h (single layer: plain W, R, B, P also accepted).
 * Keras    kernel_l{k}[_reverse] [In, G·H], recurrent_kernel_… [Out, G·H] (transposed), bias_… [G·H]
 *          (or [2, G·H] for GRU reset_after: input bias, recurrent bias); columns i,f,c,o / z,r,h.
 *          Single layer, one direction: any names ending in kernel / recurrent_kernel / bias (":0" allowed).
 * Peepholes outside ONNX: peephole_l{k}[_reverse] [3H] in canonical order p_i, p_f, p_o.
 * Decoder (any convention): decoder.weight [V, D·Out], decoder.bias [V].
 * Every tensor must have exactly the expected shape; with `strict`, a recurrent tensor that the shape
 * does not use (an extra layer, a reverse direction of a unidirectional net) is an error, not ignored.
 */
import type { NamedTensor, TensorMap } from '../model/safetensors';
import { validateNetwork } from './network';
import { type CellSpec, type Decoder, type DirectionWeights, type Network, type NetworkShape, UnrollError, gateCount, layerInputSize, numDirections, outputSize } from './types';

export type Convention = 'pytorch' | 'onnx' | 'keras';

export interface ModelDescription {
  cell: CellSpec;
  shape: NetworkShape;
  /** false: the model has no biases (none may be present); undefined: optional. */
  bias?: boolean;
  /** Row-block order of the stored gate tensors when it differs from the convention's usual one. */
  gateOrder?: readonly string[] | null;
}

/** perm[canonical block] = block index in the source convention. */
const ONNX_PERM = { lstm: [0, 2, 3, 1], gru: [1, 0, 2], rnn: [0] };
const KERAS_PERM = { lstm: [0, 1, 2, 3], gru: [1, 0, 2], rnn: [0] };

const DEFAULT_PERM: Record<Convention, Record<CellSpec['family'], number[]>> = {
  pytorch: { lstm: [0, 1, 2, 3], gru: [0, 1, 2], rnn: [0] },
  onnx: ONNX_PERM,
  keras: KERAS_PERM,
};
/** Gate letters per family, canonical order, with the other conventions' names for the same gate. */
const SYNONYMS: Record<string, Record<string, number>> = {
  lstm: { i: 0, f: 1, g: 2, c: 2, o: 3 },
  gru: { r: 0, z: 1, n: 2, h: 2 },
};

/**
 * perm[canonical block] = source block, from a declared row-block order (e.g. ["i","o","f","c"]) or the
 * convention's default. A declared order must name every gate of the family once.
 */
export function gatePermutation(family: CellSpec['family'], convention: Convention, order?: readonly string[] | null): number[] {
  if (!order || family === 'rnn') return DEFAULT_PERM[convention][family];
  const names = SYNONYMS[family];
  const perm = new Array<number>(gateCount(family)).fill(-1);
  order.forEach((g, src) => {
    const canon = names[g];
    if (canon !== undefined && perm[canon] === -1) perm[canon] = src;
    else perm.fill(-2);
  });
  if (order.length !== perm.length || perm.some((p) => p < 0)) {
    throw UnrollError.of('gateOrder {0} must list each {1} gate once ({2})', JSON.stringify(order), family.toUpperCase(), Object.keys(names).join(', '));
  }
  return perm;
}

/** `a` cut into perm.length equal blocks, block `to` of the result taken from block perm[to] (gate rows, peepholes). */
export function permuteBlocks(a: Float32Array, perm: readonly number[]): Float32Array {
  const block = a.length / perm.length;
  const out = new Float32Array(a.length);
  perm.forEach((from, to) => out.set(a.subarray(from * block, (from + 1) * block), to * block));
  return out;
}

/** ONNX peepholes are p_i,p_o,p_f; canonical p_i,p_f,p_o. The swap is its own inverse, so it serves writers too. */
export const ONNX_PEEPHOLE_PERM: readonly number[] = [0, 2, 1];

/** Flat ONNX recurrent weights of every direction: W [D, G·H, In], R [D, G·H, H], B [D, 2·G·H] (= [Wb ; Rb]), P [D, 3H]. */
export interface OnnxWeights {
  W: Float32Array;
  R: Float32Array;
  B?: Float32Array;
  P?: Float32Array;
}

/**
 * Direction d of ONNX recurrent weights in canonical order: gate row blocks by `perm` (see gatePermutation),
 * peepholes p_i,p_o,p_f → p_i,p_f,p_o. The one place the ONNX layout is decoded (weight files and .onnx graphs).
 */
export function onnxDirectionWeights(t: OnnxWeights, d: number, H: number, In: number, perm: number[]): DirectionWeights {
  const GH = perm.length * H;
  const w: DirectionWeights = {
    W: permuteBlocks(t.W.subarray(d * GH * In, (d + 1) * GH * In), perm),
    R: permuteBlocks(t.R.subarray(d * GH * H, (d + 1) * GH * H), perm),
    bW: t.B ? permuteBlocks(t.B.subarray(2 * d * GH, (2 * d + 1) * GH), perm) : zeros(GH),
    bR: t.B ? permuteBlocks(t.B.subarray((2 * d + 1) * GH, (2 * d + 2) * GH), perm) : zeros(GH),
  };
  if (t.P) w.P = permuteBlocks(t.P.subarray(d * 3 * H, (d + 1) * 3 * H), ONNX_PEEPHOLE_PERM);
  return w;
}

/** [rows, cols] → [cols, rows] */
function transpose(src: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(src.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = src[r * cols + c];
  return out;
}

class Tensors {
  readonly used = new Set<string>();
  constructor(private readonly map: TensorMap, private readonly label: string) {}

  has(name: string): boolean {
    return this.map.has(name);
  }

  /** The tensor, checked against the expected shape; undefined when absent and optional. */
  get(name: string, shape: number[], required: boolean): Float32Array | undefined {
    const t: NamedTensor | undefined = this.map.get(name);
    if (!t) {
      if (required) throw UnrollError.of('{0}: tensor \'{1}\' [{2}] is missing (found: {3})', this.label, name, shape.join(','), [...this.map.keys()].slice(0, 12).join(', '));
      return undefined;
    }
    const same = t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]);
    if (!same) throw UnrollError.of('{0}: tensor \'{1}\' has shape [{2}], expected [{3}]', this.label, name, t.shape.join(','), shape.join(','));
    this.used.add(name);
    return t.data;
  }

  unused(): string[] {
    return [...this.map.keys()].filter((n) => !this.used.has(n));
  }
}

function zeros(n: number): Float32Array {
  return new Float32Array(n);
}

export function networkFromTensors(desc: ModelDescription, map: TensorMap, convention: Convention, label = 'weights', strict = true): Network {
  const { cell, shape } = desc;
  const G = gateCount(cell.family);
  const H = shape.hiddenSize;
  const Out = outputSize(cell, shape);
  const D = numDirections(shape);
  const ts = new Tensors(map, label);
  const biasRequired = desc.bias === true;
  const layers: DirectionWeights[][] = [];
  const prefix = convention === 'pytorch' ? findPrefix(map, 'weight_ih_l0', label) : '';
  const kerasPlain = convention === 'keras' && shape.numLayers === 1 && D === 1 && !map.has('kernel_l0');
  const perm = gatePermutation(cell.family, convention, desc.gateOrder);
  const identity = perm.every((p, i) => p === i);

  for (let k = 0; k < shape.numLayers; k++) {
    const In = layerInputSize(cell, shape, k);
    const dirs: DirectionWeights[] = [];
    for (let d = 0; d < D; d++) {
      const sfx = `_l${k}${d ? '_reverse' : ''}`;
      let w: DirectionWeights;
      if (convention === 'pytorch') {
        const W = ts.get(`${prefix}weight_ih${sfx}`, [G * H, In], true)!;
        const R = ts.get(`${prefix}weight_hh${sfx}`, [G * H, Out], true)!;
        const bW = ts.get(`${prefix}bias_ih${sfx}`, [G * H], biasRequired);
        const bR = ts.get(`${prefix}bias_hh${sfx}`, [G * H], biasRequired || bW !== undefined);
        w = identity
          ? { W, R, bW: bW ?? zeros(G * H), bR: bR ?? zeros(G * H) }
          : {
              W: permuteBlocks(W, perm),
              R: permuteBlocks(R, perm),
              bW: bW ? permuteBlocks(bW, perm) : zeros(G * H),
              bR: bR ? permuteBlocks(bR, perm) : zeros(G * H),
            };
        if (cell.family === 'lstm' && cell.projSize > 0) w.Wproj = ts.get(`${prefix}weight_hr${sfx}`, [cell.projSize, H], true);
        if (cell.family === 'lstm' && cell.peephole) w.P = ts.get(`${prefix}peephole${sfx}`, [3 * H], true);
      } else if (convention === 'onnx') {
        if (cell.projSize > 0) throw UnrollError.of('{0}: ONNX recurrent operators have no projection; use the PyTorch convention for projSize > 0', label);
        const name = (base: string) => (shape.numLayers === 1 && !ts.has(`${base}_l0`) ? base : `${base}_l${k}`);
        const Wall = ts.get(name('W'), [D, G * H, In], true)!;
        const Rall = ts.get(name('R'), [D, G * H, Out], true)!;
        const Ball = ts.get(name('B'), [D, 2 * G * H], biasRequired);
        const Pall = cell.family === 'lstm' && cell.peephole ? ts.get(name('P'), [D, 3 * H], true) : undefined;
        w = onnxDirectionWeights({ W: Wall, R: Rall, B: Ball, P: Pall }, d, H, In, perm);
      } else {
        if (cell.projSize > 0) throw UnrollError.of('{0}: Keras layers have no projection; use the PyTorch convention for projSize > 0', label);
        const pick = (base: string) => (kerasPlain ? findKerasPlain(map, base, label) : `${base}${sfx}`);
        const kernel = ts.get(pick('kernel'), [In, G * H], true)!;
        const rec = ts.get(pick('recurrent_kernel'), [Out, G * H], true)!;
        const biasName = pick('bias');
        const twoBiases = cell.family === 'gru' && cell.resetAfter;
        const bias = ts.get(biasName, twoBiases ? [2, G * H] : [G * H], biasRequired);
        w = {
          W: permuteBlocks(transpose(kernel, In, G * H), perm),
          R: permuteBlocks(transpose(rec, Out, G * H), perm),
          bW: bias ? permuteBlocks(bias.subarray(0, G * H), perm) : zeros(G * H),
          bR: bias && twoBiases ? permuteBlocks(bias.subarray(G * H), perm) : zeros(G * H),
        };
        if (cell.family === 'lstm' && cell.peephole) w.P = ts.get(`peephole${sfx}`, [3 * H], true);
      }
      dirs.push(w);
    }
    layers.push(dirs);
  }

  let decoder: Decoder | undefined;
  if (map.has('decoder.weight') || map.has('decoder.bias')) {
    const V = map.get('decoder.weight')?.shape[0] ?? 0;
    decoder = { W: ts.get('decoder.weight', [V, D * Out], true)!, b: ts.get('decoder.bias', [V], true)!, vocabSize: V };
  }
  if (desc.bias === false) {
    const biases = [...ts.used].filter((n) => /(^|[./])(bias|B)(_|$|:)/.test(n) && !n.startsWith('decoder.'));
    if (biases.length) throw UnrollError.of('{0}: the spec says bias: false but the weights contain {1}', label, biases.join(', '));
  }
  if (strict) {
    const extra = ts.unused().filter((n) => n !== '__metadata__');
    if (extra.length) {
      const args = [label, extra.slice(0, 6).join(', '), shape.numLayers, cell.family.toUpperCase()] as const;
      // One template per form, so each is translated whole.
      if (extra.length > 1) {
        throw shape.bidirectional
          ? UnrollError.of('{0}: tensors {1} not used by a {2}-layer bidirectional {3}; check numLayers, bidirectional and the cell', ...args)
          : UnrollError.of('{0}: tensors {1} not used by a {2}-layer unidirectional {3}; check numLayers, bidirectional and the cell', ...args);
      }
      throw shape.bidirectional
        ? UnrollError.of('{0}: tensor {1} not used by a {2}-layer bidirectional {3}; check numLayers, bidirectional and the cell', ...args)
        : UnrollError.of('{0}: tensor {1} not used by a {2}-layer unidirectional {3}; check numLayers, bidirectional and the cell', ...args);
    }
  }
  const net: Network = { cell, shape, layers, source: label, ...(decoder ? { decoder } : {}) };
  validateNetwork(net);
  return net;
}

/** The prefix in front of `anchor` ('' for bare state_dict names); several candidates is an error. */
function findPrefix(map: TensorMap, anchor: string, label: string): string {
  if (map.has(anchor)) return '';
  const found = [...map.keys()].filter((n) => n.endsWith(anchor)).map((n) => n.slice(0, -anchor.length));
  if (found.length === 1) return found[0];
  if (found.length === 0) throw UnrollError.of('{0}: no \'{1}\' tensor; is this a PyTorch RNN/LSTM/GRU state_dict?', label, anchor);
  throw UnrollError.of('{0}: several recurrent modules ({1}); keep only one in the file', label, found.join(', '));
}

function findKerasPlain(map: TensorMap, base: string, label: string): string {
  const re = new RegExp(`(^|[/.])${base}(:0)?$`);
  const found = [...map.keys()].filter((n) => re.test(n) && !(base === 'kernel' && /recurrent_kernel(:0)?$/.test(n)));
  if (found.length === 1) return found[0];
  if (found.length === 0) return base; // reported as missing by the caller when required
  throw UnrollError.of('{0}: several Keras \'{1}\' tensors ({2}); name them {1}_l{k}[_reverse]', label, base, found.join(', '));
}
