/**
 * Colour-blind-safe scales for the analysis views, as 256-entry RGBA tables (code q → colour):
 * - gates (σ, 0..1): viridis, perceptually uniform and monotone in lightness, readable with every common
 *   colour-vision deficiency and in greyscale;
 * - tanh values and states (−1..+1): blue ↔ theme background ↔ orange, the diverging pair that stays
 *   distinct for protan/deutan/tritan viewers; the midpoint (0) is the editor background so "nothing"
 *   reads as empty in light, dark and high-contrast themes alike.
 * (webview/colors.ts keeps the core views' theme-tinted scales; these are the analysis views' own.) Pure.
 */

export type Rgb = [number, number, number];

/** viridis (matplotlib) sampled at 0, 0.1, …, 1; interpolated linearly in between. */
const VIRIDIS: readonly string[] = ['#440154', '#482475', '#414487', '#355f8d', '#2a788e', '#21918c', '#22a884', '#44bf70', '#7ad151', '#bddf26', '#fde725'];

function hex(s: string): Rgb {
  return [parseInt(s.slice(1, 3), 16), parseInt(s.slice(3, 5), 16), parseInt(s.slice(5, 7), 16)];
}

function lerp(a: Rgb, b: Rgb, t: number): Rgb {
  return [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * t)) as Rgb;
}

/** viridis at x ∈ [0, 1] (clamped; NaN → the low end). */
export function viridis(x: number): Rgb {
  const v = Number.isFinite(x) ? Math.max(0, Math.min(1, x)) : 0;
  const p = v * (VIRIDIS.length - 1);
  const k = Math.min(VIRIDIS.length - 2, Math.floor(p));
  return lerp(hex(VIRIDIS[k]), hex(VIRIDIS[k + 1]), p - k);
}

/** Endpoints of the diverging scale, chosen for the background's lightness (contrast against it). */
export function divergingEnds(background: Rgb): { negative: Rgb; positive: Rgb } {
  const dark = relativeLuminance(background) < 0.3;
  return dark ? { negative: [86, 164, 255], positive: [255, 153, 51] } : { negative: [33, 102, 172], positive: [179, 88, 6] };
}

/** Diverging colour at x ∈ [−1, 1]: negative → background → positive. */
export function diverging(x: number, background: Rgb): Rgb {
  const { negative, positive } = divergingEnds(background);
  const v = Number.isFinite(x) ? Math.max(-1, Math.min(1, x)) : 0;
  return v < 0 ? lerp(background, negative, -v) : lerp(background, positive, v);
}

/** WCAG relative luminance, 0..1. */
export function relativeLuminance([r, g, b]: Rgb): number {
  const lin = (c: number) => {
    const x = c / 255;
    return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG contrast ratio of two colours (1..21). */
export function contrastRatio(a: Rgb, b: Rgb): number {
  const [x, y] = [relativeLuminance(a), relativeLuminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

export type ScaleKind = 'sequential' | 'diverging';

/** Sigmoid gates use the sequential scale; everything signed (C̃, n, C, h, m) the diverging one. */
export function scaleKind(channel: string): ScaleKind {
  return channel === 'i' || channel === 'f' || channel === 'o' || channel === 'r' || channel === 'z' ? 'sequential' : 'diverging';
}

/**
 * Code → RGBA table for a channel whose codes mean value = lo + q·(hi − lo)/255. Sequential channels map
 * lo..hi onto viridis; diverging ones map values onto ±max(|lo|, |hi|) so 0 is always the background.
 */
export function channelLut(kind: ScaleKind, lo: number, hi: number, background: Rgb): Uint8ClampedArray {
  const lut = new Uint8ClampedArray(256 * 4);
  const m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  for (let q = 0; q < 256; q++) {
    const v = lo + (q * (hi - lo)) / 255;
    const c = kind === 'sequential' ? viridis(hi > lo ? (v - lo) / (hi - lo) : 0) : diverging(v / m, background);
    lut[q * 4] = c[0];
    lut[q * 4 + 1] = c[1];
    lut[q * 4 + 2] = c[2];
    lut[q * 4 + 3] = 255;
  }
  return lut;
}

/** The colour of an exact value on a channel's scale (text colouring, tooltips). */
export function valueColour(kind: ScaleKind, v: number, lo: number, hi: number, background: Rgb): Rgb {
  if (kind === 'sequential') return viridis(hi > lo ? (v - lo) / (hi - lo) : 0);
  return diverging(v / (Math.max(Math.abs(lo), Math.abs(hi)) || 1), background);
}

/** Black or white text, whichever contrasts more with `bg`. */
export function textColour(bg: Rgb): string {
  return contrastRatio(bg, [0, 0, 0]) >= contrastRatio(bg, [255, 255, 255]) ? '#000000' : '#ffffff';
}

export function css([r, g, b]: Rgb): string {
  return `rgb(${r}, ${g}, ${b})`;
}
