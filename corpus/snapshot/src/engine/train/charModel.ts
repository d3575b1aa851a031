/**
 * The built-in character models: the fixtures' 97-symbol vocabulary, text → ids, and a seeded fresh
 * network (1 layer, one-hot input, linear decoder to next-character logits).
 * Pure: text in, ids and weights out.
 */
import type { CellSpec, DirectionWeights, Network } from '../types';
import { UnrollError, gateCount } from '../types';
import { Prng } from './prng';

/** id 0 = "\n", ids 1..95 = ASCII 32..126, id 96 = <unk> (the fixtures' char vocabulary). */
export const CHAR_VOCAB: readonly string[] = ['\n', ...Array.from({ length: 95 }, (_, k) => String.fromCharCode(32 + k)), '<unk>'];
export const CHAR_UNK = 96;

/** Text → ids; "\r\n" and "\r" read as "\n", tabs as a space (the corpus is code indented either way). */
export function encodeCharIds(text: string): Int32Array {
  const norm = text.replace(/\r\n?/g, '\n');
  const ids = new Int32Array(norm.length);
  for (let k = 0; k < norm.length; k++) {
    const c = norm.charCodeAt(k);
    ids[k] = c === 10 ? 0 : c === 9 ? 1 : c >= 32 && c <= 126 ? c - 31 : CHAR_UNK;
  }
  return ids;
}

export type CharCell = 'lstm' | 'gru' | 'rnn';

export function charCellSpec(kind: CharCell): CellSpec {
  return {
    family: kind === 'rnn' ? 'rnn' : kind,
    nonlinearity: 'tanh',
    peephole: false,
    coupling: 'none',
    resetAfter: true,
    projSize: 0,
  };
}

/**
 * PyTorch's default init U(−1/√H, 1/√H) for every recurrent tensor and the decoder (1/√H as fan-in),
 * except the LSTM forget-gate bias starts at +1 (Jozefowicz et al. 2015) so C_t can carry memory early.
 */
export function newCharNetwork(kind: CharCell, hiddenSize: number, seed: number): Network {
  if (!Number.isInteger(hiddenSize) || hiddenSize < 1) throw new UnrollError(`hidden size must be a positive integer, got ${hiddenSize}`);
  const rng = new Prng(seed);
  const cell = charCellSpec(kind);
  const H = hiddenSize;
  const V = CHAR_VOCAB.length;
  const GH = gateCount(cell.family) * H;
  const k = 1 / Math.sqrt(H);
  const fill = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-k, k));
  const w: DirectionWeights = { W: fill(GH * V), R: fill(GH * H), bW: fill(GH), bR: fill(GH) };
  if (kind === 'lstm') for (let u = 0; u < H; u++) (w.bW[H + u] = 1), (w.bR[H + u] = 0);
  return {
    cell,
    shape: { inputSize: V, hiddenSize: H, numLayers: 1, bidirectional: false },
    layers: [[w]],
    decoder: { W: fill(V * H), b: fill(V), vocabSize: V },
    source: `seeded random (mulberry32 seed ${seed})`,
  };
}
