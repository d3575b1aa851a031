/**
 * Register-tiled plain-TypeScript kernel: the fallback where WebAssembly SIMD is unavailable. Same
 * equations as the reference kernel; faster through the loop structure only:
 * - the input projection of a chunk of steps is one matrix–matrix product, tiled 4 rows × 2 steps, so each
 *   weight is loaded once per two steps and each input value once per four rows (8 accumulators);
 * - the recurrent product is tiled 4 rows at a time, so each h_{t-1}[k] load feeds four rows;
 * - gate nonlinearities are applied in the same pass that writes the records.
 * Sums are float64 (JS numbers); values are rounded to float32 when stored. A step is a pure function
 * of (x_t, float32 h_{t-1}, float32 C_{t-1}), so recomputing from a checkpoint is bit-identical.
 */
import type { DirectionRecord, DirectionRun, Kernel } from '../kernel';
import type { CellSpec, DirectionWeights } from '../types';
import { UnrollError, gateCount } from '../types';

/** Steps per input-projection chunk (bounds the float64 scratch to CHUNK × G × H). */
const CHUNK = 128;

/** σ(a) with exp of a non-positive number only (no overflow). */
function sigmoid(a: number): number {
  if (a >= 0) return 1 / (1 + Math.exp(-a));
  const e = Math.exp(a);
  return e / (1 + e);
}

/** tanh(a) = sign(a) · (1 − e^−2|a|) / (1 + e^−2|a|): one exp, cheaper than Math.tanh in V8, no overflow. */
function tanh(a: number): number {
  const e = Math.exp(-2 * Math.abs(a));
  const t = (1 - e) / (1 + e);
  return a < 0 ? -t : t;
}

/** 2^n for n = −160 … 0 (index n + 160). */
const POW2 = Float64Array.from({ length: 161 }, (_, i) => 2 ** (i - 160));

/**
 * In-place σ / tanh over a row of float64 pre-activations, clipped to ±lim first. Whole rows in loops
 * without calls: a double returned by a function V8 does not inline is a heap allocation (per activation
 * that made the garbage collector a sixth of a small LSTM's step), and Math.exp is such a call (~8 ns).
 * e^x (x ≤ 0) inline instead: x = n·ln 2 + r, |r| ≤ ln 2 / 2, e^r by its degree-8 Taylor polynomial
 * (relative error < 1e-9, far below the float32 rounding of the records) times 2^n from a table; 0 below
 * −110 (under float32's smallest subnormal, and for −∞). NaN stays NaN.
 */
function sigmoidRow(a: Float64Array, off: number, n: number, lim: number): void {
  // hi, lo as float64 locals: a ternary mixing the (tagged) parameter with a[j] boxed every value
  const hi = lim * 1;
  const lo = -hi;
  for (let j = off; j < off + n; j++) {
    const y = a[j];
    const v = y > hi ? hi : y < lo ? lo : y;
    const x = v > 0 ? -v : v;
    let e = 0;
    if (!(x < -110)) {
      const k = Math.round(x * 1.4426950408889634);
      const r = x - k * 0.6931471803691238 - k * 1.9082149292705877e-10; // ln 2 in two parts: k·hi is exact
      e = (1 + r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720 + r * (1 / 5040 + r / 40320)))))))) * POW2[k + 160];
    }
    a[j] = v >= 0 ? 1 / (1 + e) : e / (1 + e);
  }
}

/** tanh(v) = sign(v) · (1 − e^−2|v|) / (1 + e^−2|v|), e^x as in sigmoidRow. */
function tanhRow(a: Float64Array, off: number, n: number, lim: number): void {
  const hi = lim * 1;
  const lo = -hi;
  for (let j = off; j < off + n; j++) {
    const y = a[j];
    const v = y > hi ? hi : y < lo ? lo : y;
    const x = v > 0 ? -2 * v : 2 * v;
    let e = 0;
    if (!(x < -110)) {
      const k = Math.round(x * 1.4426950408889634);
      const r = x - k * 0.6931471803691238 - k * 1.9082149292705877e-10;
      e = (1 + r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720 + r * (1 / 5040 + r / 40320)))))))) * POW2[k + 160];
    }
    const t = (1 - e) / (1 + e);
    a[j] = v < 0 ? -t : t;
  }
}

