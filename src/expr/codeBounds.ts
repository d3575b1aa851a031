/**
 * Enclosures of a trace's exact values read from its 8-bit store (quantize.ts): code q of a chunk with
 * range [lo, hi] stands for the float32 values v with round((v − lo)·255/(hi − lo)) = q, a run of values
 * whose exact ends codeTables.ts finds. Layer-0 inputs and states at checkpoints are exact: points.
 *
 * That reading holds only for finite values (NaN is stored as code 0, ±Infinity as an end code). The store
 * keeps no "non-finite" mark, so `traceBounds` first proves there is none: the first non-finite value of a
 * run would be computed from finite inputs and states no larger than the recorded maxima, and if even the
 * largest pre-activation those allow stays far below the float32 limit, no such first value exists.
 * When the proof fails (huge weights, a relu RNN that blew up) it returns undefined and scans stay exact.
 */
import type { Trace } from '../engine/trace';
import { TraceStore } from '../engine/traceStore';
import { unpackNetwork } from '../engine/network';
import { fixedRange, type Channel } from '../engine/quantize';
import { gateCount, layerInputSize, numDirections, type DirectionWeights, type Network } from '../engine/types';
import type { TraceMeta } from '../engine/traceTypes';
import type { BoundLeaf, StepBounds } from './bounds';
import { exactTables } from './codeTables';
import { down, MAYBE, NO, R, type Tri, up, YES } from './interval';

/** Largest pre-activation magnitude accepted as "cannot overflow float32" (3.4e38), with a wide margin. */
const SAFE = 1e30;
/** Kernels' tanh and product rounding stay far below this (float32 tanh approximations: a few 1e-7). */
const TANH_SLACK = 4e-6;

/** Rows of one channel of one layer and direction: code → [lo, hi] tables for the chunk last read. */
class Rows {
  readonly codes: Uint8Array;
  readonly lutLo = new Float64Array(256);
  readonly lutHi = new Float64Array(256);
  /** Enclosures of tanh(value) per code (C rows of an LSTM; see LstmHRows). */
  tanhLo: Float64Array | undefined;
  tanhHi: Float64Array | undefined;
  private chunk = -1;
  private readonly fixed: [number, number] | undefined;

  constructor(private readonly store: TraceStore, private readonly k: number, private readonly d: number, private readonly ci: number, channel: Channel, meta: TraceMeta, readonly width: number) {
    this.codes = store.channel(k, d, ci);
    this.fixed = fixedRange(meta.cell, channel);
    if (this.fixed) this.tables(this.fixed[0], this.fixed[1]);
  }

  private tables(lo: number, hi: number): void {
    if (hi > lo) exactTables(lo, hi, this.lutLo, this.lutHi);
    else {
      this.lutLo.fill(lo); // one value in the whole chunk: every code is 0 and stands for lo
      this.lutHi.fill(lo);
    }
    if (this.tanhLo) this.tanhTables();
  }

  withTanh(): this {
    this.tanhLo = new Float64Array(256);
    this.tanhHi = new Float64Array(256);
    if (this.fixed) this.tanhTables();
    return this;
  }

  private tanhTables(): void {
    for (let q = 0; q < 256; q++) {
      this.tanhLo![q] = Math.tanh(this.lutLo[q]) - TANH_SLACK;
      this.tanhHi![q] = Math.tanh(this.lutHi[q]) + TANH_SLACK;
    }
  }

  /** Makes row r's tables current. */
  prepare(r: number): void {
    if (this.fixed) return;
    const j = Math.floor(r / this.store.checkpointEvery);
    if (j === this.chunk) return;
    this.chunk = j;
    const [lo, hi] = this.store.chunkRange(this.k, this.d, this.ci, j);
    this.tables(lo, hi);
  }

  /** Row r's enclosures: lo into out[off, off+width), hi into out[n + off, …). */
  fill(r: number, out: Float64Array, off: number, n: number): void {
    this.prepare(r);
    const codes = this.codes, lutLo = this.lutLo, lutHi = this.lutHi, w = this.width;
    const base = r * w;
    for (let i = 0; i < w; i++) {
      const q = codes[base + i];
      out[off + i] = lutLo[q];
      out[n + off + i] = lutHi[q];
    }
  }

