/**
 * The 8-bit display store. Bounded activations use a fixed range (σ gates 0..1, tanh values −1..1);
 * unbounded ones (C_t, relu h, projected h, GRU h with a large h0) get a range per checkpoint chunk,
 * chosen when the chunk is computed — one streaming pass, no second run to find the global range.
 * A window spanning chunks with different ranges is re-mapped to the channel's overall range on read.
 */
import type { CellSpec } from './types';

/** Activation kinds a trace stores: gates (canonical names), cell state c, hidden h, pre-projection m. */
export type Channel = 'i' | 'f' | 'g' | 'o' | 'r' | 'z' | 'n' | 'c' | 'h' | 'm';

export const QMAX = 255;

/** The channels a cell records, in storage order. */
export function channelsOf(cell: CellSpec): Channel[] {
  if (cell.family === 'lstm') return cell.projSize > 0 ? ['i', 'f', 'g', 'o', 'c', 'm', 'h'] : ['i', 'f', 'g', 'o', 'c', 'h'];
  if (cell.family === 'gru') return ['r', 'z', 'n', 'h'];
  return ['h'];
}

/** The fixed range of a bounded channel, or undefined when the range is found from the data. */
export function fixedRange(cell: CellSpec, ch: Channel): [number, number] | undefined {
  switch (ch) {
    case 'i':
    case 'f':
    case 'o':
    case 'r':
    case 'z':
      return [0, 1];
    case 'g':
    case 'n':
    case 'm':
      return [-1, 1];
    case 'h':
      if (cell.family === 'lstm' && cell.projSize === 0) return [-1, 1]; // o ⊙ tanh(C)
      if (cell.family === 'rnn' && cell.nonlinearity === 'tanh') return [-1, 1];
      return undefined;
    default:
      return undefined;
  }
}

/** Finite min/max of src[off + r*stride + col] over rows; [0, 0] when nothing is finite. */
export function finiteRange(src: Float32Array, rows: number, width: number, stride: number, off: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let r = 0; r < rows; r++) {
    const base = off + r * stride;
    for (let j = 0; j < width; j++) {
      const v = src[base + j];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    // Infinity present (relu overflow) or all NaN: fall back to the finite values only.
    lo = Infinity;
    hi = -Infinity;
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < width; j++) {
        const v = src[off + r * stride + j];
        if (Number.isFinite(v)) {
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      }
    }
    if (lo > hi) return [0, 0];
  }
  return [lo, hi];
}

/**
 * q = round((v − lo) / (hi − lo) · 255), clamped to 0…255, NaN → 0. Reads strided rows, writes dense rows.
 * Written through a Uint8ClampedArray view: the engine's own clamped conversion does the rounding and
 * clamping (round half to even), which is several times faster than Math.round plus tests per value.
 */
export function quantizeRows(
  src: Float32Array, rows: number, width: number, stride: number, off: number,
  lo: number, hi: number, dst: Uint8Array, dstOff: number,
): void {
  const scale = hi > lo ? QMAX / (hi - lo) : 0;
  const out = new Uint8ClampedArray(dst.buffer, dst.byteOffset + dstOff, rows * width);
  if (stride === width) {
    const n = rows * width;
    for (let i = 0; i < n; i++) out[i] = (src[off + i] - lo) * scale;
    return;
  }
  for (let r = 0; r < rows; r++) {
    const base = off + r * stride;
    const o = r * width;
    for (let j = 0; j < width; j++) out[o + j] = (src[base + j] - lo) * scale;
  }
}

/** The value a code stands for. */
export function dequantize(q: number, lo: number, hi: number): number {
  return lo + (q * (hi - lo)) / QMAX;
}

/** Lookup table re-expressing codes of range [lo, hi] in range [LO, HI]. */
export function remapTable(lo: number, hi: number, LO: number, HI: number): Uint8Array {
  const lut = new Uint8Array(QMAX + 1);
  const scale = HI > LO ? QMAX / (HI - LO) : 0;
  for (let q = 0; q <= QMAX; q++) {
    const v = Math.round((dequantize(q, lo, hi) - LO) * scale);
    lut[q] = v >= QMAX ? QMAX : v > 0 ? v : 0;
  }
  return lut;
}
