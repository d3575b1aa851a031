/**
 * `npm run bench`: the engine (wasm SIMD kernel, full tracing) against onnxruntime-node on identical weights
 * and inputs. LSTM and GRU, batch 1, input = hidden, T steps, one and two threads. `--json`: one object per
 * line. `--quick`: H = 32, 128 only (smoke test). `--fallback`: only the TypeScript fallback against the plain loops. Timings are medians; ratios come from this one run.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { runNetwork } from '../../src/engine/trace';
import { WasmKernel } from '../../src/engine/wasm/wasmKernel';
import { duoTeam } from '../../src/engine/wasm/team';
import type { DirectionRecord } from '../../src/engine/kernel';
import { gateCount } from '../../src/engine/types';
import { referenceKernel } from '../../src/engine/kernels/reference';
import { tiledKernel } from '../../src/engine/kernels/tiled';
import { benchInput, benchNetwork, benchOnnx, type BenchCell } from './models';
import { fmtRate, geomean, interleavedCpuMin, interleavedCpuMinAsync, time } from './measure';

// onnxruntime-node is a devDependency loaded at run time (kept out of the bundle: it is a native addon).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');

interface Row {
  cell: BenchCell;
  hiddenSize: number;
  inputSize: number;
  steps: number;
  threads: number;
  engineThreadsUsed: number;
  engineStepsPerSec: number;
  ortStepsPerSec: number;
  ratio: number;
  ratioVsOrt1: number;
  /** One thread: the same ratio from process CPU time, ORT and engine interleaved, fewest of each (robust when the machine is busy). */
  ratioCpu: number | null;
  /** One thread, CPU time: ORT against the bare kernel (no records, no Trace) — the kernel's own speed. */
  kernelRatioCpu: number | null;
  kernelTracedStepsPerSec: number;
  untracedStepsPerSec: number;
  tracingOverhead: number;
  tracingOverheadCpu: number;
  kernelRecordOverhead: number;
  bytesPerTracedStep: number;
  maxAbsDiffVsOrt: number;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const sizes = args.includes('--quick') ? [32, 128] : [32, 128, 512, 1024];
  const T = Number(args.find((a) => a.startsWith('--steps='))?.slice(8) ?? 1000);
  const say = (s: string) => { if (!json) console.log(s); };
  if (args.includes('--fallback')) {
    // the TypeScript fallback alone (no ORT, no wasm): its speedup is a ratio of two runs in this process
    const speedups = await tsFallback(sizes, json);
    say(`tiled TypeScript fallback vs plain loops: geomean ${round(geomean(speedups), 3)}× (target ≥ 2×); load average ${os.loadavg()[0].toFixed(1)}`);
    return;
  }
  const solo = new WasmKernel();
  const duo = new WasmKernel(duoTeam());
  const rows: Row[] = [];
  say(`Unroll bench: batch 1, input = hidden, T = ${T}, medians; node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'})`);
  say('engine = wasm SIMD kernel + full Trace (8-bit store, checkpoints); ratio = engine / ORT at the same thread count (wall time);');
  say(`ratio cpu, cpu ovh = one thread, from process CPU time: ORT, full trace and bare kernel run interleaved, fewest of each; load average now ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores (wall ratios are only meaningful near 0)`);
  say('');
  say(pad(['cell', 'H', 'thr', 'ORT steps/s', 'engine steps/s', 'ratio', 'vs ORT×1', 'ratio cpu', 'kernel+rec', 'untraced', 'trace ovh', 'cpu ovh', 'rec ovh', 'B/step', 'max|Δh|']));
  for (const cell of ['lstm', 'gru'] as BenchCell[]) {
    for (const H of sizes) {
      const net = benchNetwork(cell, H);
      const x = benchInput(T, H);
      const model = benchOnnx(net);
      const w = net.layers[0][0];
      const G = gateCount(cell);
      const feeds = { X: new ort.Tensor('float32', x, [T, 1, H]) };
      let ort1 = 0;
      for (const threads of [1, 2]) {
        const session = await ort.InferenceSession.create(model, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
        let ortH: Float32Array = new Float32Array(0);
        const ortT = await time(async () => {
          const out = await session.run(feeds);
          ortH = out.Y_h.data as Float32Array;
        });
        const kernel = threads === 1 ? solo : duo;
        const run = { steps: T, inputSize: H, hiddenSize: H, outputSize: H, x, reverse: false };
        const rec: DirectionRecord = { gates: new Float32Array(T * G * H), c: new Float32Array(cell === 'lstm' ? T * H : 0), m: new Float32Array(0), h: new Float32Array(T * H) };
        let bytes = 0;
        const traceT = await time(() => {
          const trace = runNetwork(net, x, { kernel });
          const b = trace.byteSize();
          bytes = (b.total - b.weights) / T;
        });
        const recT = await time(() => kernel.runDirection(net.cell, w, run, rec));
        kernel.tracing = false;
        let finalH: Float32Array = new Float32Array(0);
        const bareT = await time(() => (finalH = kernel.run(net.cell, w, run).h));
        kernel.tracing = true;
        // One thread: ORT, the full trace and the bare kernel interleaved (same disturbances), fewest CPU
        // seconds of each: the one-thread ratios and the overhead from these.
        const [ortCpu, tracedCpu, bareCpu] = threads === 1
          ? await interleavedCpuMinAsync([() => session.run(feeds), () => runNetwork(net, x, { kernel }), () => { kernel.tracing = false; kernel.run(net.cell, w, run); kernel.tracing = true; }])
          : [ortT.cpuMin, traceT.cpuMin, bareT.cpuMin];
        await session.release();
        let diff = 0;
        for (let i = 0; i < H; i++) diff = Math.max(diff, Math.abs(finalH[i] - ortH[i]), Math.abs(rec.h[(T - 1) * H + i] - ortH[i]));
        const ortRate = T / ortT.median;
        if (threads === 1) ort1 = ortRate;
        const engineRate = T / traceT.median;
        const row: Row = {
          cell, hiddenSize: H, inputSize: H, steps: T, threads,
          engineThreadsUsed: threads === 2 && H >= 512 ? 2 : 1,
          engineStepsPerSec: round(engineRate), ortStepsPerSec: round(ortRate),
          ratio: round(engineRate / ortRate, 3), ratioVsOrt1: round(engineRate / ort1, 3),
          ratioCpu: threads === 1 ? round(ortCpu / tracedCpu, 3) : null,
          kernelRatioCpu: threads === 1 ? round(ortCpu / bareCpu, 3) : null,
          kernelTracedStepsPerSec: round(T / recT.median), untracedStepsPerSec: round(T / bareT.median),
          tracingOverhead: round(traceT.median / bareT.median - 1, 3), tracingOverheadCpu: round(tracedCpu / bareCpu - 1, 3),
          kernelRecordOverhead: round(recT.median / bareT.median - 1, 3),
          bytesPerTracedStep: round(bytes, 1), maxAbsDiffVsOrt: Number(diff.toExponential(2)),
        };
        rows.push(row);
        if (json) console.log(JSON.stringify(row));
        say(pad([cell, String(H), `${threads}${row.engineThreadsUsed !== threads ? '*' : ''}`, fmtRate(ortRate), fmtRate(engineRate), row.ratio.toFixed(2), row.ratioVsOrt1.toFixed(2), row.ratioCpu?.toFixed(2) ?? '-',
          fmtRate(row.kernelTracedStepsPerSec), fmtRate(row.untracedStepsPerSec), pct(row.tracingOverhead), pct(row.tracingOverheadCpu), pct(row.kernelRecordOverhead), String(Math.round(bytes)), diff.toExponential(1)]));
      }
    }
  }
  duo.dispose();
  const fallback = await tsFallback(sizes, json);
  const one = rows.filter((r) => r.threads === 1);
  const two = rows.filter((r) => r.threads === 2 && r.hiddenSize >= 512);
  const summary = {
    kind: 'summary',
    geomeanRatio1: round(geomean(one.map((r) => r.ratio)), 3),
    geomeanRatioCpu1: round(geomean(one.map((r) => r.ratioCpu ?? 1)), 3),
    minRatioCpu1: round(Math.min(...one.map((r) => r.ratioCpu ?? 1)), 3),
    kernelGeomeanRatioCpu1: round(geomean(one.map((r) => r.kernelRatioCpu ?? 1)), 3),
    kernelRatiosCpu1: Object.fromEntries(one.map((r) => [`${r.cell}${r.hiddenSize}`, r.kernelRatioCpu])),
    minRatio1: round(Math.min(...one.map((r) => r.ratio)), 3),
    minRatio2VsOrt1AtH512: two.length ? round(Math.min(...two.map((r) => r.ratioVsOrt1)), 3) : null,
    maxTracingOverhead: round(Math.max(...rows.map((r) => r.tracingOverhead)), 3),
    maxTracingOverheadCpu1: round(Math.max(...one.map((r) => r.tracingOverheadCpu)), 3),
    maxKernelRecordOverhead: round(Math.max(...rows.map((r) => r.kernelRecordOverhead)), 3),
    tiledSpeedupGeomean: round(geomean(fallback), 3),
    ...coldStart(),
  };
  say('');
  say('* = two threads requested, one used (a step at this size is too short to split; see WasmKernel minUnitsPerThread)');
  say(`one thread: geomean ratio ${summary.geomeanRatio1} (target ≥ 0.6), min ${summary.minRatio1} (target ≥ 0.5); from CPU time: geomean ${summary.geomeanRatioCpu1}, min ${summary.minRatioCpu1}`);
  say(`bare kernel (no records, no Trace) vs ORT, one thread, CPU time: geomean ${summary.kernelGeomeanRatioCpu1}; ${Object.entries(summary.kernelRatiosCpu1).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (summary.minRatio2VsOrt1AtH512 !== null) say(`two threads at H ≥ 512 vs ORT one thread: min ${summary.minRatio2VsOrt1AtH512} (target ≥ 1.0)`);
  say(`tracing overhead (full Trace vs untraced kernel): max ${pct(summary.maxTracingOverhead)} wall, ${pct(summary.maxTracingOverheadCpu1)} one-thread CPU (interleaved runs, min) (target ≤ 5%); kernel records alone: max ${pct(summary.maxKernelRecordOverhead)}`);
  say(`one-thread tracing overhead by size (CPU): ${one.map((r) => `${r.cell}${r.hiddenSize} ${pct(r.tracingOverheadCpu)}`).join(', ')}`);
  say(`tiled TypeScript fallback vs plain loops: geomean ${summary.tiledSpeedupGeomean}× (target ≥ 2×)`);
  say(`cold start, process start → first trace (LSTM H = 128, T = 1000, median of 3): engine ${summary.coldEngineMs} ms, ORT ${summary.coldOrtMs} ms`);
  if (json) console.log(JSON.stringify(summary));
}

/** The TypeScript path for hosts without wasm SIMD: tiled kernel vs the plain loops, fewer steps at large H. */
async function tsFallback(sizes: number[], json: boolean): Promise<number[]> {
  const speedups: number[] = [];
  if (!json) console.log('\nTypeScript fallback (one thread, kernel with records, CPU time, interleaved minima): plain loops (reference) vs register-tiled');
  for (const cell of ['lstm', 'gru'] as BenchCell[]) {
    for (const H of sizes) {
      const T = Math.max(10, Math.min(1000, Math.round(2e7 / (H * H * gateCount(cell)))));
      const net = benchNetwork(cell, H);
      const x = benchInput(T, H);
      const G = gateCount(cell);
      const run = { steps: T, inputSize: H, hiddenSize: H, outputSize: H, x, reverse: false };
      const rec: DirectionRecord = { gates: new Float32Array(T * G * H), c: new Float32Array(cell === 'lstm' ? T * H : 0), m: new Float32Array(0), h: new Float32Array(T * H) };
      // one thread, interleaved runs, fewest CPU seconds of each: both see the same disturbances (separate
      // medians on a busy machine scattered this ratio from 1.2 to 2.1 between runs)
      const [ref, tiled] = interleavedCpuMin(() => referenceKernel.runDirection(net.cell, net.layers[0][0], run, rec), () => tiledKernel.runDirection(net.cell, net.layers[0][0], run, rec), 1.2, 5, 30);
      const speedup = ref / tiled;
      speedups.push(speedup);
      const row = { kind: 'tsFallback', cell, hiddenSize: H, steps: T, referenceStepsPerSec: round(T / ref), tiledStepsPerSec: round(T / tiled), speedup: round(speedup, 2) };
      if (json) console.log(JSON.stringify(row));
      else console.log(`${cell.padStart(5)} ${String(H).padStart(5)}  plain ${fmtRate(row.referenceStepsPerSec).padStart(8)} steps/s  tiled ${fmtRate(row.tiledStepsPerSec).padStart(8)} steps/s  ${row.speedup.toFixed(2)}×`);
    }
  }
  return speedups;
}

/** Cold start: a fresh node process that loads the model file and produces the first trace. */
function coldStart(): { coldEngineMs: number; coldOrtMs: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unroll-bench-'));
  try {
    const net = benchNetwork('lstm', 128);
    fs.writeFileSync(path.join(dir, 'model.onnx'), benchOnnx(net));
    fs.writeFileSync(path.join(dir, 'x.f32'), benchInput(1000, 128));
    const cold = path.join(__dirname, 'cold.js');
    const once = (who: string) => {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(process.execPath, [cold, who, dir], { encoding: 'utf8' });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (r.status !== 0 || !/first trace/.test(r.stdout)) throw new Error(`cold start (${who}) failed: ${(r.stderr || r.stdout).split('\n')[0]}`);
      return ms;
    };
    const med = (who: string) => [once(who), once(who), once(who)].sort((a, b) => a - b)[1];
    return { coldEngineMs: Math.round(med('engine')), coldOrtMs: Math.round(med('ort')) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const round = (v: number, digits = 0) => Number(v.toFixed(digits));
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const WIDTHS = [5, 5, 4, 12, 15, 6, 9, 10, 11, 10, 10, 9, 8, 7, 8];
const pad = (cols: string[]) => cols.map((c, i) => c.padStart(WIDTHS[i])).join(' ');

main().catch((e) => {
  console.error(`bench failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
