/**
 * The colour range of a signed (diverging) heatmap. In a trained LSTM one unit can carry |C| ≈ 36 while
 * the others stay within ±2: scaled to the largest value, every other unit is drawn in the background
 * colour and the pattern disappears. The robust range covers a high share of the shown |values| and
 * clips the rest to the end colours (the legend says so, tooltips keep exact values); "per unit" scales
 * each row to its own largest |value|. Everything is computed from the 8-bit codes the view already has
 * (value = lo + q·(hi − lo)/255). Sigmoid gates keep their fixed scale (colorScales.channelLut). Pure.
 */
import { dequantize as codeValue } from '../engine/quantize';
import { diverging, type Rgb } from './colorScales';

export type RangeMode = 'robust' | 'full' | 'unit';

/** Share of the shown |values| the robust range covers; one outlier unit of 64 is 1.6 % of them. */
export const ROBUST_SHARE = 0.98;
/** Clip only when the largest |value| is this far beyond the robust limit: without outliers, nothing is clipped. */
export const CLIP_FACTOR = 1.5;

export interface ColourRange {
  /** Values map onto ±limit; beyond it they take the end colours. */
  limit: number;
  /** Largest |value| among the codes (0 when there were none). */
  max: number;
  clipped: boolean;
}

/** The range to colour `codes` with: ±max, or ±(the ROBUST_SHARE quantile of |value|) when outliers dwarf it. */
export function robustRange(codes: ArrayLike<number>, lo: number, hi: number, mode: RangeMode = 'robust', share = ROBUST_SHARE): ColourRange {
  const hist = new Float64Array(256);
  for (let i = 0; i < codes.length; i++) hist[codes[i]]++;
  let max = 0;
  for (let q = 0; q < 256; q++) if (hist[q]) max = Math.max(max, Math.abs(codeValue(q, lo, hi)));
  if (!(max > 0)) return { limit: Math.max(Math.abs(lo), Math.abs(hi)) || 1, max: 0, clipped: false };
  if (mode !== 'robust') return { limit: max, max, clipped: false };
  const byAbs = Array.from({ length: 256 }, (_, q) => q).sort((a, b) => Math.abs(codeValue(a, lo, hi)) - Math.abs(codeValue(b, lo, hi)));
  let seen = 0;
  let limit = 0;
  for (const q of byAbs) {
    if (!hist[q]) continue;
    seen += hist[q];
    limit = Math.abs(codeValue(q, lo, hi));
    if (seen >= share * codes.length) break;
  }
  return limit > 0 && max > limit * CLIP_FACTOR ? { limit, max, clipped: true } : { limit: max, max, clipped: false };
}

/** Largest |value| of each row of step-major `codes` (steps × rows); 1 for an all-zero row. */
export function rowLimits(codes: ArrayLike<number>, steps: number, rows: number, lo: number, hi: number): Float64Array {
  const out = new Float64Array(rows);
  for (let t = 0; t < steps; t++) {
    for (let r = 0; r < rows; r++) {
      const v = Math.abs(codeValue(codes[t * rows + r], lo, hi));
      if (v > out[r]) out[r] = v;
    }
  }
  for (let r = 0; r < rows; r++) if (!(out[r] > 0)) out[r] = 1;
  return out;
}

/** Entries of the fine diverging table: x = −1 … +1 in 2·255 steps (finer than one code). */
export const FINE = 511;

/** RGB table of the diverging scale at x = (i − 255)/255, i = 0 … 510. */
export function fineDiverging(background: Rgb): Uint8ClampedArray {
  const lut = new Uint8ClampedArray(FINE * 3);
  for (let i = 0; i < FINE; i++) lut.set(diverging((i - 255) / 255, background), i * 3);
  return lut;
}

/** Index into the fine table for value `v` on ±limit (clipped at the ends). */
export function fineIndex(v: number, limit: number): number {
  const x = Math.round((v / limit) * 255);
  return (Number.isFinite(x) ? Math.max(-255, Math.min(255, x)) : 0) + 255;
}

/** A value for the legend: one decimal from 1 up, two significant digits below. */
export function formatLimit(v: number): string {
  return Math.abs(v) >= 1 ? v.toFixed(1) : v.toPrecision(2);
}

export interface LegendStrings {
  legendClipped: string;
  legendUnit: string;
  legendClipHelp: string;
}

/** The legend's text and its longer explanation (title) for what the heatmap shows. */
export function legendText(kind: 'sequential' | 'diverging', lo: number, hi: number, r: ColourRange, mode: RangeMode, s: LegendStrings): { text: string; help: string } {
  if (kind === 'sequential') return { text: `${formatLimit(lo)} … ${formatLimit(hi)}`, help: '' };
  if (mode === 'unit') return { text: s.legendUnit, help: s.legendUnit };
  const limit = formatLimit(r.limit);
  if (!r.clipped) return { text: `±${limit}`, help: '' };
  return { text: s.legendClipped.replace('{0}', limit).replace('{1}', formatLimit(r.max)), help: s.legendClipHelp.replace('{0}', limit) };
}