  unit(r: number, i: number): void {
    this.prepare(r);
    const q = this.codes[r * this.width + i];
    R.lo = this.lutLo[q];
    R.hi = this.lutHi[q];
  }

  /**
   * Reductions of row r straight from its codes (one pass over bytes, no per-unit enclosures): the same
   * enclosures as reducing the filled row, since the tables are increasing in q. False: not one of these.
   */
  reduce(member: string, r: number): boolean {
    if (member !== 'max' && member !== 'min' && member !== 'sum' && member !== 'mean') return false;
    this.prepare(r);
    const codes = this.codes, w = this.width, base = r * w;
    if (member === 'max' || member === 'min') {
      let q = codes[base];
      if (member === 'max') for (let i = 1; i < w; i++) q = codes[base + i] > q ? codes[base + i] : q;
      else for (let i = 1; i < w; i++) q = codes[base + i] < q ? codes[base + i] : q;
      R.lo = this.lutLo[q];
      R.hi = this.lutHi[q];
      return true;
    }
    let lo = 0, hi = 0;
    const lutLo = this.lutLo, lutHi = this.lutHi;
    for (let i = 0; i < w; i++) {
      const q = codes[base + i];
      lo += lutLo[q];
      hi += lutHi[q];
    }
    const e = (Math.abs(lutLo[0]) + Math.abs(lutHi[255])) * w * w * 2.3e-16 + 1e-300; // both sums' rounding
    R.lo = down(member === 'sum' ? lo - e : (lo - e) / w);
    R.hi = up(member === 'sum' ? hi + e : (hi + e) / w);
    return true;
  }

  /** argmax/argmin(row r) == k from codes: candidates are the units whose enclosure reaches the best sure bound. */
  argIs(member: 'argmax' | 'argmin', r: number, k: number): Tri {
    if (!Number.isInteger(k) || k < 0 || k >= this.width) return NO;
    this.prepare(r);
    const codes = this.codes, w = this.width, base = r * w, lutLo = this.lutLo, lutHi = this.lutHi;
    if (member === 'argmax') {
      let q = codes[base];
      for (let i = 1; i < w; i++) if (codes[base + i] > q) q = codes[base + i];
      // Codes whose enclosure reaches the largest sure lower bound form a run up from `edge`.
      const best = lutLo[q];
      let edge = q;
      while (edge > 0 && lutHi[edge - 1] >= best) edge--;
      if (codes[base + k] < edge) return NO;
      for (let i = 0; i < w; i++) if (i !== k && codes[base + i] >= edge) return MAYBE;
    } else {
      let q = codes[base];
      for (let i = 1; i < w; i++) if (codes[base + i] < q) q = codes[base + i];
      const best = lutHi[q];
      let edge = q;
      while (edge < 255 && lutLo[edge + 1] <= best) edge++;
      if (codes[base + k] > edge) return NO;
      for (let i = 0; i < w; i++) if (i !== k && codes[base + i] <= edge) return MAYBE;
    }
    return YES;
  }
}

/**
 * LSTM h = o ⊙ tanh(C): h's own code says little when h is small (its fixed range is −1…1), but C's chunk
 * range is fitted to the data, so o and C often enclose h much more tightly; the two are intersected.
 */
class LstmHRows {
  constructor(private readonly h: Rows, private readonly o: Rows, private readonly c: Rows) {
    c.withTanh();
  }

  get width(): number {
    return this.h.width;
  }

  fill(r: number, out: Float64Array, off: number, n: number): void {
    const { h, o, c } = this;
    h.prepare(r);
    o.prepare(r);
    c.prepare(r);
    const w = h.width, base = r * w;
    const hc = h.codes, oc = o.codes, cc = c.codes;
    const hLo = h.lutLo, hHi = h.lutHi, oLo = o.lutLo, oHi = o.lutHi, tLo = c.tanhLo!, tHi = c.tanhHi!;
    for (let i = 0; i < w; i++) {
      const qh = hc[base + i], qo = oc[base + i], qc = cc[base + i];
      refine(oLo[qo], oHi[qo], tLo[qc], tHi[qc], hLo[qh], hHi[qh]);
      out[off + i] = R.lo;
      out[n + off + i] = R.hi;
    }
  }

