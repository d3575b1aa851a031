/**
 * Gradients under the weight file's own tensor names and shapes. Loading a file is a re-indexing
 * (permuted gate blocks, transposes, split biases, optional prefixes), so its adjoint is found by loading
 * a copy of the file whose every element holds its own index (+1): the canonical Network then says which
 * file element each canonical weight came from, and gradients are scattered back along those indices.
 * This reuses the engine's loader for every convention it reads (PyTorch, ONNX, Keras, prefixes, plain
 * names) instead of a second hand-written mapping that could drift from it. Pure.
 */
import type { Network } from '../types';
import { UnrollError } from '../types';
import { networkFromTensors } from '../conventions';
import type { Spec } from '../../model/spec';
import { readSafetensors, type TensorMap } from '../../model/safetensors';
import { parseWeightsJson } from '../../model/weightsJson';
import type { NetworkGradients } from './network';
import { toNamed } from './tensors';

/** float32 holds every integer up to 2^24 exactly. */
const MAX_INDEX = 1 << 24;

function tensorsOf(weights: { name: string; bytes: Uint8Array }): TensorMap {
  if (/\.json$/i.test(weights.name)) return parseWeightsJson(JSON.parse(new TextDecoder().decode(weights.bytes)), weights.name).tensors;
  return readSafetensors(weights.bytes, weights.name);
}

/** A gradient tensor in float64 (the float32 weights' gradients keep their full precision). */
export interface NamedGradient {
  shape: number[];
  data: Float64Array | Float32Array;
}

export function gradientsByName(spec: Spec, weights: { name: string; bytes: Uint8Array } | undefined, net: Network, gr: NetworkGradients): Map<string, NamedGradient> {
  if (!weights) {
    // Seeded random weights have no file: name them in the spec's convention (Keras falls back to PyTorch names).
    const convention = spec.convention === 'onnx' ? 'onnx' : 'pytorch';
    const out = toNamed({ cell: net.cell, shape: net.shape, convention }, gr.weights);
    if (spec.bias === false) for (const n of [...out.keys()]) if (/bias|^B_/.test(n)) out.delete(n);
    return out;
  }
  const file = tensorsOf(weights);
  const indexed: TensorMap = new Map();
  const names: string[] = [];
  const offsets: number[] = [];
  let total = 0;
  for (const [name, t] of file) {
    names.push(name);
    offsets.push(total);
    indexed.set(name, { shape: t.shape, data: Float32Array.from({ length: t.data.length }, (_, k) => total + k + 1) });
    total += t.data.length;
    if (total >= MAX_INDEX) throw new UnrollError(`${weights.name}: too many weights (${total}) for gradient export`);
  }
  const desc = { cell: spec.cell, shape: spec.shape, ...(spec.bias !== undefined ? { bias: spec.bias } : {}) };
  const where = networkFromTensors(desc, indexed, spec.convention, weights.name);
  const flat = new Float64Array(total);
  const scatter = (idx: Float32Array | undefined, g: Float64Array | undefined) => {
    if (!idx || !g) return;
    for (let k = 0; k < idx.length; k++) if (idx[k] > 0) flat[idx[k] - 1] += g[k];
  };
  where.layers.forEach((row, l) =>
    row.forEach((w, d) => {
      const gw = gr.weights[l][d];
      scatter(w.W, gw.W);
      scatter(w.R, gw.R);
      scatter(w.bW, gw.bW);
      scatter(w.bR, gw.bR);
      scatter(w.P, gw.P);
      scatter(w.Wproj, gw.Wproj);
    }),
  );
  if (where.decoder && gr.decoder) {
    scatter(where.decoder.W, gr.decoder.W);
    scatter(where.decoder.b, gr.decoder.b);
  }
  const out = new Map<string, NamedGradient>();
  names.forEach((name, k) => {
    const t = file.get(name)!;
    out.set(name, { shape: t.shape, data: flat.slice(offsets[k], offsets[k] + t.data.length) });
  });
  return out;
}
