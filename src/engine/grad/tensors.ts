/**
 * Canonical DirectionWeights (or their gradients) → named tensors in the PyTorch state_dict or the
 * fixtures' ONNX W/R/B/P layout: for saving trained models and for naming gradients of seeded random
 * networks (which have no file to take names from). Reading files is the engine's job (conventions.ts).
 * Pure.
 */
import type { NamedTensor } from '../../model/safetensors';
import type { CellSpec, DirectionWeights, NetworkShape } from '../types';
import { gateCount, layerInputSize, numDirections, outputSize } from '../types';
import type { DirGrads } from './direction';
import { gatePermutation, ONNX_PEEPHOLE_PERM } from '../conventions';

/** onnxBlocks[k] = canonical block stored at ONNX block k (LSTM i,o,f,c; GRU z,r,h): the reader's permutation inverted. */
function onnxBlocks(cell: CellSpec): number[] {
  const inv: number[] = [];
  gatePermutation(cell.family, 'onnx').forEach((onnx, canon) => (inv[onnx] = canon));
  return inv;
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
        hasP = true;
        const P = w.P;
        ONNX_PEEPHOLE_PERM.forEach((canon, k) => Pt.set(P.subarray(canon * H, (canon + 1) * H), d * 3 * H + k * H));
      }
    }
    put(`W_l${l}`, [D, G * H, In], Wt);
    put(`R_l${l}`, [D, G * H, Out], Rt);
    put(`B_l${l}`, [D, 2 * G * H], Bt);
    if (hasP) put(`P_l${l}`, [D, 3 * H], Pt);
  }
  return out;
}
