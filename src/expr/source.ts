/**
 * Where scans get exact values from. A StepSource visits steps in order; `traceSource` adapts the
 * engine's Trace, reading blocks with `exactRange` (one recompute per checkpoint chunk) and presenting
 * each step as a StepValues made of subarray views — no per-step copies. It also offers enclosures of
 * every value from the trace's 8-bit store (codeBounds.ts), with which a scan decides most steps without
 * recomputing them (scan.ts).
 */
import { Trace } from '../engine/trace';
import { TraceStore } from '../engine/traceStore';
import { layerInputSize, numDirections, UnrollError } from '../engine/types';
import type { StepBounds } from './bounds';
import { traceBounds } from './codeBounds';
import type { DirectionStep, ExprMeta, StepValues } from './values';

export interface StepSource {
  readonly meta: ExprMeta;
  readonly steps: number;
  /**
   * Call `visit` with steps t0, t0+1, …, t1−1 in order; stop early when it returns false.
   * The StepValues passed may be reused between calls: read it, don't keep it. With `reads` (readKey
   * strings from the compiled expressions) only those vectors need to be filled in.
   */
  forEachStep(t0: number, t1: number, visit: (s: StepValues) => boolean | void, reads?: ReadonlySet<string>): void;
  /** One step (for a stop location, Variables, evaluate). */
  stepAt(t: number): StepValues;
  /** Enclosures of every value (screening conditions, scan.ts); absent: every step is evaluated exactly. */
  readonly bounds?: StepBounds;
  /** Steps per recompute unit (a checkpoint chunk): sparse visits group steps by it. */
  readonly chunkSteps?: number;
}

export interface TraceSourceOptions {
  /** Layer-0 input rows (T × inputSize) as encoded; without it they are read from the trace's own store. */
  x?: Float32Array;
  /** Token text of step t (for the `token` name). */
  tokenAt?: (t: number) => string;
  /** Steps per exactRange block. */
  block?: number;
  /** false: no enclosures from the 8-bit store (every scanned step is recomputed; benchmarks, tests). */
  bounds?: boolean;
}

/**
 * The same trace without its decoder (zero-copy views of the same buffers, same kernel): exactRange then
 * skips computing logits, which conditions never read (for a character model that is a large part of a
 * recompute). The original when there is no decoder or its buffers cannot be viewed here.
 */
function withoutDecoder(trace: Trace): Trace {
  if (trace.meta.vocabSize === 0) return trace;
  try {
    const t = trace.toTransfer();
    return Trace.fromTransfer({ ...t, network: { ...t.network, vocabSize: 0 } });
  } catch (e) {
    if (!(e instanceof UnrollError)) throw e;
    return trace;
  }
}

/**
 * Layer-0 input rows [a, b) of a trace: views of `x` when given, else from the trace's store (one-hot ids
 * expanded a block at a time, so a worker never needs the dense input), else step by step.
 */
function inputRows(trace: Trace, x: Float32Array | undefined, width: number): (a: number, b: number) => Float32Array {
  if (x) return (a, b) => x.subarray(a * width, b * width);
  try {
    const t = trace.toTransfer();
    const store = TraceStore.fromBuffers(t.meta, t.network, t.buffers);
    return (a, b) => store.denseInput(a, b);
  } catch (e) {
    if (!(e instanceof UnrollError)) throw e;
    return (a, b) => {
      const out = new Float32Array((b - a) * width);
      for (let t = a; t < b; t++) out.set(trace.exactStep(t).layers[0].forward.x, (t - a) * width);
      return out;
    };
  }
}

