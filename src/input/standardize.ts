/**
 * Per-column z-scores for numbers that run through the seeded RANDOM network. Its weights are drawn for
 * inputs of order 1: raw readings such as air pressure (≈ 1013) drive every gate pre-activation to ±hundreds,
 * so f = 0 and i = 1 at every step and the picture shows nothing. A chosen or trained model is never fed
 * through here — its input scaling is its own. Pure: no `vscode` import.
 */
import type { EncodedSequence } from './types';
import { msg } from '../l10n/format';

/** Mean and population standard deviation of each column, over every step of the selection. */
export interface ColumnStats {
  mean: number[];
  std: number[];
}

/** What was done to x, with the one-line notice the editor and the panel show. */
export interface Standardization extends ColumnStats {
  note: string;
}

let standardizeByDefault = true;

/**
 * Whether numbers for the random network are standardised when the target does not say: the extension host
 * keeps this in step with the unroll.numbers.standardize setting (so the editor, the panel and the debugger
 * all follow it without passing it through each call); tests and the CLI keep the default, true.
 */
export function setStandardizeNumbers(on: boolean): void {
  standardizeByDefault = on;
}

export function standardizeNumbersByDefault(): boolean {
  return standardizeByDefault;
}

/** Column names shown in the notice before the rest are summarised as "… N more columns". */
const NAMED_COLUMNS = 4;

/**
 * Two passes in float64 (mean, then squared deviations): exact enough that a column of equal values has
 * std exactly 0 only when min === max, which is checked directly — summing n copies of 0.1f and dividing
 * by n need not give 0.1f back, and the leftover 1e-17 must not turn into z-scores of ±1.
 */
export function columnStats(values: Float32Array, steps: number, cols: number): ColumnStats {
  const mean: number[] = [];
  const std: number[] = [];
  for (let k = 0; k < cols; k++) {
    let sum = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let t = 0; t < steps; t++) {
      const v = values[t * cols + k];
      sum += v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const m = steps > 0 ? sum / steps : 0;
    let sq = 0;
    if (hi > lo) for (let t = 0; t < steps; t++) sq += (values[t * cols + k] - m) ** 2;
    mean.push(steps > 0 && hi === lo ? lo : m);
    std.push(hi > lo ? Math.sqrt(sq / steps) : 0);
  }
  return { mean, std };
}

/** (x − mean) / std per column; a constant column (std 0) becomes 0. Returns a new array. */
export function zScores(values: Float32Array, cols: number, stats: ColumnStats): Float32Array {
  const out = new Float32Array(values.length);
  const inv = stats.std.map((s) => (s > 0 ? 1 / s : 0));
  for (let i = 0, k = 0; i < values.length; i++) {
    out[i] = (values[i] - stats.mean[k]) * inv[k];
    if (++k === cols) k = 0;
  }
  return out;
}

/** A constant's exact value, short: 1013, 0.1, 1e+21 (float32 noise beyond 7 digits dropped). */
function exact(v: number): string {
  return String(Number(v.toPrecision(7)));
}

/** Mean and std to two significant digits of the std ("1013.2", "4.1"; "0.050" for a std of 0.05). */
function statText(v: number, std: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e7 || a < 1e-4)) return v.toPrecision(3);
  const decimals = Math.min(6, Math.max(0, 1 - Math.floor(Math.log10(std))));
  return v.toFixed(decimals).replace(/^-(0(?:\.0*)?)$/, '$1');
}

/** "pressure mean 1013.2, std 4.1" or "flag constant at 1 (reads 0)". */
function columnText(name: string, mean: number, std: number): string {
  return std > 0 ? msg('{0} mean {1}, std {2}', name, statText(mean, std), statText(std, std)) : msg('{0} constant at {1} (reads 0)', name, exact(mean));
}

function notice(seq: EncodedSequence, stats: ColumnStats): string {
  const { mean, std } = stats;
  if (seq.inputSize === 1 && !seq.featureNames?.length) {
    return std[0] > 0
      ? msg('Numbers standardised for the random network: mean {0}, std {1} — set unroll.numbers.standardize to false to feed raw values.', statText(mean[0], std[0]), statText(std[0], std[0]))
      : msg('Numbers standardised for the random network: every value is {0}, so every step reads 0 — set unroll.numbers.standardize to false to feed raw values.', exact(mean[0]));
  }
  // A long CSV header is cut: the notice stays one readable line.
  const name = (k: number) => {
    const n = seq.featureNames?.[k];
    return n === undefined ? msg('column {0}', k + 1) : n.length > 24 ? `${n.slice(0, 23)}…` : n;
  };
  const shown = Math.min(seq.inputSize, NAMED_COLUMNS);
  // Joined pairwise as messages, so every part is translated where the notice is shown.
  let list = columnText(name(0), mean[0], std[0]);
  for (let k = 1; k < shown; k++) list = msg('{0}; {1}', list, columnText(name(k), mean[k], std[k]));
  if (seq.inputSize > shown) list = msg('{0}; … {1} more columns', list, seq.inputSize - shown);
  return msg('Numbers standardised per column for the random network: {0} — set unroll.numbers.standardize to false to feed raw values.', list);
}

/**
 * The sequence with x standardised per column over all its steps, the statistics and the notice attached
 * (also added to `notes`). Token places and texts are untouched, so labels and hovers show the raw numbers.
 */
export function standardizeSequence(seq: EncodedSequence): EncodedSequence {
  if (!seq.values || seq.steps === 0) return seq;
  const stats = columnStats(seq.values, seq.steps, seq.inputSize);
  const note = notice(seq, stats);
  return { ...seq, values: zScores(seq.values, seq.inputSize, stats), standardized: { ...stats, note }, notes: [...seq.notes, note] };
}
