/**
 * An embedding in front of the first recurrent layer, folded into that layer's input weights so the model
 * runs on one-hot token inputs: x_t = Eᵀ e_id, hence W x_t = (W Eᵀ) e_id. Exact up to float32 rounding of
 * the product (computed in float64). Pure.
 */
import { type Network, UnrollError } from '../engine/types';

/** W' = W·Eᵀ is [G·H, V]: refuse vocabularies that would make it unreasonably large. */
export const MAX_FOLDED_ELEMENTS = 32 * 1024 * 1024;

export interface EmbeddingInfo {
  /** tensor or node name */
  name: string;
  vocabSize: number;
  dim: number;
}

/** table: [V, E] row-major; the network's inputSize must be E. Returns a network with inputSize V. */
export function foldEmbedding(net: Network, table: Float32Array, V: number, E: number, label: string): Network {
  if (E !== net.shape.inputSize) throw UnrollError.of('{0}: the embedding has width {1} but the first recurrent layer reads {2} inputs', label, E, net.shape.inputSize);
  const rows = net.layers[0][0].W.length / E;
  if (rows * V > MAX_FOLDED_ELEMENTS) {
    throw UnrollError.of('{0}: folding the {1}-token embedding into the first layer would need {2}×{1} weights; Unroll handles vocabularies up to {3} tokens here', label, V, rows, Math.floor(MAX_FOLDED_ELEMENTS / rows));
  }
  const layer0 = net.layers[0].map((dir) => {
    const W = new Float32Array(rows * V);
    for (let r = 0; r < rows; r++) {
      const wr = dir.W.subarray(r * E, (r + 1) * E);
      for (let v = 0; v < V; v++) {
        let s = 0;
        const ev = v * E;
        for (let k = 0; k < E; k++) s += wr[k] * table[ev + k];
        W[r * V + v] = s;
      }
    }
    return { ...dir, W };
  });
  return { ...net, shape: { ...net.shape, inputSize: V }, layers: [layer0, ...net.layers.slice(1)] };
}
