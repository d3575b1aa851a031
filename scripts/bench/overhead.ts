/**
 * Tracing overhead alone (`node dist/bench/overhead.js [H...] [--reps=N] [--steps=T]`): the full Trace
 * against the bare wasm kernel (tracing off) on the same weights and input, and where the difference goes:
 * - `coded`: the kernel's coded run alone (records + 8-bit codes made in wasm memory, a sink that drops them);
 * - `js`: runNetwork around a kernel that does nothing (store allocation, input copy and check, weight copy,
 *   checkpoints, meta) — the engine's own JavaScript per trace;
 * - `full`: runNetwork with the wasm kernel (what users get).
 * All four run interleaved in one process (same disturbances); fewest process CPU milliseconds of each.
 */
import { loadavg } from 'os';
import { newRecord, runNetwork } from '../../src/engine/trace';
import { WasmKernel } from '../../src/engine/wasm/wasmKernel';
import { channelsOf, fixedRange } from '../../src/engine/quantize';
import { gateNames } from '../../src/engine/types';
import type { CodeSink, Kernel } from '../../src/engine/kernel';
import { benchInput, benchNetwork, type BenchCell } from './models';

const cpuMs = (fn: () => unknown): number => {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e3;
};

const args = process.argv.slice(2);
const sizes = args.filter((a) => /^\d+$/.test(a)).map(Number);
const reps = Number(args.find((a) => a.startsWith('--reps='))?.slice(7) ?? 30);
const T = Number(args.find((a) => a.startsWith('--steps='))?.slice(8) ?? 1000);
const kernel = new WasmKernel();
/** Records nothing: runNetwork's own work only. */
const idle: Kernel = { name: 'idle', runDirection() {}, runDirectionCoded() {} };
const pct = (a: number, b: number) => `${((a / b - 1) * 100).toFixed(1)}%`;

console.log(`load average ${loadavg().map((l: number) => l.toFixed(1)).join(' ')}; CPU ms per trace of T = ${T}, fewest of ${reps} interleaved runs`);
for (const cell of ['lstm', 'gru'] as BenchCell[]) {
  for (const H of sizes.length ? sizes : [32, 128, 512]) {
    const net = benchNetwork(cell, H);
    const x = benchInput(T, H);
    const w = net.layers[0][0];
    const run = { steps: T, inputSize: H, hiddenSize: H, outputSize: H, x, reverse: false };
    const names = gateNames(cell) as readonly string[];
    const sink: CodeSink = {
      blockRows: 64,
      channels: channelsOf(net.cell).map((ch) => ({ record: ch === 'c' || ch === 'h' ? ch : 'gates', gate: Math.max(0, names.indexOf(ch)), fixed: fixedRange(net.cell, ch) })),
      range() {},
      codes() {},
    };
    const rec = newRecord(net.cell, net.shape, T, true);
    const fns = {
      bare: () => {
        kernel.tracing = false;
        kernel.run(net.cell, w, run);
        kernel.tracing = true;
      },
      coded: () => kernel.runDirectionCoded(net.cell, w, run, rec, sink),
      js: () => runNetwork(net, x, { kernel: idle }),
      full: () => runNetwork(net, x, { kernel }),
    };
    const best = { bare: Infinity, coded: Infinity, js: Infinity, full: Infinity };
    const keys = Object.keys(fns) as (keyof typeof fns)[];
    for (const k of keys) fns[k]();
    for (let i = 0; i < reps; i++) for (const k of keys) best[k] = Math.min(best[k], cpuMs(fns[k]));
    const rest = best.full - best.coded - best.js;
    console.log(`${cell} H=${H}: bare ${best.bare.toFixed(3)}, coded ${best.coded.toFixed(3)} (+${pct(best.coded, best.bare)}), js ${best.js.toFixed(3)} (${((best.js / best.bare) * 100).toFixed(1)}%), ` +
      `full ${best.full.toFixed(3)} => overhead ${pct(best.full, best.bare)}; unexplained (store writes, copies, calls) ${rest.toFixed(3)} ms (${((rest / best.bare) * 100).toFixed(1)}%)`);
  }
}
