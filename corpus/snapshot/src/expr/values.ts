/**
 * What an expression reads: the exact float32 values of ONE time step (every layer and direction), and
 * the network's shape, against which expressions are checked before they ever run.
 */
import type { CellSpec, GateName, NetworkShape } from '../engine/types';
import { gateNames, layerInputSize, numDirections, outputSize } from '../engine/types';

/**
 * Exact values of one layer and direction at step t (t = input position; see the fixtures README).
 * Structurally the engine's ExactDirectionStep, so `trace.exactStep(t)` plus a token is a StepValues.
 */
export interface DirectionStep {
  /** x_t: this layer's input (layer 0: the encoded token; layer k > 0: [fwd h ; rev h] of layer k−1). */
  x: ArrayLike<number>;
  /** h_{t-1}: the state before consuming x_t (reverse direction: the state after x_{t+1}). */
  hPrev: ArrayLike<number>;
  /** C_{t-1} (LSTM family). */
  cPrev?: ArrayLike<number>;
  /** Gate activations in canonical names (LSTM i, f, g, o; GRU r, z, n). */
  gates: Partial<Record<GateName, ArrayLike<number>>>;
  /** C_t (LSTM family). */
  c?: ArrayLike<number>;
  h: ArrayLike<number>;
  /** m_t = o ⊙ tanh(C_t) before the projection (projected LSTM). */
  m?: ArrayLike<number>;
}

export interface StepValues {
  /** Step index (input position), 0-based. */
  t: number;
  /** The token's text at this step ("" when unknown). */
  token: string;
  layers: { forward: DirectionStep; reverse?: DirectionStep }[];
}

/** What the compiler checks names, units, layers and directions against. */
export interface ExprMeta {
  cell: CellSpec;
  shape: NetworkShape;
  /** Number of steps in the trace, when known (the name `T`). */
  steps?: number;
}

/** One vector a name can refer to, with its length for compile-time unit checks. */
export interface Component {
  /** Canonical name. */
  name: 'x' | 'h_prev' | 'c_prev' | 'c' | 'h' | 'm' | GateName;
  /** How the Variables view and error messages call it. */
  label: string;
  length: number;
}

/** The vectors one layer of this cell has, in the order a step computes them. */
export function components(meta: ExprMeta, layer: number): Component[] {
  const { cell, shape } = meta;
  const H = shape.hiddenSize;
  const out = outputSize(cell, shape);
  const list: Component[] = [
    { name: 'x', label: 'x_t', length: layerInputSize(cell, shape, layer) },
    { name: 'h_prev', label: 'h_{t-1}', length: out },
  ];
  if (cell.family === 'lstm') list.push({ name: 'c_prev', label: 'C_{t-1}', length: H });
  const gateLabels: Record<GateName, string> = { i: 'i_t', f: 'f_t', g: 'C̃_t (g)', o: 'o_t', r: 'r_t', z: 'z_t', n: 'n_t' };
  for (const g of gateNames(cell.family)) list.push({ name: g, label: gateLabels[g], length: H });
  if (cell.family === 'lstm') list.push({ name: 'c', label: 'C_t', length: H });
  if (cell.family === 'lstm' && cell.projSize > 0) list.push({ name: 'm', label: 'm_t', length: H });
  list.push({ name: 'h', label: 'h_t', length: out });
  return list;
}

/** The values of one component in a direction step. */
export function componentValues(d: DirectionStep, name: Component['name']): ArrayLike<number> | undefined {
  switch (name) {
    case 'h_prev':
      return d.hPrev;
    case 'c_prev':
      return d.cPrev;
    case 'x':
    case 'c':
    case 'h':
    case 'm':
      return d[name];
    default:
      return d.gates[name];
  }
}

export function directionCount(meta: ExprMeta): number {
  return numDirections(meta.shape);
}

/** What an expression evaluates to. Vectors are views owned by the evaluator: copy them to keep them. */
export type ExprValue = number | boolean | string | ArrayLike<number> | Uint8Array;

/** Compact, stable number formatting for logs and the Variables view (6 significant digits). */
export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e6)) return v.toExponential(4).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(6)));
}

/** A value as one short line: numbers, true/false, quoted strings, vectors shortened to 8 entries. */
export function formatValue(v: ExprValue, isMask = false): string {
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return JSON.stringify(v);
  const n = v.length;
  const shown: string[] = [];
  for (let i = 0; i < Math.min(n, 8); i++) shown.push(isMask ? (v[i] ? 'true' : 'false') : formatNumber(v[i]));
  return `[${shown.join(', ')}${n > 8 ? `, … (${n} units)` : ''}]`;
}
