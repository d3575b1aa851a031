/**
 * Trace cost measurements for the engine note (not a test; run by hand):
 *   npx esbuild test/unit/engine/traceCost.bench.ts --bundle --platform=node --outfile=dist/bench/traceCost.js && node dist/bench/traceCost.js
 * Prints bytes per traced step, the 1,000,000-step estimate, exactStep seek times and reference-kernel
 * throughput (traced run vs bare kernel), medians of 3.
 */
import { referenceKernel } from '../../../src/engine/kernels/reference';
import type { Kernel } from '../../../src/engine/kernel';
import { newRecord, runNetwork } from '../../../src/engine/trace';
import type { CellSpec } from '../../../src/engine/types';
import { WasmKernel, wasmSimdAvailable } from '../../../src/engine/wasm/wasmKernel';
import { mulberry32, randomNetwork } from '../../../src/model/random';

const LSTM: CellSpec = { family: 'lstm', nonlinearity: 'tanh', peephole: false, coupling: 'none', resetAfter: true, projSize: 0 };
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const input = (T: number, In: number) => Float32Array.from({ length: T * In }, (_, i) => Math.sin(i * 0.37));

function bytes(): void {
  const shape = { inputSize: 128, hiddenSize: 128, numLayers: 1, bidirectional: false };
  const T = 4096;
  const b = runNetwork(randomNetwork(LSTM, shape, 1), input(T, 128)).byteSize();
  const perStep = (b.compact + b.checkpoints + b.chunkRanges) / T;
  console.log(`LSTM H=128, 1 layer, K=64: compact ${b.compact / T} B/step, checkpoints ${b.checkpoints / T} B/step, chunk ranges ${(b.chunkRanges / T).toFixed(2)} B/step => ${perStep.toFixed(2)} B/step; input ${b.input / T} B/step dense (4 B/step one-hot); weights ${b.weights} B`);
  const est = (n: number, inputBytes: number) => ((perStep + inputBytes) * n + b.weights) / 2 ** 20;
  console.log(`1,000,000 steps: ${est(1e6, 4).toFixed(0)} MiB with one-hot/scalar input, ${est(1e6, 512).toFixed(0)} MiB with a dense 128-wide float input`);
}

function seek(kernel: Kernel, label: string, layers: number, bidirectional: boolean): void {
  const shape = { inputSize: 128, hiddenSize: 128, numLayers: layers, bidirectional };
  const T = 2048;
  const trace = runNetwork(randomNetwork(LSTM, shape, 1), input(T, 128), { kernel });
  const r = mulberry32(5);
  const times: number[] = [];
  for (let i = 0; i < 15; i++) {
    const t = Math.floor(r() * T);
    const t0 = performance.now();
    trace.exactStep(t);
    times.push(performance.now() - t0);
    trace.exactStep(Math.min(T - 1, t + 1)); // same chunk: served from the cache
  }
  const t0 = performance.now();
  for (let i = 0; i < 100; i++) trace.exactStep(Math.floor(r() * 64));
  console.log(`seek ${label} ${layers} layer${layers > 1 ? 's' : ''}${bidirectional ? ' bidirectional' : ''} H=128 K=64: uncached exactStep median ${median(times).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms; cached ${((performance.now() - t0) / 100).toFixed(3)} ms`);
}

function throughput(): void {
  for (const H of [32, 128, 512]) {
    const T = H === 512 ? 200 : 1000;
    const shape = { inputSize: H, hiddenSize: H, numLayers: 1, bidirectional: false };
    const net = randomNetwork(LSTM, shape, 1);
    const x = input(T, H);
    const traced: number[] = [];
    const bare: number[] = [];
    for (let rep = 0; rep < 3; rep++) {
      let t0 = performance.now();
      runNetwork(net, x);
      traced.push(performance.now() - t0);
      const rec = newRecord(LSTM, shape, T);
      t0 = performance.now();
      referenceKernel.runDirection(LSTM, net.layers[0][0], { steps: T, inputSize: H, hiddenSize: H, outputSize: H, x, reverse: false }, rec);
      bare.push(performance.now() - t0);
    }
    console.log(`reference kernel H=${H} (X=H, T=${T}): traced ${Math.round((T / median(traced)) * 1000)} steps/s, kernel alone ${Math.round((T / median(bare)) * 1000)} steps/s`);
  }
}

bytes();
seek(referenceKernel, 'reference', 1, false);
seek(referenceKernel, 'reference', 2, true);
if (wasmSimdAvailable()) {
  seek(new WasmKernel(), 'wasm-simd', 1, false);
  seek(new WasmKernel(), 'wasm-simd', 2, true);
}
throughput();
