/**
 * Colour scales built from the active theme: a sequential scale for sigmoid gates (0 = closed = the
 * editor background, 1 = open) and a diverging scale for tanh values and states (−1 … 0 … +1).
 * Each scale is a 256-entry RGBA lookup table, so painting a code is one table read. Pure.
 */

export type Rgb = [number, number, number];

/** Parses #rgb, #rrggbb, #rrggbbaa and rgb()/rgba(); undefined when it cannot. */
export function parseColor(css: string): Rgb | undefined {
  const s = css.trim();
  let m = /^#([0-9a-f]{3})$/i.exec(s);
  if (m) return [0, 1, 2].map((i) => parseInt(m![1][i] + m![1][i], 16)) as Rgb;
  m = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(s);
  if (m) return [0, 2, 4].map((i) => parseInt(m![1].slice(i, i + 2), 16)) as Rgb;
  m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(s);
  if (m) return [1, 2, 3].map((i) => Math.max(0, Math.min(255, Math.round(Number(m![i]))))) as Rgb;
  return undefined;
}

export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  const u = Math.max(0, Math.min(1, t));
  return [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * u)) as Rgb;
}

/** WCAG relative luminance 0..1. */
export function luminance([r, g, b]: Rgb): number {
  const lin = (c: number) => {
    const x = c / 255;
    return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG contrast ratio of two colours, 1 (same) … 21 (black on white). */
export function contrastRatio(a: Rgb, b: Rgb): number {
  const la = luminance(a);
  const lb = luminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/**
 * Black or white text, whichever has the higher WCAG contrast on `bg`. The better of the two is never
 * below 4.58:1 (the worst case is a background of luminance 0.179), so every fill passes WCAG AA (4.5).
 * A luminance threshold of 0.35 put white on mid greens (2.5:1 on Dark Modern's open gate).
 */
export function textOn(bg: Rgb): string {
  return contrastRatio(bg, [0, 0, 0]) >= contrastRatio(bg, [255, 255, 255]) ? '#000000' : '#ffffff';
}

export function toCss([r, g, b]: Rgb): string {
  return `rgb(${r}, ${g}, ${b})`;
}

export interface ThemeColors {
  background: Rgb;
  /** Sigmoid 1 (gate open). */
  open: Rgb;
  /** Diverging −1. */
  negative: Rgb;
  /** Diverging +1. */
  positive: Rgb;
}

/** 256 RGBA entries: code q → colour. */
export type Lut = Uint8ClampedArray;

/** Sequential: background → open. A gamma below 1 keeps small activations visible against the background. */
export function sequentialLut(t: ThemeColors): Lut {
  const lut = new Uint8ClampedArray(256 * 4);
  for (let q = 0; q < 256; q++) {
    const c = mix(t.background, t.open, (q / 255) ** 0.8);
    lut.set([c[0], c[1], c[2], 255], q * 4);
  }
  return lut;
}

/** Diverging: negative → background (at code 127.5, value 0) → positive. */
export function divergingLut(t: ThemeColors): Lut {
  const lut = new Uint8ClampedArray(256 * 4);
  for (let q = 0; q < 256; q++) {
    const v = (q - 127.5) / 127.5;
    const c = v < 0 ? mix(t.background, t.negative, (-v) ** 0.8) : mix(t.background, t.positive, v ** 0.8);
    lut.set([c[0], c[1], c[2], 255], q * 4);
  }
  return lut;
}

/**
 * Maps a channel's codes (value = lo + q·(hi−lo)/255) onto a diverging table symmetric around 0, so 0
 * always has the background colour whatever the channel's range. Returns a 256-entry code → table index map.
 */
export function symmetricRemap(lo: number, hi: number): Uint8Array {
  const m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  const out = new Uint8Array(256);
  for (let q = 0; q < 256; q++) {
    const v = lo + (q * (hi - lo)) / 255;
    out[q] = Math.max(0, Math.min(255, Math.round(((v / m) + 1) * 127.5)));
  }
  return out;
}

/** Colour of an exact value on a scale: sigmoid 0..1 or diverging −scale..scale. */
export function valueColor(v: number, kind: 'sigmoid' | 'diverging', t: ThemeColors, scale = 1): Rgb {
  if (!Number.isFinite(v)) return t.background;
  if (kind === 'sigmoid') return mix(t.background, t.open, Math.max(0, Math.min(1, v)) ** 0.8);
  const x = Math.max(-1, Math.min(1, v / (scale || 1)));
  return x < 0 ? mix(t.background, t.negative, (-x) ** 0.8) : mix(t.background, t.positive, x ** 0.8);
}

/** Which scale a channel uses: sigmoid gates vs everything signed. */
export function channelKind(name: string): 'sigmoid' | 'diverging' {
  return name === 'i' || name === 'f' || name === 'o' || name === 'r' || name === 'z' ? 'sigmoid' : 'diverging';
}

/** Reads the theme from CSS variables, with fallbacks for dark themes. */
export function readTheme(style: { getPropertyValue(name: string): string }): ThemeColors {
  const get = (name: string, fallback: Rgb): Rgb => parseColor(style.getPropertyValue(name)) ?? fallback;
  return {
    background: get('--vscode-editor-background', [30, 30, 30]),
    open: get('--vscode-charts-green', [137, 209, 133]),
    negative: get('--vscode-charts-blue', [55, 148, 255]),
    positive: get('--vscode-charts-orange', [209, 134, 22]),
  };
}