  unit(r: number, i: number): void {
    const { h, o, c } = this;
    h.prepare(r);
    o.prepare(r);
    c.prepare(r);
    const k = r * h.width + i;
    const qo = o.codes[k], qc = c.codes[k], qh = h.codes[k];
    refine(o.lutLo[qo], o.lutHi[qo], c.tanhLo![qc], c.tanhHi![qc], h.lutLo[qh], h.lutHi[qh]);
  }
}

/** [hlo, hhi] ∩ [o]·[tanh C] into R (o ≥ 0; the tanh enclosure already carries the kernels' slack). */
function refine(olo: number, ohi: number, tlo: number, thi: number, hlo: number, hhi: number): void {
  const lo = (tlo >= 0 ? olo * tlo : ohi * tlo) - TANH_SLACK;
  const hi = (thi >= 0 ? ohi * thi : olo * thi) + TANH_SLACK;
  R.lo = lo > hlo ? lo : hlo;
  R.hi = hi < hhi ? hi : hhi;
  if (R.lo > R.hi) {
    // Disjoint would mean a kernel computes h differently: keep the code's own enclosure.
    R.lo = hlo;
    R.hi = hhi;
  }
}

function exactFill(v: ArrayLike<number>, out: Float64Array, off: number, n: number): void {
  for (let i = 0; i < v.length; i++) out[off + i] = out[n + off + i] = v[i];
}

/** Enclosures for scans over `trace`, or undefined when its codes cannot be trusted to enclose its values. */
export function traceBounds(trace: Trace, opts: { x?: Float32Array; tokenAt?: (t: number) => string } = {}): StepBounds | undefined {
  const meta = trace.meta;
  const transfer = trace.toTransfer(); // views of the trace's own buffers, no copy
  const store = TraceStore.fromBuffers(meta, transfer.network, transfer.buffers);
  if (!provablyFinite(meta, unpackNetwork(store.weights), store, opts.x)) return undefined;
  const plainH = meta.cell.family === 'lstm' && meta.cell.projSize === 0;
  const tokenAt = opts.tokenAt ?? ((): string => '');
  const coarse = enclosures(meta, store, opts.x, tokenAt, false);
  // The finer (costlier) LSTM h enclosures are consulted only for steps the coarse ones leave undecided.
  if (plainH) coarse.refined = enclosures(meta, store, opts.x, tokenAt, true);
  return coarse;
}

