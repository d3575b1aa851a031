/**
 * Seeded random weights with PyTorch's default initialisation for nn.RNN/LSTM/GRU: every weight and bias
 * ~ U(−1/√H, 1/√H), H = hidden size (also for projections and peepholes, which PyTorch/ONNX leave to the
 * same rule or to the user).
 *
 * PRNG: mulberry32 (Tommy Ettinger's 32-bit generator, public domain): state += 0x6D2B79F5, then an
 * xorshift-multiply mix; u = output / 2^32 in [0, 1). All operations are 32-bit integer ops (Math.imul),
 * so the sequence is identical on every machine and JS engine.
 * Draw order: for layer k = 0.., direction forward then reverse: W, R, bW, bR, P (peephole), Wproj,
 * each row-major in canonical order; value = float32((2u − 1) · 1/√H).
 */
import { allocateChecked, tensorLengths, validateNetwork } from '../engine/network';
import { type CellSpec, type DirectionWeights, type Network, type NetworkShape, UnrollError, numDirections } from '../engine/types';

/** mulberry32: returns a function yielding uniform floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomNetwork(cell: CellSpec, shape: NetworkShape, seed: number, bias = true): Network {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new UnrollError(`seed must be an integer 0 … 4294967295 (got ${seed})`);
  const rand = mulberry32(seed);
  const bound = 1 / Math.sqrt(shape.hiddenSize);
  const fill = (n: number): Float32Array => {
    const a = allocateChecked(`a ${n}-value weight tensor`, 4 * n, () => new Float32Array(n));
    for (let i = 0; i < n; i++) a[i] = (2 * rand() - 1) * bound;
    return a;
  };
  const layers: DirectionWeights[][] = [];
  for (let k = 0; k < shape.numLayers; k++) {
    const len = tensorLengths(cell, shape, k);
    const dirs: DirectionWeights[] = [];
    for (let d = 0; d < numDirections(shape); d++) {
      const W = fill(len.W);
      const R = fill(len.R);
      const bW = bias ? fill(len.bW) : new Float32Array(len.bW);
      const bR = bias ? fill(len.bR) : new Float32Array(len.bR);
      const w: DirectionWeights = { W, R, bW, bR };
      if (len.P) w.P = fill(len.P);
      if (len.Wproj) w.Wproj = fill(len.Wproj);
      dirs.push(w);
    }
    layers.push(dirs);
  }
  const net: Network = { cell, shape, layers, source: `seeded random (mulberry32, seed ${seed})` };
  validateNetwork(net);
  return net;
}
