/**
 * The reference kernel: plain TypeScript loops, one direction of one layer over a sequence.
 *
 * Exactness choices:
 * - Every sum is accumulated in float64 (JS numbers), so results track the float64 fixture references
 *   far inside the float32 tolerance; values are rounded to float32 only when written to the record.
 * - Step t reads its previous state ONLY from float32 storage (the record row just written, or h0/c0).
 *   The output of a step is therefore a pure function of (x_t, float32 h_{t-1}, float32 C_{t-1}), which
 *   makes a recomputation from a float32 checkpoint bit-identical to the original run (the Trace relies
 *   on this).
 * - σ is evaluated in the overflow-safe form (exp of a non-positive number only).
 */
import type { DirectionRecord, DirectionRun, Kernel } from '../kernel';
import type { CellSpec, DirectionWeights } from '../types';

/** Logistic sigmoid without exp overflow: exp is only ever taken of −|a|. */
export function sigmoid(a: number): number {
  if (a >= 0) return 1 / (1 + Math.exp(-a));
  const e = Math.exp(a);
  return e / (1 + e);
}

/** ONNX `clip`: bound a pre-activation to [−clip, clip] (0 = off). NaN passes through unchanged. */
function clipper(clip: number | undefined): (a: number) => number {
  if (!clip || clip <= 0) return (a) => a;
  return (a) => (a > clip ? clip : a < -clip ? -clip : a);
}

/**
 * out[outOff + r − r0] += Σ_j M[r, j] · v[vOff + j] for rows r0..r1, float64 accumulation in four
 * independent partial sums (lets the JIT overlap the multiply-adds; the order is fixed, so runs repeat exactly).
 */
function matvec(M: Float32Array, cols: number, v: Float32Array | Float64Array, vOff: number, r0: number, r1: number, out: Float64Array, outOff = r0): void {
  for (let r = r0; r < r1; r++) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    const base = r * cols;
    let j = 0;
    for (; j + 3 < cols; j += 4) {
      s0 += M[base + j] * v[vOff + j];
      s1 += M[base + j + 1] * v[vOff + j + 1];
      s2 += M[base + j + 2] * v[vOff + j + 2];
      s3 += M[base + j + 3] * v[vOff + j + 3];
    }
    for (; j < cols; j++) s0 += M[base + j] * v[vOff + j];
    out[outOff + r - r0] += s0 + s1 + (s2 + s3);
  }
}

/** out[r] += Σ_k M[r, cols[k]] · v[vOff + cols[k]] over the listed columns, for rows 0..rows. */
function addColumns(M: Float32Array, width: number, v: Float32Array, vOff: number, cols: Int32Array, n: number, rows: number, out: Float64Array): void {
  for (let r = 0; r < rows; r++) {
    let s = 0;
    const base = r * width;
    for (let k = 0; k < n; k++) s += M[base + cols[k]] * v[vOff + cols[k]];
    out[r] += s;
  }
}

class ReferenceKernel implements Kernel {
  readonly name = 'reference';

