/**
 * Backpropagation through time for ONE direction of ONE layer, every cell kind of the engine.
 * Float64 throughout: the float32 weights are widened once, so gradients agree with float64 references
 * (PyTorch autograd in float64) to ~1e-12 instead of float32's ~1e-6 of the tensor max.
 * Pure: no I/O. Arrays are indexed by INPUT POSITION t, also for reverse runs.
 *
 * Symbols follow the fixtures' equations: i_t, f_t, g_t (C̃_t), o_t, C_t, m_t = o_t ⊙ tanh(C_t),
 * h_t (= W_hr m_t with a projection); GRU r_t, z_t, n_t; RNN h_t = act(·).
 */
import type { CellSpec } from '../types';
import { gateCount } from '../types';
import { dotRows, gemmTN, outerAccum, transpose } from './rows';

/** One direction's weights widened to float64, canonical gate order (LSTM i,f,g,o; GRU r,z,n). */
export interface DirParams {
  W: Float64Array; // [G*H, In]
  R: Float64Array; // [G*H, Out]
  bW: Float64Array; // [G*H]
  bR: Float64Array; // [G*H]
  P?: Float64Array; // [3H] p_i, p_f, p_o
  Wproj?: Float64Array; // [Out, H]
}

export interface DirDims {
  steps: number;
  inputSize: number;
  hiddenSize: number;
  outputSize: number;
  reverse: boolean;
}

/** What the backward pass needs from the forward pass. */
export interface DirCache {
  dims: DirDims;
  /** Layer input [T*In]; null when `tokens` gives a one-hot input. */
  x: Float64Array | null;
  /** One-hot input: x_t = e_{tokens[t]} (saves the In-wide matmul for character models). */
  tokens: Int32Array | null;
  h0: Float64Array; // [Out]
  c0: Float64Array; // [H]
  /** Pre-activations [T*G*H] before any clip (clip masks come from them). */
  pre: Float64Array;
  /** Activations [T*G*H]: LSTM i,f,g,o (CIFG: the derived gate stored as 1 − other); GRU r,z,n. */
  gates: Float64Array;
  c: Float64Array; // [T*H] LSTM
  tanhC: Float64Array; // [T*H] LSTM
  m: Float64Array; // [T*H] LSTM with projection
  /** PyTorch GRU: R_n h_{t-1} + b_hn [T*H]; Cho GRU: r ⊙ h_{t-1} [T*H]. */
  hn: Float64Array;
  h: Float64Array; // [T*Out]
}

export interface DirGrads {
  W: Float64Array;
  R: Float64Array;
  bW: Float64Array;
  bR: Float64Array;
  P?: Float64Array;
  Wproj?: Float64Array;
}

export function zeroGrads(p: DirParams): DirGrads {
  return {
    W: new Float64Array(p.W.length),
    R: new Float64Array(p.R.length),
    bW: new Float64Array(p.bW.length),
    bR: new Float64Array(p.bR.length),
    P: p.P ? new Float64Array(p.P.length) : undefined,
    Wproj: p.Wproj ? new Float64Array(p.Wproj.length) : undefined,
  };
}

const sigmoid = (v: number): number => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));

/** Processing order: forward 0..T-1, reverse T-1..0; `prev` is the position whose state feeds step t. */
const order = (d: DirDims, k: number): number => (d.reverse ? d.steps - 1 - k : k);
const prevPos = (d: DirDims, t: number): number => (d.reverse ? t + 1 : t - 1);
const hasPrev = (d: DirDims, t: number): boolean => (d.reverse ? t + 1 < d.steps : t > 0);

