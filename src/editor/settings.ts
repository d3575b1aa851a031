/** Typed reading of the "unroll.*" settings declared in package.json (bad values fall back to defaults). */
import * as vscode from 'vscode';
import type { CellName } from '../engine/types';
import type { ColourScheme } from './colours';
import { effectiveLimit } from '../input';

export type EncodingSetting = 'auto' | 'chars' | 'words' | 'numbers' | 'csv';

export interface UnrollSettings {
  cell: CellName;
  hiddenSize: number;
  layers: number;
  seed: number;
  encoding: EncodingSetting;
  tokenLimit: number;
  animationSpeed: number;
  colorScheme: ColourScheme;
}

const CELLS: readonly CellName[] = ['lstm', 'lstm_peephole', 'lstm_cifg', 'lstm_cifg_peephole', 'gru', 'gru_cho', 'rnn_tanh', 'rnn_relu'];
const ENCODINGS: readonly EncodingSetting[] = ['auto', 'chars', 'words', 'numbers', 'csv'];
const SCHEMES: readonly ColourScheme[] = ['blueOrange', 'purpleGreen', 'grayscale'];

function int(v: unknown, lo: number, hi: number, dflt: number): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi ? v : dflt;
}
function oneOf<T>(v: unknown, all: readonly T[], dflt: T): T {
  return all.includes(v as T) ? (v as T) : dflt;
}

export function readSettings(): UnrollSettings {
  const c = vscode.workspace.getConfiguration('unroll');
  return {
    cell: oneOf(c.get('model.cell'), CELLS, 'lstm'),
    hiddenSize: int(c.get('model.hiddenSize'), 1, 1024, 16),
    layers: int(c.get('model.layers'), 1, 8, 1),
    seed: int(c.get('model.seed'), 0, 0xffffffff, 42),
    encoding: oneOf(c.get('encoding'), ENCODINGS, 'auto'),
    tokenLimit: effectiveLimit(c.get('tokenLimit')),
    animationSpeed: typeof c.get('animationSpeed') === 'number' ? Math.min(120, Math.max(0.25, c.get<number>('animationSpeed')!)) : 4,
    colorScheme: oneOf(c.get('colorScheme'), SCHEMES, 'blueOrange'),
  };
}

/**
 * The cell a "Visualize <family>" command runs: the configured default cell when it is of that family
 * (so "peephole LSTM" or "Cho GRU" carry over), else the family's plain cell.
 */
export function cellForFamily(family: 'lstm' | 'gru' | 'rnn', configured: CellName): CellName {
  if (configured.startsWith(family === 'rnn' ? 'rnn' : family)) return configured;
  return family === 'lstm' ? 'lstm' : family === 'gru' ? 'gru' : 'rnn_tanh';
}

export const CELL_LABELS: Record<CellName, string> = {
  lstm: 'LSTM',
  lstm_proj: 'LSTM (projection)',
  lstm_peephole: 'peephole LSTM',
  lstm_cifg: 'coupled-gate LSTM (i = 1 − f)',
  lstm_cifg_peephole: 'coupled-gate peephole LSTM',
  gru: 'GRU (reset after)',
  gru_cho: 'GRU (Cho 2014, reset before)',
  rnn_tanh: 'RNN (tanh)',
  rnn_relu: 'RNN (relu)',
};