  runDirection(cell: CellSpec, w: DirectionWeights, run: DirectionRun, out: DirectionRecord): void {
    const { steps: T, inputSize: In, hiddenSize: H, outputSize: Out, x, reverse } = run;
    const G = cell.family === 'lstm' ? 4 : cell.family === 'gru' ? 3 : 1;
    const clip = clipper(cell.clip);
    const pre = new Float64Array(G * H); // gate pre-activations, canonical row blocks
    const rh = new Float64Array(H); // GRU: reset-gated hidden term
    const m64 = new Float64Array(H); // projected LSTM: m_t before projection
    const gr = new Float64Array(H); // GRU r_t at float64
    const gz = new Float64Array(H); // GRU z_t at float64
    const nz = new Int32Array(In); // nonzero input columns of the current step
    const zeroH = new Float32Array(Out);
    const zeroC = new Float32Array(H);
    let hPrev: Float32Array = run.h0 ?? zeroH;
    let cPrev: Float32Array = run.c0 ?? zeroC;

    for (let s = 0; s < T; s++) {
      const t = reverse ? T - 1 - s : s;
      const xOff = t * In;
      // pre = W x_t + b_W (+ b_R where it may be merged)
      for (let r = 0; r < G * H; r++) pre[r] = w.bW[r];
      // Sparse rows (one-hot symbols) touch only their nonzero columns. The path depends on x_t alone,
      // so a recomputation takes the same one and matches bit for bit.
      let nnz = 0;
      if (In >= 8) for (let j = 0; j < In && nnz * 4 <= In; j++) if (x[xOff + j] !== 0) nz[nnz++] = j;
      if (In >= 8 && nnz * 4 <= In) addColumns(w.W, In, x, xOff, nz, nnz, G * H, pre);
      else matvec(w.W, In, x, xOff, 0, G * H, pre);

      if (cell.family === 'rnn') {
        // h_t = act(W x_t + b_ih + R h_{t-1} + b_hh)
        for (let u = 0; u < H; u++) pre[u] += w.bR[u];
        matvec(w.R, Out, hPrev, 0, 0, H, pre);
        const hRow = t * Out;
        for (let u = 0; u < H; u++) {
          const a = clip(pre[u]);
          out.h[hRow + u] = cell.nonlinearity === 'relu' ? (a > 0 ? a : 0) : Math.tanh(a);
        }
        hPrev = out.h.subarray(hRow, hRow + Out);
        continue;
      }

      if (cell.family === 'gru') {
        // r, z: σ(W x + b_W + R h + b_R)
        for (let r = 0; r < 2 * H; r++) pre[r] += w.bR[r];
        matvec(w.R, Out, hPrev, 0, 0, 2 * H, pre);
        const gRow = t * 3 * H;
        for (let u = 0; u < H; u++) {
          gr[u] = sigmoid(clip(pre[u])); // r_t
          gz[u] = sigmoid(clip(pre[H + u])); // z_t
          out.gates[gRow + u] = gr[u];
          out.gates[gRow + H + u] = gz[u];
        }
        if (cell.resetAfter) {
          // n = tanh(W_n x + b_in + r ⊙ (R_n h + b_hn))
          for (let u = 0; u < H; u++) rh[u] = w.bR[2 * H + u];
          matvec(w.R, Out, hPrev, 0, 2 * H, 3 * H, rh, 0);
          for (let u = 0; u < H; u++) pre[2 * H + u] += gr[u] * rh[u];
        } else {
          // Cho 2014: n = tanh(W_n x + b_in + R_n (r ⊙ h) + b_hn); r ⊙ h kept in float64
          for (let j = 0; j < Out; j++) rh[j] = gr[j] * hPrev[j];
          for (let u = 0; u < H; u++) pre[2 * H + u] += w.bR[2 * H + u];
          matvec(w.R, Out, rh, 0, 2 * H, 3 * H, pre);
        }
        const hRow = t * Out;
        for (let u = 0; u < H; u++) {
          const n = Math.tanh(clip(pre[2 * H + u]));
          out.gates[gRow + 2 * H + u] = n;
          // h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}
          out.h[hRow + u] = (1 - gz[u]) * n + gz[u] * hPrev[u];
        }
        hPrev = out.h.subarray(hRow, hRow + Out);
        continue;
      }

      // LSTM family. Canonical blocks: 0 i, 1 f, 2 g (C̃), 3 o.
      for (let r = 0; r < 4 * H; r++) pre[r] += w.bR[r];
      matvec(w.R, Out, hPrev, 0, 0, 4 * H, pre);
      const P = cell.peephole ? w.P : undefined; // [p_i, p_f, p_o]
      const gRow = t * 4 * H;
      const cRow = t * H;
      for (let u = 0; u < H; u++) {
        const cp = cPrev[u];
        let i: number;
        let f: number;
        if (cell.coupling === 'keep-input') {
          i = sigmoid(clip(pre[u] + (P ? P[u] * cp : 0)));
          f = 1 - i;
        } else if (cell.coupling === 'keep-forget') {
          f = sigmoid(clip(pre[H + u] + (P ? P[H + u] * cp : 0)));
          i = 1 - f;
        } else {
          i = sigmoid(clip(pre[u] + (P ? P[u] * cp : 0)));
          f = sigmoid(clip(pre[H + u] + (P ? P[H + u] * cp : 0)));
        }
        const g = Math.tanh(clip(pre[2 * H + u]));
        const c = f * cp + i * g; // C_t = f ⊙ C_{t-1} + i ⊙ C̃_t
        const o = sigmoid(clip(pre[3 * H + u] + (P ? P[2 * H + u] * c : 0))); // output peephole sees the NEW C_t
        const m = o * Math.tanh(c);
        out.gates[gRow + u] = i;
        out.gates[gRow + H + u] = f;
        out.gates[gRow + 2 * H + u] = g;
        out.gates[gRow + 3 * H + u] = o;
        out.c[cRow + u] = c;
        m64[u] = m;
      }
      const hRow = t * Out;
      if (cell.projSize > 0 && w.Wproj) {
        // h_t = W_hr m_t
        for (let u = 0; u < H; u++) out.m[cRow + u] = m64[u];
        for (let p = 0; p < Out; p++) {
          let acc = 0;
          const base = p * H;
          for (let u = 0; u < H; u++) acc += w.Wproj[base + u] * m64[u];
          out.h[hRow + p] = acc;
        }
      } else {
        for (let u = 0; u < H; u++) out.h[hRow + u] = m64[u];
      }
      hPrev = out.h.subarray(hRow, hRow + Out);
      cPrev = out.c.subarray(cRow, cRow + H);
    }
  }
}

/** The plain-TypeScript kernel; stateless, so one instance serves every run. */
export const referenceKernel: Kernel = new ReferenceKernel();
