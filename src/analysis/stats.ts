/**
 * Per-unit statistics over time, read from the Trace's 8-bit codes (value = lo + q·(hi − lo)/255):
 * mean, variance, and for sigmoid gates the fraction of steps below 0.1 and above 0.9. Pure.
 *
 * Saturation is exact, not approximate: gates are stored on the fixed range [0, 1] with round-to-nearest,
 * so 0.1 · 255 = 25.5 and 0.9 · 255 = 229.5 fall exactly on code boundaries (q ≤ 25 ⇔ v < 0.1,
 * q ≥ 230 ⇔ v > 0.9 for every float32 v). Mean and variance carry at most half a code of error,
 * plenty for ranking units.
 */

export const LOW_CODE_MAX = 25;
export const HIGH_CODE_MIN = 230;

export interface UnitStats {
  /** Units (columns) and steps (rows) the statistics cover. */
  units: number;
  steps: number;
  mean: Float64Array;
  variance: Float64Array;
  /** Fraction of steps below 0.1 / above 0.9 (meaningful for sigmoid gates on [0, 1]). */
  low: Float64Array;
  high: Float64Array;
  /** Correlation with the text's bracket depth (NaN when it never changes or was not computed). */
  bracket?: Float64Array;
}

/** Accumulates codes block by block (the host reads the trace in windows). */
export class UnitStatsAccumulator {
  private readonly sum: Float64Array;
  private readonly sumSq: Float64Array;
  private readonly lowCount: Uint32Array;
  private readonly highCount: Uint32Array;
  private steps = 0;

  constructor(readonly units: number, private readonly lo: number, private readonly hi: number) {
    this.sum = new Float64Array(units);
    this.sumSq = new Float64Array(units);
    this.lowCount = new Uint32Array(units);
    this.highCount = new Uint32Array(units);
  }

  /** rows × units codes, step-major. */
  add(codes: Uint8Array, rows: number): void {
    const W = this.units;
    if (codes.length < rows * W) throw new RangeError(`codes hold ${codes.length} values, expected ${rows} × ${W}`);
    // Sums of codes are integers (exact in float64); the value transform is applied once at the end.
    for (let r = 0; r < rows; r++) {
      const base = r * W;
      for (let u = 0; u < W; u++) {
        const q = codes[base + u];
        this.sum[u] += q;
        this.sumSq[u] += q * q;
        if (q <= LOW_CODE_MAX) this.lowCount[u]++;
        else if (q >= HIGH_CODE_MIN) this.highCount[u]++;
      }
    }
    this.steps += rows;
  }

  result(): UnitStats {
    const W = this.units;
    const n = this.steps;
    const scale = (this.hi - this.lo) / 255;
    const out: UnitStats = {
      units: W, steps: n, mean: new Float64Array(W), variance: new Float64Array(W), low: new Float64Array(W), high: new Float64Array(W),
    };
    if (n === 0) return out;
    for (let u = 0; u < W; u++) {
      const mq = this.sum[u] / n;
      const vq = Math.max(0, this.sumSq[u] / n - mq * mq);
      out.mean[u] = this.lo + mq * scale;
      out.variance[u] = vq * scale * scale;
      out.low[u] = this.lowCount[u] / n;
      out.high[u] = this.highCount[u] / n;
    }
    return out;
  }
}

export type SortKey = 'index' | 'variance' | 'mean' | 'saturation' | 'bracket';
export const SORT_KEYS: readonly SortKey[] = ['index', 'variance', 'mean', 'saturation', 'bracket'];

/**
 * Unit order for a heatmap: by index, or descending by variance, |mean|, saturation (low + high) or
 * |correlation with bracket depth|.
 * Ties keep index order so the view never shuffles equal units between repaints.
 */
export function sortUnits(stats: Pick<UnitStats, 'units' | 'mean' | 'variance' | 'low' | 'high' | 'bracket'>, key: SortKey): Uint32Array {
  const order = Uint32Array.from({ length: stats.units }, (_, i) => i);
  if (key === 'index') return order;
  const score = (u: number): number =>
    key === 'variance' ? stats.variance[u] : key === 'mean' ? Math.abs(stats.mean[u]) : key === 'bracket' ? Math.abs(stats.bracket?.[u] ?? NaN) : stats.low[u] + stats.high[u];
  const s = Float64Array.from({ length: stats.units }, (_, u) => {
    const v = score(u);
    return Number.isFinite(v) ? v : -Infinity;
  });
  return order.sort((a, b) => s[b] - s[a] || a - b);
}

/** The `n` units with the largest variance (the "most variable units" list). */
export function mostVariable(stats: Pick<UnitStats, 'units' | 'mean' | 'variance' | 'low' | 'high'>, n: number): number[] {
  return [...sortUnits(stats, 'variance').slice(0, Math.max(0, n))];
}

/**
 * Steps where one unit's gate is saturated, most extreme first (distance of the code from the middle),
 * at most `n`; ties in step order. `codes` is rows × width, step-major, starting at step `t0`.
 */
export function mostSaturatedSteps(codes: Uint8Array, width: number, unit: number, t0: number, n: number): number[] {
  const rows = Math.floor(codes.length / width);
  const hits: { t: number; d: number }[] = [];
  for (let r = 0; r < rows; r++) {
    const q = codes[r * width + unit];
    if (q <= LOW_CODE_MAX || q >= HIGH_CODE_MIN) hits.push({ t: t0 + r, d: Math.abs(q - 127.5) });
  }
  hits.sort((a, b) => b.d - a.d || a.t - b.t);
  return hits.slice(0, Math.max(0, n)).map((h) => h.t);
}
