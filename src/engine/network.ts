/**
 * Helpers over the canonical Network: shape validation (one clear error per problem), packing the
 * weights into one buffer so a network can cross threads without JSON, and the decoder (logits, top-k).
 * Pure: no I/O.
 */
import {
  type CellSpec,
  type Decoder,
  type DirectionWeights,
  type Network,
  type NetworkShape,
  UnrollError,
  gateCount,
  layerInputSize,
  numDirections,
  outputSize,
} from './types';

function positiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

/** Expected length of every tensor of layer k / direction d (0 = absent). */
export function tensorLengths(cell: CellSpec, shape: NetworkShape, layer: number): Record<keyof DirectionWeights, number> {
  const G = gateCount(cell.family);
  const H = shape.hiddenSize;
  const Out = outputSize(cell, shape);
  const In = layerInputSize(cell, shape, layer);
  return {
    W: G * H * In,
    R: G * H * Out,
    bW: G * H,
    bR: G * H,
    P: cell.family === 'lstm' && cell.peephole ? 3 * H : 0,
    Wproj: cell.family === 'lstm' && cell.projSize > 0 ? cell.projSize * H : 0,
  };
}

/** Largest single typed-array allocation we attempt (V8's limit is about 4 GiB per buffer). */
export const MAX_BUFFER_BYTES = 2 ** 32 - 1;

/** Allocate through `make`, turning an impossible size or an allocation failure into one clear line. */
export function allocateChecked<T>(what: string, bytes: number, make: () => T): T {
  const gib = (bytes / 2 ** 30).toFixed(2);
  if (!(bytes <= MAX_BUFFER_BYTES)) throw new UnrollError(`${what} would need ${gib} GiB in one buffer, more than the 4 GiB limit; use fewer steps or a smaller network`);
  try {
    return make();
  } catch (e) {
    if (e instanceof RangeError) throw new UnrollError(`not enough memory for ${what} (${gib} GiB); use fewer steps or a smaller network`);
    throw e;
  }
}

/** Throws an UnrollError naming the first inconsistency between the network's shape and its tensors. */
export function validateNetwork(net: Network): void {
  const { cell, shape } = net;
  if (!positiveInt(shape.inputSize)) throw new UnrollError(`inputSize must be a positive integer (got ${shape.inputSize})`);
  if (!positiveInt(shape.hiddenSize)) throw new UnrollError(`hiddenSize must be a positive integer (got ${shape.hiddenSize})`);
  if (!positiveInt(shape.numLayers)) throw new UnrollError(`numLayers must be a positive integer (got ${shape.numLayers})`);
  if (cell.projSize !== 0 && !(cell.family === 'lstm' && positiveInt(cell.projSize))) {
    throw new UnrollError(`projSize ${cell.projSize} is only valid for an LSTM, as a positive integer`);
  }
  if (cell.clip !== undefined && !(cell.clip >= 0 && Number.isFinite(cell.clip))) {
    throw new UnrollError(`clip must be a non-negative number (got ${cell.clip})`);
  }
  const D = numDirections(shape);
  if (net.layers.length !== shape.numLayers) throw new UnrollError(`network has ${net.layers.length} layers of weights, shape says ${shape.numLayers}`);
  for (let k = 0; k < shape.numLayers; k++) {
    if (net.layers[k].length !== D) throw new UnrollError(`layer ${k} has ${net.layers[k].length} directions of weights, expected ${D}`);
    const want = tensorLengths(cell, shape, k);
    for (let d = 0; d < D; d++) {
      const w = net.layers[k][d];
      for (const key of Object.keys(want) as (keyof DirectionWeights)[]) {
        const got = w[key]?.length ?? 0;
        if (got !== want[key]) {
          throw new UnrollError(`layer ${k} ${d ? 'reverse' : 'forward'} weight ${key} has ${got} values, expected ${want[key]}`);
        }
      }
    }
  }
  if (net.decoder) {
    const dec = net.decoder;
    const width = D * outputSize(cell, shape);
    if (dec.W.length !== dec.vocabSize * width || dec.b.length !== dec.vocabSize) {
      throw new UnrollError(`decoder must be [${dec.vocabSize}, ${width}] + [${dec.vocabSize}] (got ${dec.W.length} and ${dec.b.length} values)`);
    }
  }
}

