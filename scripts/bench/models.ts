/**
 * Bench inputs: one seeded single-layer LSTM or GRU (input = hidden, PyTorch-style uniform init), the same
 * weights as a canonical Network for the engine and as an ONNX model for ONNX Runtime.
 */
import { encodeOnnxModel } from '../../src/model/onnx/writer';
import type { CellSpec, DirectionWeights, Network } from '../../src/engine/types';
import { gateCount } from '../../src/engine/types';

export type BenchCell = 'lstm' | 'gru';

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

export function cellSpec(cell: BenchCell): CellSpec {
  // The GRU is PyTorch's (reset after the recurrent matmul) = ONNX linear_before_reset=1.
  return { family: cell, nonlinearity: 'tanh', peephole: false, coupling: 'none', resetAfter: true, projSize: 0 };
}

export function benchNetwork(cell: BenchCell, H: number, seed = 1): Network {
  const r = rng(seed + H);
  const G = gateCount(cell);
  const k = 1 / Math.sqrt(H);
  const u = (n: number) => Float32Array.from({ length: n }, () => (r() * 2 - 1) * k);
  const w: DirectionWeights = { W: u(G * H * H), R: u(G * H * H), bW: u(G * H), bR: u(G * H) };
  return { cell: cellSpec(cell), shape: { inputSize: H, hiddenSize: H, numLayers: 1, bidirectional: false }, layers: [[w]], source: `bench ${cell} H=${H}` };
}

export function benchInput(T: number, In: number, seed = 7): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: T * In }, () => r() * 2 - 1);
}

/** Canonical row blocks (LSTM i,f,g,o; GRU r,z,n) → ONNX order (LSTM i,o,f,c; GRU z,r,h). */
function toOnnxOrder(m: Float32Array, cell: BenchCell, H: number, cols: number): Float32Array {
  const from = cell === 'lstm' ? [0, 3, 1, 2] : [1, 0, 2];
  const out = new Float32Array(m.length);
  from.forEach((src, j) => out.set(m.subarray(src * H * cols, (src + 1) * H * cols), j * H * cols));
  return out;
}

/** The same network as an ONNX model: X [T,1,In] → Y, Y_h (and Y_c). */
export function benchOnnx(net: Network): Uint8Array {
  const cell = net.cell.family as BenchCell;
  const H = net.shape.hiddenSize;
  const In = net.shape.inputSize;
  const G = gateCount(cell);
  const w = net.layers[0][0];
  const B = new Float32Array(2 * G * H);
  B.set(toOnnxOrder(w.bW, cell, H, 1), 0);
  B.set(toOnnxOrder(w.bR, cell, H, 1), G * H);
  const outs = cell === 'lstm' ? ['Y', 'Y_h', 'Y_c'] : ['Y', 'Y_h'];
  return encodeOnnxModel({
    producer: 'unroll-bench',
    nodes: [{
      op: cell === 'lstm' ? 'LSTM' : 'GRU', inputs: ['X', 'W', 'R', 'B'], outputs: outs,
      attrs: { hidden_size: H, ...(cell === 'gru' ? { linear_before_reset: 1 } : {}) },
    }],
    initializers: [
      { name: 'W', dims: [1, G * H, In], data: toOnnxOrder(w.W, cell, H, In) },
      { name: 'R', dims: [1, G * H, H], data: toOnnxOrder(w.R, cell, H, H) },
      { name: 'B', dims: [1, 2 * G * H], data: B },
    ],
    inputs: [{ name: 'X', dims: [null, 1, In] }],
    outputs: outs.map((name) => ({ name })),
  });
}
