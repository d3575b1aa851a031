/**
 * A small, independent loader for the reference fixtures (test/fixtures/reference): safetensors +
 * JSON → canonical CellSpec / DirectionWeights, a layer-by-layer runner over any Kernel, and the
 * fixtures' own comparison rule |got − expected| ≤ tol · max(1, |expected|).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { DirectionRecord, Kernel } from '../../../src/engine/kernel';
import type { CellSpec, DirectionWeights } from '../../../src/engine/types';
import { gateCount } from '../../../src/engine/types';

export const FIXTURE_DIR = path.resolve(__dirname, '../../../../test/fixtures/reference');

export interface Fixture {
  name: string;
  cell: string;
  convention: 'pytorch' | 'onnx';
  inputSize: number;
  hiddenSize: number;
  projSize: number;
  outputSize: number;
  numLayers: number;
  numDirections: number;
  seqLen: number;
  bias: boolean;
  nonlinearity?: 'tanh' | 'relu';
  x: number[][];
  h0: number[][] | null;
  c0: number[][] | null;
  expected: { layers: Record<string, Record<string, unknown>>[] };
  tolerance: number;
}

export function fixtureNames(): string[] {
  return fs.readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.safetensors')).map((f) => f.replace(/\.safetensors$/, '')).sort();
}

export function loadFixture(name: string): { fx: Fixture; tensors: Map<string, { shape: number[]; data: Float32Array }> } {
  const fx = JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, `${name}.json`), 'utf8')) as Fixture;
  const buf = fs.readFileSync(path.join(FIXTURE_DIR, `${name}.safetensors`));
  const hlen = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + hlen).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [k, v] of Object.entries(header)) {
    if (k === '__metadata__') continue;
    const [a, b] = v.data_offsets;
    const bytes = buf.subarray(8 + hlen + a, 8 + hlen + b);
    const data = new Float32Array(bytes.byteLength / 4);
    for (let i = 0; i < data.length; i++) data[i] = bytes.readFloatLE(i * 4);
    tensors.set(k, { shape: v.shape, data });
  }
  return { fx, tensors };
}

export function cellSpecOf(fx: Fixture): CellSpec {
  const c = fx.cell;
  return {
    family: c.startsWith('lstm') ? 'lstm' : c.startsWith('gru') ? 'gru' : 'rnn',
    nonlinearity: c === 'rnn_relu' ? 'relu' : 'tanh',
    peephole: c.includes('peephole'),
    coupling: c.startsWith('lstm_cifg') ? 'keep-input' : 'none',
    resetAfter: c !== 'gru_cho',
    projSize: fx.projSize,
  };
}

/** Canonical row-block order from the stored one (ONNX LSTM i,o,f,c → i,f,g,o; ONNX GRU z,r,h → r,z,n). */
function reorder(m: Float32Array, G: number, H: number, cols: number, from: readonly number[]): Float32Array {
  const out = new Float32Array(m.length);
  for (let j = 0; j < G; j++) out.set(m.subarray(from[j] * H * cols, (from[j] + 1) * H * cols), j * H * cols);
  return out;
}

export function weightsOf(fx: Fixture, tensors: Map<string, { data: Float32Array }>, cell: CellSpec, layer: number, dir: number): DirectionWeights {
  const G = gateCount(cell.family);
  const H = fx.hiddenSize;
  const In = layer === 0 ? fx.inputSize : fx.numDirections * fx.outputSize;
  const Out = fx.outputSize;
  const t = (n: string) => {
    const v = tensors.get(n);
    if (!v) throw new Error(`fixture ${fx.name} lacks tensor ${n}`);
    return v.data;
  };
  if (fx.convention === 'pytorch') {
    const sfx = `_l${layer}${dir ? '_reverse' : ''}`;
    return {
      W: t(`weight_ih${sfx}`),
      R: t(`weight_hh${sfx}`),
      bW: fx.bias ? t(`bias_ih${sfx}`) : new Float32Array(G * H),
      bR: fx.bias ? t(`bias_hh${sfx}`) : new Float32Array(G * H),
      Wproj: fx.projSize > 0 ? t(`weight_hr${sfx}`) : undefined,
    };
  }
  const from = cell.family === 'lstm' ? [0, 2, 3, 1] : cell.family === 'gru' ? [1, 0, 2] : [0];
  const slice = (n: string, per: number) => t(`${n}_l${layer}`).subarray(dir * per, (dir + 1) * per);
  const B = fx.bias ? slice('B', 2 * G * H) : new Float32Array(2 * G * H);
  const w: DirectionWeights = {
    W: reorder(slice('W', G * H * In), G, H, In, from),
    R: reorder(slice('R', G * H * Out), G, H, Out, from),
    bW: reorder(B.subarray(0, G * H), G, H, 1, from),
    bR: reorder(B.subarray(G * H), G, H, 1, from),
  };
  if (cell.peephole) w.P = reorder(slice('P', 3 * H), 3, H, 1, [0, 2, 1]); // ONNX [p_i, p_o, p_f]
  return w;
}