/** A network whose tensors live in one Float32Array (transferable); the description is plain data. */
export interface PackedNetwork {
  cell: CellSpec;
  shape: NetworkShape;
  source: string;
  vocabSize: number;
  /** Lengths of the tensors in packing order (see packNetwork). */
  lengths: number[];
  data: Float32Array;
}

const KEYS: (keyof DirectionWeights)[] = ['W', 'R', 'bW', 'bR', 'P', 'Wproj'];

/** Packing order: for each layer, direction: W, R, bW, bR, P, Wproj (absent = length 0); then decoder W, b. */
export function packNetwork(net: Network, shared = false): PackedNetwork {
  const parts: Float32Array[] = [];
  for (const layer of net.layers) for (const w of layer) for (const k of KEYS) parts.push(w[k] ?? new Float32Array(0));
  if (net.decoder) parts.push(net.decoder.W, net.decoder.b);
  const total = parts.reduce((n, p) => n + p.length, 0);
  const data = new Float32Array(shared ? new SharedArrayBuffer(total * 4) : new ArrayBuffer(total * 4));
  let off = 0;
  for (const p of parts) {
    data.set(p, off);
    off += p.length;
  }
  return { cell: net.cell, shape: net.shape, source: net.source, vocabSize: net.decoder?.vocabSize ?? 0, lengths: parts.map((p) => p.length), data };
}

export function unpackNetwork(p: PackedNetwork): Network {
  let off = 0;
  let i = 0;
  const take = (): Float32Array => {
    const n = p.lengths[i++];
    if (n === undefined || off + n > p.data.length) throw new UnrollError('packed network is truncated');
    const v = p.data.subarray(off, off + n);
    off += n;
    return v;
  };
  const D = numDirections(p.shape);
  const layers: DirectionWeights[][] = [];
  for (let k = 0; k < p.shape.numLayers; k++) {
    const dirs: DirectionWeights[] = [];
    for (let d = 0; d < D; d++) {
      const [W, R, bW, bR, P, Wproj] = KEYS.map(take);
      dirs.push({ W, R, bW, bR, ...(P.length ? { P } : {}), ...(Wproj.length ? { Wproj } : {}) });
    }
    layers.push(dirs);
  }
  let decoder: Decoder | undefined;
  if (p.vocabSize > 0) decoder = { W: take(), b: take(), vocabSize: p.vocabSize };
  const net: Network = { cell: p.cell, shape: p.shape, layers, source: p.source, ...(decoder ? { decoder } : {}) };
  validateNetwork(net);
  return net;
}

/** logits = W y + b for one output row y = [forward h_t | reverse h_t] (float64 accumulation). */
export function decodeLogits(dec: Decoder, y: ArrayLike<number>, yOff: number, width: number, out: Float32Array, outOff = 0): void {
  for (let v = 0; v < dec.vocabSize; v++) {
    let s = dec.b[v];
    const base = v * width;
    for (let j = 0; j < width; j++) s += dec.W[base + j] * y[yOff + j];
    out[outOff + v] = s;
  }
}

export interface TopK {
  id: number;
  logit: number;
  /** softmax probability over all logits */
  prob: number;
}

/** The k most likely symbols of one logits row, with softmax probabilities (max-subtracted, so no overflow). */
export function topK(logits: ArrayLike<number>, k: number): TopK[] {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  let z = 0;
  for (let i = 0; i < logits.length; i++) z += Math.exp(logits[i] - max);
  const ids = Array.from({ length: logits.length }, (_, i) => i).sort((a, b) => logits[b] - logits[a] || a - b);
  return ids.slice(0, Math.max(0, k)).map((id) => ({ id, logit: logits[id], prob: Math.exp(logits[id] - max) / z }));
}