/**
 * Rows of a row-major [rows][K] matrix packed in panels of 4 rows, [rows/4][K][4]: the 4 loads of a column
 * are adjacent. Float32 (as given): float64 panels were no faster and doubled the bytes streamed per step.
 * Rows past `rows` are zero.
 */
export function packRows4(M: Float32Array, rows: number, K: number): Float32Array {
  const nb = Math.ceil(rows / 4);
  const out = new Float32Array(nb * K * 4);
  for (let r = 0; r < rows; r++) {
    const b = r >> 2;
    const l = r & 3;
    for (let k = 0; k < K; k++) out[(b * K + k) * 4 + l] = M[r * K + k];
  }
  return out;
}

/**
 * out[s][r] = bias[r] + Σ_k M[r][k] · x[t0 + s][k] for s < n and all rows of the packed `P` (4-row panels),
 * tiled 4 rows × 2 steps: each weight is loaded once per two steps, each input once per four rows.
 * `out` is [n][rows4] with rows4 = 4 · panels.
 */
export function projectInputs(P: Float32Array, bias: Float64Array, panels: number, K: number, x: Float32Array, t0: number, n: number, out: Float64Array): void {
  const rows4 = panels * 4;
  for (let b = 0; b < panels; b++) {
    const pb = b * K * 4;
    const r = b * 4;
    const c0 = bias[r], c1 = bias[r + 1], c2 = bias[r + 2], c3 = bias[r + 3];
    let s = 0;
    for (; s + 2 <= n; s += 2) {
      const xa = (t0 + s) * K, xb = xa + K;
      let a0 = c0, a1 = c1, a2 = c2, a3 = c3, b0 = c0, b1 = c1, b2 = c2, b3 = c3;
      for (let k = 0, p = pb; k < K; k++, p += 4) {
        const u = x[xa + k], v = x[xb + k];
        const w0 = P[p], w1 = P[p + 1], w2 = P[p + 2], w3 = P[p + 3];
        a0 += w0 * u; a1 += w1 * u; a2 += w2 * u; a3 += w3 * u;
        b0 += w0 * v; b1 += w1 * v; b2 += w2 * v; b3 += w3 * v;
      }
      const oa = s * rows4 + r, ob = oa + rows4;
      out[oa] = a0; out[oa + 1] = a1; out[oa + 2] = a2; out[oa + 3] = a3;
      out[ob] = b0; out[ob + 1] = b1; out[ob + 2] = b2; out[ob + 3] = b3;
    }
    for (; s < n; s++) {
      const xa = (t0 + s) * K;
      let a0 = c0, a1 = c1, a2 = c2, a3 = c3;
      for (let k = 0, p = pb; k < K; k++, p += 4) {
        const u = x[xa + k];
        a0 += P[p] * u; a1 += P[p + 1] * u; a2 += P[p + 2] * u; a3 += P[p + 3] * u;
      }
      const oa = s * rows4 + r;
      out[oa] = a0; out[oa + 1] = a1; out[oa + 2] = a2; out[oa + 3] = a3;
    }
  }
}

/** y[yOff + 4(b − b0) + l] += Σ_k P[b][k][l] · v[vOff + k] for panels b0..b1: one v load feeds four rows. */
export function addMatVec(P: Float32Array, K: number, v: ArrayLike<number>, vOff: number, b0: number, b1: number, y: Float64Array, yOff: number): void {
  // Two partial sums per row (even and odd k): eight independent add chains hide the add latency.
  for (let b = b0; b < b1; b++) {
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0, e0 = 0, e1 = 0, e2 = 0, e3 = 0;
    let k = 0;
    let p = b * K * 4;
    for (; k + 2 <= K; k += 2, p += 8) {
      const u = v[vOff + k], w = v[vOff + k + 1];
      a0 += P[p] * u; a1 += P[p + 1] * u; a2 += P[p + 2] * u; a3 += P[p + 3] * u;
      e0 += P[p + 4] * w; e1 += P[p + 5] * w; e2 += P[p + 6] * w; e3 += P[p + 7] * w;
    }
    if (k < K) {
      const u = v[vOff + k];
      a0 += P[p] * u; a1 += P[p + 1] * u; a2 += P[p + 2] * u; a3 += P[p + 3] * u;
    }
    const o = yOff + (b - b0) * 4;
    y[o] += a0 + e0; y[o + 1] += a1 + e1; y[o + 2] += a2 + e2; y[o + 3] += a3 + e3;
  }
}