export interface Mismatch {
  what: string;
  index: number;
  got: number;
  want: number;
}

/** Run every layer and direction of the fixture on `kernel`; return the first mismatches (empty = pass). */
export function runFixture(name: string, kernel: Kernel): { mismatches: Mismatch[]; compared: number } {
  const { fx, tensors } = loadFixture(name);
  const cell = cellSpecOf(fx);
  const G = gateCount(cell.family);
  const { hiddenSize: H, outputSize: Out, seqLen: T, numDirections: D } = fx;
  const gateNames = cell.family === 'lstm' ? ['i', 'f', 'g', 'o'] : cell.family === 'gru' ? ['r', 'z', 'n'] : [];
  const mismatches: Mismatch[] = [];
  let compared = 0;
  const check = (what: string, got: Float32Array, want: number[][], width: number, groupOffset = 0, groups = 1) => {
    for (let t = 0; t < T; t++)
      for (let u = 0; u < width; u++) {
        const g = got[(t * groups + groupOffset) * width + u];
        const e = want[t][u];
        compared++;
        if (!(Math.abs(g - e) <= fx.tolerance * Math.max(1, Math.abs(e))) && mismatches.length < 5) mismatches.push({ what, index: t * width + u, got: g, want: e });
      }
  };
  let x = Float32Array.from(fx.x.flat());
  for (let l = 0; l < fx.numLayers; l++) {
    const In = l === 0 ? fx.inputSize : D * Out;
    const next = new Float32Array(T * D * Out);
    for (let d = 0; d < D; d++) {
      const row = l * D + d;
      const rec: DirectionRecord = {
        gates: new Float32Array(cell.family === 'rnn' ? 0 : T * G * H),
        c: new Float32Array(cell.family === 'lstm' ? T * H : 0),
        m: new Float32Array(fx.projSize > 0 ? T * H : 0),
        h: new Float32Array(T * Out),
      };
      kernel.runDirection(cell, weightsOf(fx, tensors, cell, l, d), {
        steps: T, inputSize: In, hiddenSize: H, outputSize: Out, x,
        h0: fx.h0 ? Float32Array.from(fx.h0[row]) : undefined,
        c0: fx.c0 ? Float32Array.from(fx.c0[row]) : undefined,
        reverse: d === 1,
      }, rec);
      const exp = fx.expected.layers[l][d ? 'reverse' : 'forward'] as { h: number[][]; c?: number[][]; m?: number[][]; gates?: Record<string, number[][]> };
      const tag = `L${l}${d ? 'r' : 'f'}`;
      check(`${tag}.h`, rec.h, exp.h, Out);
      if (exp.c) check(`${tag}.c`, rec.c, exp.c, H);
      if (exp.m) check(`${tag}.m`, rec.m, exp.m, H);
      gateNames.forEach((gn, j) => exp.gates?.[gn] && check(`${tag}.${gn}`, rec.gates, exp.gates[gn], H, j, G));
      for (let t = 0; t < T; t++) next.set(rec.h.subarray(t * Out, (t + 1) * Out), (t * D + d) * Out);
    }
    x = next;
  }
  return { mismatches, compared };
}