export function forwardDirection(
  cell: CellSpec,
  p: DirParams,
  dims: DirDims,
  input: { x: Float64Array | null; tokens: Int32Array | null },
  h0: Float64Array | undefined,
  c0: Float64Array | undefined,
): DirCache {
  const { steps: T, inputSize: In, hiddenSize: H, outputSize: Out } = dims;
  const G = gateCount(cell.family);
  const GH = G * H;
  const lstm = cell.family === 'lstm';
  const gru = cell.family === 'gru';
  const clip = cell.clip && cell.clip > 0 ? cell.clip : 0;
  const cache: DirCache = {
    dims,
    x: input.x,
    tokens: input.tokens,
    h0: h0 ?? new Float64Array(Out),
    c0: c0 ?? new Float64Array(H),
    pre: new Float64Array(T * GH),
    gates: new Float64Array(T * GH),
    c: new Float64Array(lstm ? T * H : 0),
    tanhC: new Float64Array(lstm ? T * H : 0),
    m: new Float64Array(lstm && p.Wproj ? T * H : 0),
    hn: new Float64Array(gru ? T * H : 0),
    h: new Float64Array(T * Out),
  };
  const { x, tokens } = input;
  const { W, R, bW, bR, P, Wproj } = p;
  const rh = new Float64Array(Out);
  const rs = new Float64Array(GH); // R h_{t-1} + b_hh
  const cl = (v: number): number => (clip ? Math.max(-clip, Math.min(clip, v)) : v);
  for (let k = 0; k < T; k++) {
    const t = order(dims, k);
    const first = !hasPrev(dims, t);
    const hp = first ? cache.h0 : cache.h.subarray(prevPos(dims, t) * Out, prevPos(dims, t) * Out + Out);
    const cp = first ? cache.c0 : lstm ? cache.c.subarray(prevPos(dims, t) * H, prevPos(dims, t) * H + H) : cache.c0;
    const pre = cache.pre.subarray(t * GH, t * GH + GH);
    const act = cache.gates.subarray(t * GH, t * GH + GH);
    // Input side: W x + b_ih (one-hot input picks a column).
    for (let r = 0; r < GH; r++) {
      let s = bW[r];
      if (tokens) s += W[r * In + tokens[t]];
      else {
        const xo = t * In;
        const wo = r * In;
        for (let j = 0; j < In; j++) s += W[wo + j] * x![xo + j];
      }
      pre[r] = s;
    }
    if (gru) {
      const hn = cache.hn.subarray(t * H, t * H + H);
      // r_t, z_t: rows [0, 2H) see h_{t-1} directly.
      for (let r = 0; r < 2 * H; r++) {
        let s = bR[r];
        const ro = r * Out;
        for (let j = 0; j < Out; j++) s += R[ro + j] * hp[j];
        pre[r] += s;
        act[r] = sigmoid(cl(pre[r]));
      }
      if (cell.resetAfter) {
        // n_t = tanh(W_n x + b_in + r ⊙ (R_n h_{t-1} + b_hn))
        for (let u = 0; u < H; u++) {
          const r = 2 * H + u;
          let s = bR[r];
          const ro = r * Out;
          for (let j = 0; j < Out; j++) s += R[ro + j] * hp[j];
          hn[u] = s;
          pre[r] += act[u] * s;
        }
      } else {
        // n_t = tanh(W_n x + b_in + R_n (r ⊙ h_{t-1}) + b_hn)
        for (let j = 0; j < H; j++) rh[j] = act[j] * hp[j];
        hn.set(rh.subarray(0, H));
        for (let u = 0; u < H; u++) {
          const r = 2 * H + u;
          let s = bR[r];
          const ro = r * Out;
          for (let j = 0; j < Out; j++) s += R[ro + j] * rh[j];
          pre[r] += s;
        }
      }
      const h = cache.h.subarray(t * Out, t * Out + Out);
      for (let u = 0; u < H; u++) {
        const n = Math.tanh(cl(pre[2 * H + u]));
        act[2 * H + u] = n;
        const z = act[H + u];
        h[u] = (1 - z) * n + z * hp[u];
      }
      continue;
    }
    dotRows(R, Out, 0, GH, hp, 0, bR, rs, 0);
    for (let r = 0; r < GH; r++) pre[r] += rs[r];
    const h = cache.h.subarray(t * Out, t * Out + Out);
    if (!lstm) {
      const relu = cell.nonlinearity === 'relu';
      for (let u = 0; u < H; u++) {
        const v = cl(pre[u]);
        act[u] = h[u] = relu ? (v > 0 ? v : 0) : Math.tanh(v);
      }
      continue;
    }
    const c = cache.c.subarray(t * H, t * H + H);
    const tc = cache.tanhC.subarray(t * H, t * H + H);
    for (let u = 0; u < H; u++) {
      if (P) {
        pre[u] += P[u] * cp[u]; // p_i ⊙ C_{t-1}
        pre[H + u] += P[H + u] * cp[u]; // p_f ⊙ C_{t-1}
      }
      let i = sigmoid(cl(pre[u]));
      let f = sigmoid(cl(pre[H + u]));
      if (cell.coupling === 'keep-input') f = 1 - i;
      else if (cell.coupling === 'keep-forget') i = 1 - f;
      const g = Math.tanh(cl(pre[2 * H + u]));
      const cNew = f * cp[u] + i * g;
      if (P) pre[3 * H + u] += P[2 * H + u] * cNew; // p_o sees the NEW C_t
      const o = sigmoid(cl(pre[3 * H + u]));
      act[u] = i;
      act[H + u] = f;
      act[2 * H + u] = g;
      act[3 * H + u] = o;
      c[u] = cNew;
      tc[u] = Math.tanh(cNew);
    }
    if (Wproj) {
      const m = cache.m.subarray(t * H, t * H + H);
      for (let u = 0; u < H; u++) m[u] = act[3 * H + u] * tc[u];
      for (let q = 0; q < Out; q++) {
        let s = 0;
        for (let u = 0; u < H; u++) s += Wproj[q * H + u] * m[u];
        h[q] = s;
      }
    } else {
      for (let u = 0; u < H; u++) h[u] = act[3 * H + u] * tc[u];
    }
  }
  return cache;
}