// The per-unit gate loops live in small functions: inside one large runDirection V8 stopped inlining
// sigmoid/tanh, and every returned double became a heap allocation (~2.5 kB per step of GC work at H = 32).

const clipTo = (a: number, lim: number): number => (a > lim ? lim : a < -lim ? -lim : a);

/** LSTM units: i, f (optional peepholes on C_{t-1}, coupling 1 keep-forget, 2 keep-input), C̃, C_t, o, m_t. */
function lstmUnits(pre: Float64Array, xo: number, H: number, cPrev: Float32Array, cOff: number, P: Float32Array | undefined, lim: number, coupling: number,
  gates: Float32Array, gRow: number, c: Float32Array, cRow: number, m: Float64Array): void {
  for (let u = 0; u < H; u++) {
    const cp = cPrev[cOff + u];
    let i: number;
    let f: number;
    if (coupling === 1) {
      f = sigmoid(clipTo(pre[xo + H + u] + (P ? P[H + u] * cp : 0), lim));
      i = 1 - f;
    } else {
      i = sigmoid(clipTo(pre[xo + u] + (P ? P[u] * cp : 0), lim));
      f = coupling === 2 ? 1 - i : sigmoid(clipTo(pre[xo + H + u] + (P ? P[H + u] * cp : 0), lim));
    }
    const g = tanh(clipTo(pre[xo + 2 * H + u], lim)); // C̃_t
    const ct = f * cp + i * g; // C_t = f ⊙ C_{t-1} + i ⊙ C̃_t
    const o = sigmoid(clipTo(pre[xo + 3 * H + u] + (P ? P[2 * H + u] * ct : 0), lim)); // o sees the new C_t
    gates[gRow + u] = i;
    gates[gRow + H + u] = f;
    gates[gRow + 2 * H + u] = g;
    gates[gRow + 3 * H + u] = o;
    c[cRow + u] = ct;
    m[u] = o * tanh(ct); // m_t = o ⊙ tanh(C_t)
  }
}

/**
 * LSTM units without peepholes (every gate is a function of its pre-activation alone): activation passes
 * over the gate rows in place, then C_t, then tanh(C_t) as one more pass over `m`.
 */
function lstmUnitsPlain(pre: Float64Array, xo: number, H: number, cPrev: Float32Array, cOff: number, lim: number, coupling: number,
  gates: Float32Array, gRow: number, c: Float32Array, cRow: number, m: Float64Array): void {
  sigmoidRow(pre, xo, 2 * H, lim); // i, f
  tanhRow(pre, xo + 2 * H, H, lim); // C̃_t
  sigmoidRow(pre, xo + 3 * H, H, lim); // o
  for (let u = 0; u < H; u++) {
    const i0 = pre[xo + u];
    const f0 = pre[xo + H + u];
    const i = coupling === 1 ? 1 - f0 : i0;
    const f = coupling === 2 ? 1 - i0 : f0;
    const g = pre[xo + 2 * H + u];
    const ct = f * cPrev[cOff + u] + i * g; // C_t = f ⊙ C_{t-1} + i ⊙ C̃_t
    gates[gRow + u] = i;
    gates[gRow + H + u] = f;
    gates[gRow + 2 * H + u] = g;
    gates[gRow + 3 * H + u] = pre[xo + 3 * H + u];
    c[cRow + u] = ct;
    m[u] = ct;
  }
  tanhRow(m, 0, H, Infinity);
  for (let u = 0; u < H; u++) m[u] *= pre[xo + 3 * H + u]; // m_t = o ⊙ tanh(C_t)
}

