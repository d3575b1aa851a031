/**
 * Named weight tensors (PyTorch state_dict or the fixtures' ONNX W/R/B/P layout) ⇄ canonical
 * DirectionWeights, in both directions: weights in, gradients out under the same names and shapes.
 * Pure: bytes in, typed arrays out.
 */
import type { CellSpec, DirectionWeights, Network, NetworkShape } from '../types';
import { UnrollError, gateCount, layerInputSize, numDirections, outputSize } from '../types';
import type { DirGrads } from './direction';

export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

/** Minimal safetensors reader (F32/F64/F16/BF16) with bounds checks; one clear error line on bad input. */
export function readSafetensors(bytes: Uint8Array, label = 'weights'): Map<string, NamedTensor> {
  const bad = (why: string): never => {
    throw new UnrollError(`${label}: not a valid safetensors file (${why})`);
  };
  if (bytes.length < 8) bad('shorter than its 8-byte header length');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  if (n > 100_000_000 || 8 + n > bytes.length) bad(`header length ${n} exceeds the file`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch {
    return bad('header is not JSON');
  }
  const base = 8 + n;
  const out = new Map<string, NamedTensor>();
  for (const [name, e] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const count = e.shape.reduce((a, b) => a * b, 1);
    const [s, t] = e.data_offsets;
    const size = { F32: 4, F64: 8, F16: 2, BF16: 2 }[e.dtype];
    if (!size) bad(`tensor ${name} has unsupported dtype ${e.dtype}`);
    if (t - s !== count * size! || base + t > bytes.length || s < 0) bad(`tensor ${name} has bad data offsets`);
    const data = new Float32Array(count);
    const p = new DataView(bytes.buffer, bytes.byteOffset + base + s, t - s);
    for (let k = 0; k < count; k++) {
      if (e.dtype === 'F32') data[k] = p.getFloat32(4 * k, true);
      else if (e.dtype === 'F64') data[k] = p.getFloat64(8 * k, true);
      else if (e.dtype === 'BF16') data[k] = new Float32Array(new Uint32Array([p.getUint16(2 * k, true) << 16]).buffer)[0];
      else data[k] = f16(p.getUint16(2 * k, true));
    }
    out.set(name, { shape: e.shape, data });
  }
  return out;
}

function f16(b: number): number {
  const s = b & 0x8000 ? -1 : 1;
  const e = (b >> 10) & 0x1f;
  const m = b & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** Write float32 tensors as safetensors bytes (names sorted, as torch does). */
export function writeSafetensors(tensors: Map<string, NamedTensor>, metadata?: Record<string, string>): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let off = 0;
  for (const n of names) {
    const t = tensors.get(n)!;
    header[n] = { dtype: 'F32', shape: t.shape, data_offsets: [off, off + 4 * t.data.length] };
    off += 4 * t.data.length;
  }
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8) json += ' ';
  const hb = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + hb.length + off);
  new DataView(out.buffer).setBigUint64(0, BigInt(hb.length), true);
  out.set(hb, 8);
  let p = 8 + hb.length;
  for (const n of names) {
    const d = tensors.get(n)!.data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), p);
    p += d.byteLength;
  }
  return out;
}

/** Row-block permutation: onnxBlocks[k] = canonical block stored at ONNX block k (LSTM i,o,f,c; GRU z,r,h). */
function onnxBlocks(cell: CellSpec): number[] {
  return cell.family === 'lstm' ? [0, 3, 1, 2] : cell.family === 'gru' ? [1, 0, 2] : [0];
}

export type Convention = 'pytorch' | 'onnx';

interface Layout {
  cell: CellSpec;
  shape: NetworkShape;
  convention: Convention;
}

/** Map canonical per-direction arrays to named tensors (used for gradients and for saving). */
export function toNamed(lay: Layout, dirs: (DirectionWeights | DirGrads)[][], present?: Set<string>): Map<string, NamedTensor> {
  const { cell, shape, convention } = lay;
  const G = gateCount(cell.family);
  const H = shape.hiddenSize;
  const Out = outputSize(cell, shape);
  const D = numDirections(shape);
  const out = new Map<string, NamedTensor>();
  const put = (name: string, shp: number[], src: ArrayLike<number>) => {
    if (!present || present.has(name)) out.set(name, { shape: shp, data: Float32Array.from(src) });
  };
  for (let l = 0; l < shape.numLayers; l++) {
    const In = layerInputSize(cell, shape, l);
    if (convention === 'pytorch') {
      for (let d = 0; d < D; d++) {
        const s = `_l${l}${d === 1 ? '_reverse' : ''}`;
        const w = dirs[l][d];
        put(`weight_ih${s}`, [G * H, In], w.W);
        put(`weight_hh${s}`, [G * H, Out], w.R);
        put(`bias_ih${s}`, [G * H], w.bW);
        put(`bias_hh${s}`, [G * H], w.bR);
        if (w.Wproj) put(`weight_hr${s}`, [Out, H], w.Wproj);
      }
      continue;
    }
    const perm = onnxBlocks(cell);
    const Wt = new Float64Array(D * G * H * In);
    const Rt = new Float64Array(D * G * H * Out);
    const Bt = new Float64Array(D * 2 * G * H);
    const Pt = new Float64Array(D * 3 * H);
    let hasP = false;
    for (let d = 0; d < D; d++) {
      const w = dirs[l][d];
      for (let k = 0; k < G; k++) {
        const c = perm[k];
        Wt.set(w.W.subarray(c * H * In, (c + 1) * H * In), (d * G + k) * H * In);
        Rt.set(w.R.subarray(c * H * Out, (c + 1) * H * Out), (d * G + k) * H * Out);
        Bt.set(w.bW.subarray(c * H, (c + 1) * H), d * 2 * G * H + k * H);
        Bt.set(w.bR.subarray(c * H, (c + 1) * H), d * 2 * G * H + (G + k) * H);
      }
      if (w.P) {
        hasP = true; // canonical p_i, p_f, p_o → ONNX p_i, p_o, p_f
        Pt.set(w.P.subarray(0, H), d * 3 * H);
        Pt.set(w.P.subarray(2 * H, 3 * H), d * 3 * H + H);
        Pt.set(w.P.subarray(H, 2 * H), d * 3 * H + 2 * H);
      }
    }
    put(`W_l${l}`, [D, G * H, In], Wt);
    put(`R_l${l}`, [D, G * H, Out], Rt);
    put(`B_l${l}`, [D, 2 * G * H], Bt);
    if (hasP) put(`P_l${l}`, [D, 3 * H], Pt);
  }
  return out;
}

