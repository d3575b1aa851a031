/**
 * Colour scales for the editor (decorations, hover heat strips). Pure (no `vscode`).
 * Diverging for tanh-range values (C_t, h_t, the candidate g/n), sequential for gates (σ in 0..1).
 * The default pair is blue ↔ orange, which stays distinguishable with every common colour-vision
 * deficiency; the mid point is a neutral grey so it reads on light and dark themes alike.
 */
export type ColourScheme = 'blueOrange' | 'purpleGreen' | 'grayscale';

/** Signed buckets: −3…3 for diverging values, 0…4 for gates. 0 = no colour. */
export const DIVERGING_BUCKETS = 3;
export const SEQUENTIAL_BUCKETS = 4;

/** Theme colour ids contributed in package.json, by bucket. */
export function themeColourId(kind: 'diverging' | 'sequential', bucket: number): string {
  if (kind === 'sequential') return `unroll.gate${bucket}`;
  return bucket < 0 ? `unroll.negative${-bucket}` : `unroll.positive${bucket}`;
}

/** Bucket of a value: diverging maps [−1, 1] (clamped) to −3…3; sequential maps [0, 1] to 0…4. */
export function bucketOf(kind: 'diverging' | 'sequential', v: number): number {
  if (!Number.isFinite(v)) return 0;
  if (kind === 'sequential') {
    const c = Math.min(1, Math.max(0, v));
    return Math.min(SEQUENTIAL_BUCKETS, Math.floor(c * (SEQUENTIAL_BUCKETS + 1)));
  }
  const c = Math.min(1, Math.max(-1, v));
  // |v| < 1/7 is "about zero": no colour, so only real activity stands out.
  const b = Math.round(c * (DIVERGING_BUCKETS + 0.5));
  return Math.max(-DIVERGING_BUCKETS, Math.min(DIVERGING_BUCKETS, b));
}

const ENDS: Record<ColourScheme, { neg: [number, number, number]; pos: [number, number, number]; mid: [number, number, number] }> = {
  blueOrange: { neg: [33, 102, 172], pos: [230, 97, 1], mid: [140, 140, 140] },
  purpleGreen: { neg: [118, 42, 131], pos: [27, 120, 55], mid: [140, 140, 140] },
  grayscale: { neg: [20, 20, 20], pos: [235, 235, 235], mid: [128, 128, 128] },
};

const hex = (rgb: number[]) => '#' + rgb.map((x) => Math.round(x).toString(16).padStart(2, '0')).join('');

/** A solid colour for v on a diverging (−1…1) or sequential (0…1) scale. */
export function colourOf(kind: 'diverging' | 'sequential', v: number, scheme: ColourScheme = 'blueOrange'): string {
  const e = ENDS[scheme];
  if (!Number.isFinite(v)) return hex(e.mid);
  if (kind === 'sequential') {
    const c = Math.min(1, Math.max(0, v));
    // grey (closed gate) → the positive end (open gate)
    return hex(e.mid.map((m, k) => m + (e.pos[k] - m) * c));
  }
  const c = Math.min(1, Math.max(-1, v));
  const end = c < 0 ? e.neg : e.pos;
  return hex(e.mid.map((m, k) => m + (end[k] - m) * Math.abs(c)));
}

/** Background with alpha for a decoration bucket (used when the scheme is not the theme default). */
export function bucketColour(kind: 'diverging' | 'sequential', bucket: number, scheme: ColourScheme): string {
  const v = kind === 'sequential' ? bucket / SEQUENTIAL_BUCKETS : bucket / DIVERGING_BUCKETS;
  const alpha = Math.round((0.25 + 0.45 * Math.abs(kind === 'sequential' ? v : v)) * 255);
  return colourOf(kind, v, scheme) + alpha.toString(16).padStart(2, '0');
}