/** GRU r_t, z_t from their pre-activations. */
function gruResetUpdate(pre: Float64Array, xo: number, H: number, lim: number, gates: Float32Array, gRow: number): void {
  sigmoidRow(pre, xo, 2 * H, lim);
  for (let u = 0; u < 2 * H; u++) gates[gRow + u] = pre[xo + u];
}

/** GRU n_t = tanh(W_n x + b_in + hn) and h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}. */
function gruCandidate(pre: Float64Array, xo: number, hn: Float64Array, H: number, lim: number, gates: Float32Array, gRow: number,
  hPrev: Float32Array, hOff: number, h: Float32Array, hRow: number): void {
  for (let u = 0; u < H; u++) hn[u] += pre[xo + 2 * H + u];
  tanhRow(hn, 0, H, lim);
  for (let u = 0; u < H; u++) {
    const nt = hn[u];
    const z = gates[gRow + H + u];
    gates[gRow + 2 * H + u] = nt;
    h[hRow + u] = (1 - z) * nt + z * hPrev[hOff + u];
  }
}

/** RNN h_t = act(pre). */
function rnnUnits(pre: Float64Array, xo: number, H: number, lim: number, relu: boolean, h: Float32Array, hRow: number): void {
  if (!relu) tanhRow(pre, xo, H, lim);
  for (let u = 0; u < H; u++) {
    const a = relu ? clipTo(pre[xo + u], lim) : pre[xo + u];
    h[hRow + u] = relu ? (a > 0 ? a : 0) : a;
  }
}

interface Packed {
  W: Float32Array;
  panelsW: number;
  R: Float32Array;
  panelsR: number;
  aux?: Float32Array;
  panelsAux: number;
}

class TiledKernel implements Kernel {
  readonly name = 'tiled-ts';
  private readonly packed = new WeakMap<DirectionWeights, Map<string, Packed>>();

  private pack(cell: CellSpec, w: DirectionWeights, H: number, In: number, Out: number): Packed {
    const key = `${cell.family}/${cell.projSize}/${H}/${In}/${Out}`;
    let m = this.packed.get(w);
    if (!m) this.packed.set(w, (m = new Map()));
    let p = m.get(key);
    if (!p) {
      const G = gateCount(cell.family);
      const panels = (rows: number) => Math.ceil(rows / 4);
      // GRU: r,z rows and n rows apart (R_n multiplies h or r ⊙ h separately); projection: W_hr.
      const gru = cell.family === 'gru';
      const proj = cell.family === 'lstm' && cell.projSize > 0 && w.Wproj;
      p = {
        W: packRows4(w.W, G * H, In), panelsW: panels(G * H),
        R: packRows4(gru ? w.R.subarray(0, 2 * H * Out) : w.R, gru ? 2 * H : G * H, Out), panelsR: panels(gru ? 2 * H : G * H),
        aux: gru ? packRows4(w.R.subarray(2 * H * Out), H, Out) : proj ? packRows4(w.Wproj!, Out, H) : undefined,
        panelsAux: gru ? panels(H) : proj ? panels(Out) : 0,
      };
      m.set(key, p);
    }
    return p;
  }