/** Named tensors → canonical Network weights; missing biases become zeros. Shapes are checked. */
export function fromNamed(lay: Layout, t: Map<string, NamedTensor>, label: string): DirectionWeights[][] {
  const { cell, shape, convention } = lay;
  const G = gateCount(cell.family);
  const H = shape.hiddenSize;
  const Out = outputSize(cell, shape);
  const D = numDirections(shape);
  const get = (name: string, shp: number[], optional = false): Float32Array | undefined => {
    const e = t.get(name);
    if (!e) {
      if (optional) return undefined;
      throw new UnrollError(`${label}: tensor ${name} [${shp.join(', ')}] is missing`);
    }
    if (e.shape.join(',') !== shp.join(',')) {
      throw new UnrollError(`${label}: tensor ${name} has shape [${e.shape.join(', ')}], expected [${shp.join(', ')}]`);
    }
    return e.data;
  };
  const layers: DirectionWeights[][] = [];
  for (let l = 0; l < shape.numLayers; l++) {
    const In = layerInputSize(cell, shape, l);
    const row: DirectionWeights[] = [];
    if (convention === 'pytorch') {
      for (let d = 0; d < D; d++) {
        const s = `_l${l}${d === 1 ? '_reverse' : ''}`;
        row.push({
          W: get(`weight_ih${s}`, [G * H, In])!,
          R: get(`weight_hh${s}`, [G * H, Out])!,
          bW: get(`bias_ih${s}`, [G * H], true) ?? new Float32Array(G * H),
          bR: get(`bias_hh${s}`, [G * H], true) ?? new Float32Array(G * H),
          Wproj: cell.projSize > 0 ? get(`weight_hr${s}`, [Out, H]) : undefined,
          P: cell.peephole ? new Float32Array(3 * H) : undefined,
        });
      }
      if (cell.peephole) throw new UnrollError(`${label}: PyTorch weights have no peepholes; use the onnx convention`);
    } else {
      const perm = onnxBlocks(cell);
      const Wt = get(`W_l${l}`, [D, G * H, In])!;
      const Rt = get(`R_l${l}`, [D, G * H, Out])!;
      const Bt = get(`B_l${l}`, [D, 2 * G * H], true) ?? new Float32Array(D * 2 * G * H);
      const Pt = cell.peephole ? get(`P_l${l}`, [D, 3 * H], true) ?? new Float32Array(D * 3 * H) : undefined;
      for (let d = 0; d < D; d++) {
        const w: DirectionWeights = {
          W: new Float32Array(G * H * In),
          R: new Float32Array(G * H * Out),
          bW: new Float32Array(G * H),
          bR: new Float32Array(G * H),
        };
        for (let k = 0; k < G; k++) {
          const c = perm[k];
          w.W.set(Wt.subarray((d * G + k) * H * In, (d * G + k + 1) * H * In), c * H * In);
          w.R.set(Rt.subarray((d * G + k) * H * Out, (d * G + k + 1) * H * Out), c * H * Out);
          w.bW.set(Bt.subarray(d * 2 * G * H + k * H, d * 2 * G * H + (k + 1) * H), c * H);
          w.bR.set(Bt.subarray(d * 2 * G * H + (G + k) * H, d * 2 * G * H + (G + k + 1) * H), c * H);
        }
        if (Pt) {
          const p = Pt.subarray(d * 3 * H, (d + 1) * 3 * H);
          w.P = new Float32Array(3 * H);
          w.P.set(p.subarray(0, H), 0);
          w.P.set(p.subarray(2 * H, 3 * H), H);
          w.P.set(p.subarray(H, 2 * H), 2 * H);
        }
        row.push(w);
      }
    }
    layers.push(row);
  }
  return layers;
}

/** Decoder tensors (trained char models): decoder.weight [V, D*Out], decoder.bias [V]. */
export function decoderFromNamed(net: Pick<Network, 'cell' | 'shape'>, t: Map<string, NamedTensor>, label: string) {
  const w = t.get('decoder.weight');
  if (!w) return undefined;
  const width = numDirections(net.shape) * outputSize(net.cell, net.shape);
  const b = t.get('decoder.bias');
  if (w.shape.length !== 2 || w.shape[1] !== width) {
    throw new UnrollError(`${label}: decoder.weight has shape [${w.shape.join(', ')}], expected [V, ${width}]`);
  }
  const V = w.shape[0];
  if (b && b.data.length !== V) throw new UnrollError(`${label}: decoder.bias has ${b.data.length} entries, expected ${V}`);
  return { W: w.data, b: b ? b.data : new Float32Array(V), vocabSize: V };
}