function enclosures(meta: TraceMeta, store: TraceStore, x: Float32Array | undefined, tokenAt: (t: number) => string, fine: boolean): StepBounds {
  const K = meta.checkpointEvery;
  const T = meta.steps;
  const In = meta.shape.inputSize;
  const rows = new Map<string, Rows | LstmHRows>();
  const rowsOf = (k: number, d: number, ch: Channel, refine = fine): Rows | LstmHRows | undefined => {
    const ci = meta.channels.indexOf(ch);
    if (ci < 0) return undefined;
    const key = `${k}/${d}/${ch}/${refine}`;
    let r = rows.get(key);
    if (!r) {
      r = new Rows(store, k, d, ci, ch, meta, store.width(ci));
      if (ch === 'h' && refine) r = new LstmHRows(r, rowsOf(k, d, 'o', false) as Rows, rowsOf(k, d, 'c', false) as Rows);
      rows.set(key, r);
    }
    return r;
  };
  return {
    tokenAt,
    leaf(k, d, name): BoundLeaf | undefined {
      if (name === 'x') {
        if (k === 0) {
          const row = (t: number): ArrayLike<number> => (x ? x.subarray(t * In, (t + 1) * In) : store.denseInput(t, t + 1));
          return { len: In, fill: (t, out) => exactFill(row(t), out, 0, In), unit: (t, i) => void (R.lo = R.hi = row(t)[i]) };
        }
        // Layer k's input is [fwd h ; rev h] of layer k−1 at the same position.
        const parts = Array.from({ length: numDirections(meta.shape) }, (_, dd) => rowsOf(k - 1, dd, 'h')!);
        const w = meta.outputSize;
        const len = w * parts.length;
        return { len, fill: (t, out) => parts.forEach((p, dd) => p.fill(t, out, dd * w, len)), unit: (t, i) => parts[Math.floor(i / w)].unit(t, i % w) };
      }
      if (name === 'h_prev' || name === 'c_prev') {
        const rowsCh = rowsOf(k, d, name === 'h_prev' ? 'h' : 'c');
        if (!rowsCh) return undefined;
        const len = rowsCh.width;
        // At a chunk's entry the previous state is the checkpoint itself: exact.
        const entry = (t: number): ArrayLike<number> | undefined => {
          const j = Math.floor(t / K);
          if (d === 0 ? t !== j * K : t !== Math.min(T, (j + 1) * K) - 1) return undefined;
          const cp = store.checkpoint(k, d, j);
          return name === 'h_prev' ? cp.h : cp.c;
        };
        const prevRow = d === 0 ? -1 : 1;
        return {
          len,
          fill: (t, out) => {
            const e = entry(t);
            if (e) exactFill(e, out, 0, len);
            else rowsCh.fill(t + prevRow, out, 0, len);
          },
          unit: (t, i) => {
            const e = entry(t);
            if (e) R.lo = R.hi = e[i];
            else rowsCh.unit(t + prevRow, i);
          },
        };
      }
      const r = rowsOf(k, d, name as Channel);
      if (!r) return undefined;
      const len = r.width;
      if (r instanceof LstmHRows) return { len, fill: (t, out) => r.fill(t, out, 0, len), unit: (t, i) => r.unit(t, i) };
      return { len, fill: (t, out) => r.fill(t, out, 0, len), unit: (t, i) => r.unit(t, i), reduce: (m, t) => r.reduce(m, t), argIs: (m, t, kk) => r.argIs(m, t, kk) };
    },
  };
}

function maxAbs(v: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m; // NaN if any is NaN
}

/** Largest Σ|row| over the rows of a [rows, cols] matrix. */
function rowAbsMax(m: Float32Array, cols: number): number {
  let best = 0;
  for (let r = 0; r * cols < m.length; r++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += Math.abs(m[r * cols + j]);
    best = Math.max(best, s);
  }
  return best;
}

function provablyFinite(meta: TraceMeta, net: Network, store: TraceStore, x: Float32Array | undefined): boolean {
  const { cell, shape } = meta;
  const D = numDirections(shape);
  const H = shape.hiddenSize;
  const Out = meta.outputSize;
  const nChunks = Math.ceil(meta.steps / meta.checkpointEvery);
  const G = gateCount(cell.family);
  let below = store.oneHot ? 1 : maxAbs(x ?? store.denseInput(0, meta.steps));
  for (let k = 0; k < shape.numLayers; k++) {
    const In = layerInputSize(cell, shape, k);
    let next = 0;
    for (let d = 0; d < D; d++) {
      const range = (ch: Channel): number => {
        const r = meta.ranges[k][d][ch];
        return r ? Math.max(Math.abs(r[0]), Math.abs(r[1])) : 0;
      };
      const init = store.checkpoint(k, d, d === 0 ? 0 : nChunks - 1);
      const Mh = Math.max(range('h'), maxAbs(init.h));
      const Mc = cell.family === 'lstm' ? Math.max(range('c'), maxAbs(init.c!)) : 0;
      const w: DirectionWeights = net.layers[k][d];
      let pre = rowAbsMax(w.W, In) * below + rowAbsMax(w.R, Out) * Mh + maxAbs(w.bW) + maxAbs(w.bR);
      if (w.P) pre += maxAbs(w.P) * Mc;
      const proj = w.Wproj ? rowAbsMax(w.Wproj, H) : 0;
      if (!(pre < SAFE && Mh < SAFE && Mc < SAFE && proj < SAFE && G >= 1)) return false;
      next = Math.max(next, Mh);
    }
    below = next;
  }
  return below < SAFE;
}
