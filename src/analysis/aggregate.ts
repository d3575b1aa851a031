/**
 * Level of detail for units × time heatmaps: when more steps (or units) than pixels are shown, each
 * pixel stands for a bin, reduced by min, max or mean of its 8-bit codes. Pure; used by the host (steps,
 * so a 10,000-step channel travels as a screen's worth of columns) and by the webview (units → rows).
 */

export type Reduce = 'mean' | 'min' | 'max';
export const REDUCERS: readonly Reduce[] = ['mean', 'min', 'max'];

/** Bin k of n over [0, count): [start, end), every bin non-empty when n ≤ count. */
export function binBounds(count: number, bins: number, k: number): [number, number] {
  return [Math.floor((k * count) / bins), Math.floor(((k + 1) * count) / bins)];
}

/** Number of bins to use for `count` items on `pixels` pixels: never more bins than items. */
export function binsFor(count: number, pixels: number): number {
  return Math.max(0, Math.min(count, Math.floor(pixels)));
}

/**
 * Reduces rows of codes (rows × width, step-major) into `bins` rows, each over a run of consecutive rows.
 * Returns the three reductions so a view can switch between them without asking again.
 */
export function binRows(codes: Uint8Array, rows: number, width: number, bins: number): { min: Uint8Array; max: Uint8Array; mean: Uint8Array } {
  if (!(bins >= 1 && bins <= rows)) throw new RangeError(`bins must be 1…${rows} (got ${bins})`);
  const min = new Uint8Array(bins * width);
  const max = new Uint8Array(bins * width);
  const mean = new Uint8Array(bins * width);
  const sum = new Uint32Array(width);
  for (let k = 0; k < bins; k++) {
    const [a, b] = binBounds(rows, bins, k);
    const o = k * width;
    min.fill(255, o, o + width);
    sum.fill(0);
    for (let r = a; r < b; r++) {
      const base = r * width;
      for (let u = 0; u < width; u++) {
        const q = codes[base + u];
        if (q < min[o + u]) min[o + u] = q;
        if (q > max[o + u]) max[o + u] = q;
        sum[u] += q;
      }
    }
    const n = b - a;
    for (let u = 0; u < width; u++) mean[o + u] = Math.round(sum[u] / n);
  }
  return { min, max, mean };
}

/**
 * Reorders and reduces units (columns) for display: `order` lists units top to bottom, `rows` pixel rows
 * each take a run of them. Returns steps × rows codes (step-major), ready to be turned into pixels.
 */
export function binUnits(codes: Uint8Array, steps: number, width: number, order: ArrayLike<number>, rows: number, reduce: Reduce): Uint8Array {
  const n = order.length;
  if (!(rows >= 1 && rows <= n)) throw new RangeError(`rows must be 1…${n} (got ${rows})`);
  const out = new Uint8Array(steps * rows);
  for (let k = 0; k < rows; k++) {
    const [a, b] = binBounds(n, rows, k);
    for (let t = 0; t < steps; t++) {
      const base = t * width;
      let acc = reduce === 'min' ? 255 : 0;
      for (let j = a; j < b; j++) {
        const q = codes[base + order[j]];
        if (reduce === 'min') acc = q < acc ? q : acc;
        else if (reduce === 'max') acc = q > acc ? q : acc;
        else acc += q;
      }
      out[t * rows + k] = reduce === 'mean' ? Math.round(acc / (b - a)) : acc;
    }
  }
  return out;
}