export function traceSource(given: Trace, opts: TraceSourceOptions = {}): StepSource {
  const trace = withoutDecoder(given);
  const meta = trace.meta;
  const exprMeta: ExprMeta = { cell: meta.cell, shape: meta.shape, steps: meta.steps };
  const T = meta.steps;
  const tokenAt = opts.tokenAt ?? ((): string => '');
  const H = meta.shape.hiddenSize;
  const Out = meta.outputSize;
  const D = numDirections(meta.shape);
  const L = meta.shape.numLayers;
  const lstm = meta.cell.family === 'lstm';
  let bounds: StepBounds | undefined | null = null; // null: not built yet (the proof reads every weight once)
  const xWidth = layerInputSize(meta.cell, meta.shape, 0);
  let rowsOfInput: ((a: number, b: number) => Float32Array) | undefined;

  return {
    meta: exprMeta,
    steps: T,
    chunkSteps: meta.checkpointEvery,
    get bounds(): StepBounds | undefined {
      if (bounds !== null) return bounds;
      try {
        bounds = opts.bounds === false ? undefined : traceBounds(trace, { x: opts.x, tokenAt });
      } catch (e) {
        // The store cannot be read here (e.g. its buffers went to another thread): scan exactly.
        if (!(e instanceof UnrollError)) throw e;
        bounds = undefined;
      }
      return bounds;
    },
    stepAt(t) {
      const e = trace.exactStep(t);
      return { t, token: tokenAt(t), layers: e.layers };
    },
    forEachStep(t0, t1, visit, reads) {
      // Which vectors to present: every one, or only those the expressions read (fewer views per step).
      const want = (k: number, d: number, name: string): boolean => !reads || reads.has(`${k}/${d}/${name}`);
      const plan = Array.from({ length: L }, (_, k) => Array.from({ length: D }, (_, d) => ({
        h: want(k, d, 'h'), hPrev: want(k, d, 'h_prev'), c: want(k, d, 'c'), cPrev: want(k, d, 'c_prev'), m: want(k, d, 'm'), x: want(k, d, 'x'),
        gates: meta.gateNames.filter((g) => want(k, d, g)),
      })));
      const needPrev = [0, 1].map((d) => plan.some((l) => l[d] && (l[d].hPrev || l[d].cPrev)));
      const block = opts.block ?? Math.max(meta.checkpointEvery, 1024);
      for (let a = t0; a < t1; a += block) {
        const b = Math.min(t1, a + block);
        // The states just outside the block (h_{a-1} forward, h_b reverse) come from exactStep, which reads
        // them off the same chunk's checkpoint or rows: no neighbouring chunk is recomputed for them.
        // (`first` before the range so its chunk is still cached; `last`'s chunk is the range's last.)
        const first = needPrev[0] ? trace.exactStep(a) : undefined;
        const range = trace.exactRange(a, b);
        const last = needPrev[1] ? trace.exactStep(b - 1) : undefined;
        const dirStep = (): DirectionStep => ({ x: new Float32Array(0), hPrev: new Float32Array(0), gates: {}, h: new Float32Array(0) });
        const layers = range.layers.map(() => (D === 2 ? { forward: dirStep(), reverse: dirStep() } : { forward: dirStep() }));
        const step: StepValues = { t: a, token: '', layers };
        const xRows = plan[0].some((p) => p.x) ? (rowsOfInput ??= inputRows(trace, opts.x, xWidth))(a, b) : undefined;
        const xBufs = range.layers.map(() => new Float32Array(D * Out));
        for (let t = a; t < b; t++) {
          const r = t - a;
          step.t = t;
          step.token = tokenAt(t);
          for (let k = 0; k < L; k++) {
            for (let d = 0; d < D; d++) {
              const src = d === 0 ? range.layers[k].forward : range.layers[k].reverse!;
              const dst = d === 0 ? layers[k].forward : layers[k].reverse!;
              const p = plan[k][d];
              const prevRow = d === 0 ? r - 1 : r + 1;
              const edge = !(p.hPrev || p.cPrev) ? undefined : prevRow < 0 ? first!.layers[k].forward : prevRow >= b - a ? last!.layers[k].reverse! : undefined;
              if (p.h) dst.h = src.h.subarray(r * Out, (r + 1) * Out);
              if (p.hPrev) dst.hPrev = edge ? edge.hPrev : src.h.subarray(prevRow * Out, (prevRow + 1) * Out);
              for (const g of p.gates) dst.gates[g] = src.gates[g]!.subarray(r * H, (r + 1) * H);
              if (lstm) {
                if (p.c) dst.c = src.c!.subarray(r * H, (r + 1) * H);
                if (p.cPrev) dst.cPrev = edge ? edge.cPrev! : src.c!.subarray(prevRow * H, (prevRow + 1) * H);
                if (p.m && src.m) dst.m = src.m.subarray(r * H, (r + 1) * H);
              }
            }
            if (!plan[k].some((p) => p.x)) continue;
            if (k === 0) {
              layers[0].forward.x = xRows!.subarray(r * xWidth, (r + 1) * xWidth);
            } else {
              // Layer k's input is [fwd h ; rev h] of layer k−1 at the same position.
              const below = range.layers[k - 1];
              const x = xBufs[k];
              x.set(below.forward.h.subarray(r * Out, (r + 1) * Out), 0);
              if (below.reverse) x.set(below.reverse.h.subarray(r * Out, (r + 1) * Out), Out);
              layers[k].forward.x = x;
            }
            if (D === 2) layers[k].reverse!.x = layers[k].forward.x;
          }
          if (visit(step) === false) return;
        }
      }
    },
  };
}
