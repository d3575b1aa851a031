/** Seeded random cells for kernel-vs-reference tests (variants the fixtures do not cover). */
import type { CellSpec, DirectionWeights } from '../../../src/engine/types';
import { gateCount } from '../../../src/engine/types';
import type { DirectionRecord, DirectionRun } from '../../../src/engine/kernel';

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function spec(family: CellSpec['family'], over: Partial<CellSpec> = {}): CellSpec {
  return { family, nonlinearity: 'tanh', peephole: false, coupling: 'none', resetAfter: true, projSize: 0, ...over };
}

/** Uniform(−scale, scale) weights shaped for `cell`. */
export function randomDirection(cell: CellSpec, H: number, In: number, seed: number, scale = 0.5): DirectionWeights {
  const r = rng(seed);
  const G = gateCount(cell.family);
  const Out = cell.projSize || H;
  const u = (n: number) => Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
  return {
    W: u(G * H * In), R: u(G * H * Out), bW: u(G * H), bR: u(G * H),
    P: cell.peephole ? u(3 * H) : undefined,
    Wproj: cell.projSize ? u(cell.projSize * H) : undefined,
  };
}

export function randomRun(cell: CellSpec, H: number, In: number, T: number, seed: number, reverse = false, withState = true): DirectionRun {
  const r = rng(seed);
  const Out = cell.projSize || H;
  const u = (n: number, s: number) => Float32Array.from({ length: n }, () => (r() * 2 - 1) * s);
  return { steps: T, inputSize: In, hiddenSize: H, outputSize: Out, x: u(T * In, 1.5), reverse,
    h0: withState ? u(Out, 0.8) : undefined, c0: withState && cell.family === 'lstm' ? u(H, 2) : undefined };
}

export function newRecord(cell: CellSpec, H: number, T: number): DirectionRecord {
  const G = gateCount(cell.family);
  const Out = cell.projSize || H;
  return {
    gates: new Float32Array(cell.family === 'rnn' ? 0 : T * G * H),
    c: new Float32Array(cell.family === 'lstm' ? T * H : 0),
    m: new Float32Array(cell.family === 'lstm' && cell.projSize ? T * H : 0),
    h: new Float32Array(T * Out),
  };
}

/** Largest scaled difference max |a − b| / max(1, |b|) over every recorded array; NaN counts as infinite. */
export function maxScaledDiff(a: DirectionRecord, b: DirectionRecord): number {
  let worst = 0;
  for (const k of ['gates', 'c', 'm', 'h'] as const) {
    if (a[k].length !== b[k].length) return Infinity;
    for (let i = 0; i < a[k].length; i++) {
      const d = Math.abs(a[k][i] - b[k][i]) / Math.max(1, Math.abs(b[k][i]));
      if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
    }
  }
  return worst;
}
