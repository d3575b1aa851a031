/**
 * Weight packing for the SIMD kernel. A matrix whose rows are G gate blocks of `units` rows each is
 * stored as unit blocks of 4 units: block b = [K][V][4] floats, row (gate gs[j], unit 4b + l) at
 * [k][j][l]. One pass over k then streams the panel contiguously and yields the V gate pre-activations
 * of 4 units in V registers, ready for the fused nonlinearities. Units past `units` are zero rows.
 * Pure: used by the wasm wrapper; packing results are cached per weights object.
 */
import type { CellSpec, DirectionWeights } from '../types';
import { gateCount } from '../types';

export const blocksOf = (units: number): number => Math.ceil(units / 4);

/** Pack rows of `M` ([G*units, K] row-major) for gates `gs` into [nb][K][V][4]. */
export function packPanels(M: Float32Array, units: number, K: number, gs: readonly number[]): Float32Array {
  const V = gs.length;
  const nb = blocksOf(units);
  const out = new Float32Array(nb * K * V * 4);
  for (let b = 0; b < nb; b++) {
    for (let j = 0; j < V; j++) {
      for (let l = 0; l < 4; l++) {
        const u = b * 4 + l;
        if (u >= units) continue;
        const src = (gs[j] * units + u) * K;
        let dst = b * K * V * 4 + j * 4 + l;
        for (let k = 0; k < K; k++, dst += V * 4) out[dst] = M[src + k];
      }
    }
  }
  return out;
}

/** Pack a vector of G gate blocks ([G*units]) for gates `gs` into [nb][V][4]; `extra` is added when given. */
export function packVector(v: Float32Array, units: number, gs: readonly number[], extra?: (gate: number, u: number) => number): Float32Array {
  const V = gs.length;
  const nb = blocksOf(units);
  const out = new Float32Array(nb * V * 4);
  for (let b = 0; b < nb; b++)
    for (let j = 0; j < V; j++)
      for (let l = 0; l < 4; l++) {
        const u = b * 4 + l;
        if (u < units) out[(b * V + j) * 4 + l] = v[gs[j] * units + u] + (extra ? extra(gs[j], u) : 0);
      }
  return out;
}

export interface PackedDirection {
  /** Input weights [nb][In][G][4]. */
  W: Float32Array;
  /** Bias folded into the input projection [nb][G][4]. */
  bias: Float32Array;
  /** Recurrent weights: all gates (V = G), or r,z only (V = 2) for Cho's GRU. */
  R: Float32Array;
  /** GRU reset-after: b_hn [nb][1][4]; projected LSTM: W_hr [nbOut][H][1][4]; Cho GRU: R_n [nb][Out][1][4]. */
  aux?: Float32Array;
  /** Peepholes [3][Hp]: p_i, p_f, p_o. */
  peep?: Float32Array;
}

const ALL = [[0], [0, 1, 2], [0, 1, 2, 3]] as const;

/** Pack one direction's canonical weights for `cell`; the combination of biases follows the equations. */
export function packDirection(cell: CellSpec, w: DirectionWeights, H: number, In: number, Out: number): PackedDirection {
  const G = gateCount(cell.family);
  const gs = G === 4 ? ALL[2] : G === 3 ? ALL[1] : ALL[0];
  const nb = blocksOf(H);
  const gruAfter = cell.family === 'gru' && cell.resetAfter;
  // b_hn stays out of the projection for the PyTorch GRU: it sits inside r ⊙ (R_n h + b_hn).
  const bias = packVector(w.bW, H, gs, (gate, u) => (gruAfter && gate === 2 ? 0 : w.bR[gate * H + u]));
  const p: PackedDirection = { W: packPanels(w.W, H, In, gs), bias, R: packPanels(w.R, H, Out, gs) };
  if (gruAfter) p.aux = packVector(w.bR, H, [2]);
  if (cell.family === 'gru' && !cell.resetAfter) {
    p.R = packPanels(w.R, H, Out, [0, 1]);
    p.aux = packPanels(w.R, H, Out, [2]);
  }
  if (cell.family === 'lstm' && cell.projSize > 0) {
    if (!w.Wproj) throw new Error('projected LSTM without W_hr');
    p.aux = packPanels(w.Wproj, Out, H, [0]);
  }
  if (cell.family === 'lstm' && cell.peephole) {
    if (!w.P) throw new Error('peephole LSTM without peephole weights P');
    const Hp = nb * 4;
    p.peep = new Float32Array(3 * Hp);
    for (let j = 0; j < 3; j++) p.peep.set(w.P.subarray(j * H, (j + 1) * H), j * Hp);
  }
  return p;
}