  runDirection(cell: CellSpec, w: DirectionWeights, run: DirectionRun, out: DirectionRecord): void {
    const { steps: T, inputSize: In, hiddenSize: H, outputSize: Out, x, reverse } = run;
    const G = gateCount(cell.family);
    if (w.W.length !== G * H * In || w.R.length !== G * H * Out || x.length !== T * In) {
      throw new UnrollError(`Kernel input shapes do not match (W ${w.W.length}, R ${w.R.length}, x ${x.length} values for ${T} steps of ${In} → ${H}).`);
    }
    const GH = G * H;
    const lim = cell.clip && cell.clip > 0 ? cell.clip : Infinity;
    const coupling = cell.coupling === 'keep-forget' ? 1 : cell.coupling === 'keep-input' ? 2 : 0;
    const gruAfter = cell.family === 'gru' && cell.resetAfter;
    const pk = this.pack(cell, w, H, In, Out);
    const rowsW = pk.panelsW * 4;
    // Input-side bias with every recurrent bias that may be merged (not b_hn of the PyTorch GRU).
    const bias = new Float64Array(rowsW);
    for (let r = 0; r < GH; r++) bias[r] = w.bW[r] + (gruAfter && r >= 2 * H ? 0 : w.bR[r]);
    const n = Math.min(CHUNK, Math.max(T, 1));
    const xw = new Float64Array(n * rowsW);
    const hn = new Float64Array(Math.ceil(H / 4) * 4); // GRU: R_n h (+ b_hn) or R_n (r ⊙ h)
    const rh = new Float64Array(Out); // Cho GRU: r ⊙ h_{t-1}
    const m64 = new Float64Array(H);
    const hp = new Float64Array(Math.ceil(Out / 4) * 4); // projected LSTM: W_hr m_t
    const P = cell.family === 'lstm' && cell.peephole ? w.P : undefined;
    // h_{t-1}, C_{t-1}: the initial state, then the record row just written (offsets, not subarrays:
    // a view per step was a measurable share of the time in garbage collection).
    let hPrev: Float32Array = run.h0 ?? new Float32Array(Out);
    let hOff = 0;
    let cPrev: Float32Array = run.c0 ?? new Float32Array(H);
    let cOff = 0;

    for (let c0 = 0; c0 < T; c0 += n) {
      // Chunks of input positions; a reverse run takes them from the end.
      const len = Math.min(n, T - c0);
      const first = reverse ? T - c0 - len : c0;
      projectInputs(pk.W, bias, pk.panelsW, In, x, first, len, xw);
      for (let s = 0; s < len; s++) {
        const local = reverse ? len - 1 - s : s;
        const t = first + local;
        const xo = local * rowsW;
        const gRow = t * GH;
        const hRow = t * Out;
        if (cell.family === 'gru') {
          // Accumulate R h into the projected row in place (zero pad rows add 0 to the n rows).
          addMatVec(pk.R, Out, hPrev, hOff, 0, pk.panelsR, xw, xo);
          gruResetUpdate(xw, xo, H, lim, out.gates, gRow);
          if (gruAfter) {
            // n = tanh(W_n x + b_in + r ⊙ (R_n h + b_hn))
            for (let u = 0; u < H; u++) hn[u] = w.bR[2 * H + u];
            addMatVec(pk.aux!, Out, hPrev, hOff, 0, pk.panelsAux, hn, 0);
            for (let u = 0; u < H; u++) hn[u] *= out.gates[gRow + u];
          } else {
            // Cho: n = tanh(W_n x + b_in + R_n (r ⊙ h) + b_hn)
            for (let j = 0; j < Out; j++) rh[j] = out.gates[gRow + j] * hPrev[hOff + j];
            hn.fill(0);
            addMatVec(pk.aux!, Out, rh, 0, 0, pk.panelsAux, hn, 0);
          }
          gruCandidate(xw, xo, hn, H, lim, out.gates, gRow, hPrev, hOff, out.h, hRow);
        } else {
          const pre = xw;
          addMatVec(pk.R, Out, hPrev, hOff, 0, pk.panelsR, xw, xo);
          if (cell.family === 'rnn') {
            rnnUnits(pre, xo, H, lim, cell.nonlinearity === 'relu', out.h, hRow);
          } else {
            const cRow = t * H;
            if (P) lstmUnits(pre, xo, H, cPrev, cOff, P, lim, coupling, out.gates, gRow, out.c, cRow, m64);
            else lstmUnitsPlain(pre, xo, H, cPrev, cOff, lim, coupling, out.gates, gRow, out.c, cRow, m64);
            if (cell.projSize > 0 && w.Wproj) {
              for (let u = 0; u < H; u++) out.m[cRow + u] = m64[u];
              hp.fill(0);
              addMatVec(pk.aux!, H, m64, 0, 0, pk.panelsAux, hp, 0); // h_t = W_hr m_t
              for (let p = 0; p < Out; p++) out.h[hRow + p] = hp[p];
            } else {
              for (let u = 0; u < H; u++) out.h[hRow + u] = m64[u];
            }
            cPrev = out.c;
            cOff = cRow;
          }
        }
        hPrev = out.h;
        hOff = hRow;
      }
    }
  }
}

/** The register-tiled TypeScript kernel; stateless, so one instance serves every run. */
export const tiledKernel: Kernel = new TiledKernel();
