/**
 * Tracing overhead alone (`node dist/bench/overhead.js [H...]`): the full Trace against the bare wasm kernel
 * (tracing off) on the same weights and input, interleaved runs in one process, fewest CPU seconds of each.
 */
import { runNetwork } from '../../src/engine/trace';
import { WasmKernel } from '../../src/engine/wasm/wasmKernel';
import { benchInput, benchNetwork, type BenchCell } from './models';

const cpu = (fn: () => unknown): number => {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
};

const args = process.argv.slice(2);
const sizes = args.filter((a) => /^\d+$/.test(a)).map(Number);
const reps = Number(args.find((a) => a.startsWith('--reps='))?.slice(7) ?? 15);
const T = Number(args.find((a) => a.startsWith('--steps='))?.slice(8) ?? 1000);
const kernel = new WasmKernel();
for (const cell of ['lstm', 'gru'] as BenchCell[]) {
  for (const H of sizes.length ? sizes : [32, 128, 512]) {
    const net = benchNetwork(cell, H);
    const x = benchInput(T, H);
    const w = net.layers[0][0];
    const run = { steps: T, inputSize: H, hiddenSize: H, outputSize: H, x, reverse: false };
    let traced = Infinity;
    let bare = Infinity;
    for (let i = 0; i < reps; i++) {
      traced = Math.min(traced, cpu(() => runNetwork(net, x, { kernel })));
      kernel.tracing = false;
      bare = Math.min(bare, cpu(() => kernel.run(net.cell, w, run)));
      kernel.tracing = true;
    }
    console.log(`${cell} H=${H} T=${T}: trace ${(traced * 1e3).toFixed(2)} ms, bare ${(bare * 1e3).toFixed(2)} ms CPU (min of ${reps}) => overhead ${((traced / bare - 1) * 100).toFixed(1)}%`);
  }
}