export interface BackwardOptions {
  /** dL/dh_t from outside this direction (loss terms, the layer above) [T*Out]. */
  dhDirect: Float64Array;
  /** dL/dC_t from outside (loss terms on C) [T*H]; null = none. */
  dcDirect: Float64Array | null;
  /** Accumulate weight gradients here; null = skip (state gradients only, e.g. for gradNorms). */
  grads: DirGrads | null;
  /** Accumulate dL/dx here [T*In]; null = skip. */
  dx: Float64Array | null;
}

export interface BackwardResult {
  /** Total dL/dh_t [T*Out] and dL/dC_t [T*H] (LSTM), as defined in the fixtures README. */
  dh: Float64Array;
  dc: Float64Array;
  dh0: Float64Array;
  dc0: Float64Array;
}

export function backwardDirection(cell: CellSpec, p: DirParams, cache: DirCache, opt: BackwardOptions): BackwardResult {
  const { steps: T, inputSize: In, hiddenSize: H, outputSize: Out } = cache.dims;
  const dims = cache.dims;
  const G = gateCount(cell.family);
  const GH = G * H;
  const lstm = cell.family === 'lstm';
  const gru = cell.family === 'gru';
  const clip = cell.clip && cell.clip > 0 ? cell.clip : 0;
  const { W, R, P, Wproj } = p;
  const gr = opt.grads;
  const dx = opt.dx;
  const dhAll = new Float64Array(T * Out);
  const dcAll = new Float64Array(lstm ? T * H : 0);
  let dhNext = new Float64Array(Out);
  let dcNext = new Float64Array(H);
  let dhPrev = new Float64Array(Out);
  let dcPrev = new Float64Array(H);
  const dpreW = new Float64Array(GH); // gradient of the W-side pre-activation (W x + b_ih)
  const dpreR = new Float64Array(GH); // gradient of the R-side pre-activation (R h + b_hh)
  const dm = new Float64Array(H);
  const drh = new Float64Array(H);
  const deferR = !!gr && !(gru && !cell.resetAfter);
  // Rows of R that multiply h_{t-1} itself (Cho GRU's n rows see r ⊙ h_{t-1}), transposed once so
  // Rᵀ dpre reads rows contiguously.
  const nPlain = gru && !cell.resetAfter ? 2 * H : GH;
  const RT = deferR || !gr ? transpose(R, nPlain, Out) : null;
  const dAll = new Float64Array(deferR ? T * GH : 0);
  const sAll = new Float64Array(deferR ? T * Out : 0);
  // d act / d pre, zero where an ONNX clip cut the pre-activation.
  const live = (v: number): number => (clip && (v > clip || v < -clip) ? 0 : 1);
  for (let k = T - 1; k >= 0; k--) {
    const t = order(dims, k);
    const first = !hasPrev(dims, t);
    const tp = prevPos(dims, t);
    const hp = first ? cache.h0 : cache.h.subarray(tp * Out, tp * Out + Out);
    const cp = first ? cache.c0 : lstm ? cache.c.subarray(tp * H, tp * H + H) : cache.c0;
    const act = cache.gates.subarray(t * GH, t * GH + GH);
    const pre = cache.pre.subarray(t * GH, t * GH + GH);
    const dh = dhAll.subarray(t * Out, t * Out + Out);
    for (let q = 0; q < Out; q++) dh[q] = opt.dhDirect[t * Out + q] + dhNext[q];
    dhPrev.fill(0);
    dcPrev.fill(0);
    let rSideInput: Float64Array = hp; // what R multiplies (Cho GRU n rows: r ⊙ h_{t-1})
    if (lstm) {
      const c = cache.c.subarray(t * H, t * H + H);
      const tc = cache.tanhC.subarray(t * H, t * H + H);
      if (Wproj) {
        const m = cache.m.subarray(t * H, t * H + H);
        dm.fill(0);
        for (let q = 0; q < Out; q++) {
          const d = dh[q];
          if (d === 0) continue;
          const wo = q * H;
          for (let u = 0; u < H; u++) {
            dm[u] += Wproj[wo + u] * d;
            if (gr) gr.Wproj![wo + u] += d * m[u];
          }
        }
      } else dm.set(dh);
      const dc = dcAll.subarray(t * H, t * H + H);
      for (let u = 0; u < H; u++) {
        const i = act[u];
        const f = act[H + u];
        const g = act[2 * H + u];
        const o = act[3 * H + u];
        const dpo = dm[u] * tc[u] * o * (1 - o) * live(pre[3 * H + u]);
        let dcu = (opt.dcDirect ? opt.dcDirect[t * H + u] : 0) + dcNext[u] + dm[u] * o * (1 - tc[u] * tc[u]);
        if (P) dcu += P[2 * H + u] * dpo;
        dc[u] = dcu;
        const di = dcu * g;
        const df = dcu * cp[u];
        let dpi = 0;
        let dpf = 0;
        if (cell.coupling === 'keep-input') dpi = (di - df) * i * (1 - i) * live(pre[u]);
        else if (cell.coupling === 'keep-forget') dpf = (df - di) * f * (1 - f) * live(pre[H + u]);
        else {
          dpi = di * i * (1 - i) * live(pre[u]);
          dpf = df * f * (1 - f) * live(pre[H + u]);
        }
        const dpg = dcu * i * (1 - g * g) * live(pre[2 * H + u]);
        dpreW[u] = dpi;
        dpreW[H + u] = dpf;
        dpreW[2 * H + u] = dpg;
        dpreW[3 * H + u] = dpo;
        dcPrev[u] = dcu * f;
        if (P) {
          dcPrev[u] += P[u] * dpi + P[H + u] * dpf;
          if (gr) {
            gr.P![u] += dpi * cp[u];
            gr.P![H + u] += dpf * cp[u];
            gr.P![2 * H + u] += dpo * c[u];
          }
        }
      }
      dpreR.set(dpreW);
    } else if (gru) {
      const hn = cache.hn.subarray(t * H, t * H + H);
      for (let u = 0; u < H; u++) {
        const z = act[H + u];
        const n = act[2 * H + u];
        dhPrev[u] = dh[u] * z;
        dpreW[H + u] = dh[u] * (hp[u] - n) * z * (1 - z) * live(pre[H + u]);
        dpreW[2 * H + u] = dh[u] * (1 - z) * (1 - n * n) * live(pre[2 * H + u]);
      }
      if (cell.resetAfter) {
        for (let u = 0; u < H; u++) {
          const r = act[u];
          const dpn = dpreW[2 * H + u];
          dpreW[u] = dpn * hn[u] * r * (1 - r) * live(pre[u]);
          dpreR[2 * H + u] = dpn * r; // b_hn sits inside r ⊙ (…)
        }
      } else {
        // d(r ⊙ h_{t-1}) = R_nᵀ dpre_n
        drh.fill(0);
        for (let u = 0; u < H; u++) {
          const d = dpreW[2 * H + u];
          if (d === 0) continue;
          const ro = (2 * H + u) * Out;
          for (let j = 0; j < H; j++) drh[j] += R[ro + j] * d;
        }
        for (let u = 0; u < H; u++) {
          const r = act[u];
          dpreW[u] = drh[u] * hp[u] * r * (1 - r) * live(pre[u]);
          dhPrev[u] += drh[u] * r;
          dpreR[2 * H + u] = dpreW[2 * H + u];
        }
        rSideInput = hn; // r ⊙ h_{t-1}
      }
      for (let r = 0; r < 2 * H; r++) dpreR[r] = dpreW[r];
    } else {
      const relu = cell.nonlinearity === 'relu';
      for (let u = 0; u < H; u++) {
        const hv = act[u];
        dpreW[u] = dh[u] * (relu ? (hv > 0 ? 1 : 0) : 1 - hv * hv) * live(pre[u]);
      }
      dpreR.set(dpreW);
    }
    // W side: dW += dpre ⊗ x_t, db_ih += dpre, dx_t += Wᵀ dpre.
    const xo = t * In;
    for (let r = 0; r < GH; r++) {
      const d = dpreW[r];
      if (d === 0) continue;
      const wo = r * In;
      if (gr) {
        gr.bW[r] += d;
        if (cache.tokens) gr.W[wo + cache.tokens[t]] += d;
        else for (let j = 0; j < In; j++) gr.W[wo + j] += d * cache.x![xo + j];
      }
      if (dx) for (let j = 0; j < In; j++) dx[xo + j] += W[wo + j] * d;
    }
    // R side: dR += dpre ⊗ h_{t-1}, db_hh += dpre, dh_{t-1} += Rᵀ dpre (Cho n rows handled above).
    const choN = gru && !cell.resetAfter;
    if (gr) for (let r = 0; r < GH; r++) gr.bR[r] += dpreR[r];
    if (deferR) {
      // dR is summed over the steps after the loop (gemmTN): record this step's factors in order.
      dAll.set(dpreR, (T - 1 - k) * GH);
      sAll.set(hp, (T - 1 - k) * Out);
    }
    if (RT) dotRows(RT, nPlain, 0, Out, dpreR, 0, dhPrev, dhPrev, 0); // dh_{t-1} += Rᵀ dpre, rows ascending
    else outerAccum(gr!.R, R, Out, nPlain, dpreR, 0, hp, 0, dhPrev);
    if (choN && gr)
      for (let r = 2 * H; r < GH; r++) {
        const d = dpreR[r];
        const ro = r * Out;
        for (let j = 0; j < Out; j++) gr.R[ro + j] += d * rSideInput[j];
      }
    [dhNext, dhPrev] = [dhPrev, dhNext];
    [dcNext, dcPrev] = [dcPrev, dcNext];
  }
  if (deferR) gemmTN(gr!.R, GH, Out, dAll, sAll, T);
  return { dh: dhAll, dc: dcAll, dh0: dhNext, dc0: dcNext };
}
