/**
 * The Trace: every gate, C_t, h_t (and m_t) of every step, layer and direction of one run.
 *
 * Compact for display, exact on demand:
 * - an 8-bit code per activation (quantize.ts), what heatmaps and columns draw: `window()`;
 * - exact float32 state (h, C) at the entry of every chunk of K steps (K = checkpointEvery, default 64),
 *   from which any step is recomputed bit-identically by the same kernel: `exactStep()`, `exactRange()`.
 *   A forward direction's checkpoint is its state before the chunk's first position; a reverse direction's
 *   is its state before the chunk's last position (it runs backwards). Recomputing one chunk of a stack
 *   runs every layer over that chunk only, so a seek costs at most K steps per layer and direction.
 * - All storage is typed arrays: `toTransfer()` hands out the buffers (ArrayBuffer or, with
 *   `shared: true`, SharedArrayBuffer) and `Trace.fromTransfer()` rebuilds the trace in another thread.
 *
 * Indices: t is always the INPUT POSITION; dir 0 = forward, 1 = reverse; windows are [t0, t1).
 */
import type { CodeSink, DirectionRecord, Kernel } from './kernel';
import { defaultKernel, kernelNamed } from './kernels/registry';
import { allocateChecked, decodeLogits, unpackNetwork, validateNetwork } from './network';
import {
  CancelledError, DEFAULT_CHECKPOINT_EVERY, type ExactDirectionRange, type ExactDirectionStep, type ExactRange, type ExactStep,
  type RunOptions, type TraceMeta, type TraceTransfer, type TraceWindow,
} from './traceTypes';
import { type Channel, channelsOf, finiteRange, fixedRange, quantizeRows, remapTable } from './quantize';
import { type CellSpec, type GateName, type Network, type NetworkShape, UnrollError, gateCount, gateNames, layerInputSize, numDirections, outputSize } from './types';
import { TraceStore, type Cursor } from './traceStore';

export type { Channel } from './quantize';
export { dequantize } from './quantize';
export { topK } from './network';
export * from './traceTypes';

export class Trace {
  private cache = new Map<number, ChunkResult>();

  private constructor(
    readonly meta: TraceMeta,
    private readonly net: Network,
    private readonly store: TraceStore,
    /** The recording kernel, or how to find one with its arithmetic (resolved at the first recompute). */
    private kernelOrName: Kernel | string,
  ) {}

  private get kernel(): Kernel {
    if (typeof this.kernelOrName === 'string') this.kernelOrName = kernelNamed(this.kernelOrName);
    return this.kernelOrName;
  }

  get steps(): number {
    return this.meta.steps;
  }

  /** 8-bit codes of one channel for rows [t0, t1), re-expressed in the channel's overall range. */
  window(layer: number, dir: number, channel: Channel, t0: number, t1: number): TraceWindow {
    const { meta } = this;
    this.checkLayerDir(layer, dir);
    const ci = meta.channels.indexOf(channel);
    if (ci < 0) throw new UnrollError(`channel '${channel}' is not recorded for ${meta.cell.family}; available: ${meta.channels.join(', ')}`);
    if (!(Number.isInteger(t0) && Number.isInteger(t1) && 0 <= t0 && t0 <= t1 && t1 <= meta.steps)) {
      throw new UnrollError(`window [${t0}, ${t1}) is outside the trace's ${meta.steps} steps`);
    }
    const [lo, hi] = meta.ranges[layer][dir][channel]!;
    const width = this.store.width(ci);
    const src = this.store.channel(layer, dir, ci);
    const data = new Uint8Array((t1 - t0) * width);
    const K = meta.checkpointEvery;
    const fixed = fixedRange(meta.cell, channel) !== undefined;
    for (let a = t0; a < t1; ) {
      const j = Math.floor(a / K);
      const b = Math.min(t1, (j + 1) * K);
      const rows = src.subarray(a * width, b * width);
      const [clo, chi] = this.store.chunkRange(layer, dir, ci, j);
      if (fixed || (clo === lo && chi === hi)) data.set(rows, (a - t0) * width);
      else {
        remapInto(data, (a - t0) * width, rows, remapTable(clo, chi, lo, hi));
      }
      a = b;
    }
    return { data, width, t0, t1, lo, hi };
  }

  /** Exact float32 values of step t for every layer and direction (recomputes at most K steps). */
  exactStep(t: number): ExactStep {
    this.checkStep(t);
    const ch = this.chunk(Math.floor(t / this.meta.checkpointEvery));
    const r = t - ch.a;
    const { cell, shape } = this.meta;
    const H = shape.hiddenSize;
    const Out = this.meta.outputSize;
    const names = gateNames(cell.family);
    const layers = ch.recs.map((dirs, k) => {
      const In = layerInputSize(cell, shape, k);
      const step = (d: number): ExactDirectionStep => {
        const rec = dirs[d];
        const prev = d === 0 ? r - 1 : r + 1;
        const inChunk = prev >= 0 && prev < ch.len;
        const entry = this.store.checkpoint(k, d, ch.j);
        const s: ExactDirectionStep = {
          x: ch.inputs[k].slice(r * In, (r + 1) * In),
          hPrev: inChunk ? rec.h.slice(prev * Out, (prev + 1) * Out) : entry.h.slice(),
          gates: {},
          h: rec.h.slice(r * Out, (r + 1) * Out),
        };
        names.forEach((g, gi) => (s.gates[g] = rec.gates.slice((r * names.length + gi) * H, (r * names.length + gi + 1) * H)));
        if (cell.family === 'lstm') {
          s.c = rec.c.slice(r * H, (r + 1) * H);
          s.cPrev = inChunk ? rec.c.slice(prev * H, (prev + 1) * H) : entry.c!.slice();
          if (cell.projSize > 0) s.m = rec.m.slice(r * H, (r + 1) * H);
        }
        return s;
      };
      return numDirections(shape) === 2 ? { forward: step(0), reverse: step(1) } : { forward: step(0) };
    });
    const result: ExactStep = { t, layers };
    if (this.net.decoder) {
      result.logits = new Float32Array(this.net.decoder.vocabSize);
      const y = this.lastLayerRow(ch, r);
      decodeLogits(this.net.decoder, y, 0, y.length, result.logits);
    }
    return result;
  }

  /** Exact float32 values of steps [t0, t1) for every layer and direction, plus logits. */
  exactRange(t0: number, t1: number): ExactRange {
    const { meta } = this;
    if (!(Number.isInteger(t0) && Number.isInteger(t1) && 0 <= t0 && t0 < t1 && t1 <= meta.steps)) {
      throw new UnrollError(`range [${t0}, ${t1}) is outside the trace's ${meta.steps} steps`);
    }
    const { cell, shape } = meta;
    const H = shape.hiddenSize;
    const Out = meta.outputSize;
    const D = meta.numDirections;
    const n = t1 - t0;
    const names = gateNames(cell.family);
    const G = names.length;
    const f32 = (len: number) => allocateChecked(`exact values of ${n} steps`, len * 4, () => new Float32Array(len));
    const alloc = (): ExactDirectionRange => {
      const r: ExactDirectionRange = { h: f32(n * Out), gates: {} };
      for (const g of names) r.gates[g] = f32(n * H);
      if (cell.family === 'lstm') r.c = f32(n * H);
      if (cell.family === 'lstm' && cell.projSize > 0) r.m = f32(n * H);
      return r;
    };
    const layers = meta.ranges.map(() => (D === 2 ? { forward: alloc(), reverse: alloc() } : { forward: alloc() }));
    const logits = this.net.decoder ? f32(n * this.net.decoder.vocabSize) : undefined;
    const K = meta.checkpointEvery;
    for (let a = t0; a < t1; ) {
      const ch = this.chunk(Math.floor(a / K));
      const b = Math.min(t1, ch.a + ch.len);
      for (let k = 0; k < layers.length; k++) {
        for (let d = 0; d < D; d++) {
          const dst = d === 0 ? layers[k].forward : layers[k].reverse!;
          const rec = ch.recs[k][d];
          const r0 = a - ch.a;
          const rows = b - a;
          const o = a - t0;
          dst.h.set(rec.h.subarray(r0 * Out, (r0 + rows) * Out), o * Out);
          dst.c?.set(rec.c.subarray(r0 * H, (r0 + rows) * H), o * H);
          dst.m?.set(rec.m.subarray(r0 * H, (r0 + rows) * H), o * H);
          for (let r = 0; r < rows; r++) {
            for (let gi = 0; gi < G; gi++) {
              const from = ((r0 + r) * G + gi) * H;
              dst.gates[names[gi]]!.set(rec.gates.subarray(from, from + H), (o + r) * H);
            }
          }
        }
      }
      if (logits && this.net.decoder) {
        const V = this.net.decoder.vocabSize;
        for (let t = a; t < b; t++) {
          const y = this.lastLayerRow(ch, t - ch.a);
          decodeLogits(this.net.decoder, y, 0, y.length, logits, (t - t0) * V);
        }
      }
      a = b;
    }
    return { t0, t1, layers, ...(logits ? { logits } : {}) };
  }

  /** Bytes held, by part: compact codes, checkpoints, per-chunk ranges, input, weights. */
  byteSize(): { compact: number; checkpoints: number; chunkRanges: number; input: number; weights: number; total: number } {
    return this.store.byteSize();
  }

  /** The trace's own buffers; transferring ArrayBuffers (not shared ones) detaches this trace. */
  toTransfer(): TraceTransfer {
    const { data, ...network } = this.store.weights;
    void data;
    return { meta: this.meta, network, buffers: this.store.buffers() };
  }

  /** `kernel`: by default one with the arithmetic of the recording run (meta.kernel), so exact values match it bit for bit. */
  static fromTransfer(t: TraceTransfer, kernel?: Kernel): Trace {
    const store = TraceStore.fromBuffers(t.meta, t.network, t.buffers);
    if (kernel && kernel.name !== t.meta.kernel) {
      throw new UnrollError(`this trace was recorded by kernel '${t.meta.kernel}'; recomputing it with '${kernel.name}' would not reproduce its values exactly`);
    }
    return new Trace(t.meta, unpackNetwork(store.weights), store, kernel ?? t.meta.kernel);
  }

  /** Internal: used by runNetwork once the store is filled. */
  static create(meta: TraceMeta, net: Network, store: TraceStore, kernel: Kernel): Trace {
    return new Trace(meta, net, store, kernel);
  }

  private lastLayerRow(ch: ChunkResult, r: number): Float32Array {
    const Out = this.meta.outputSize;
    const last = ch.recs[ch.recs.length - 1];
    const y = new Float32Array(last.length * Out);
    last.forEach((rec, d) => y.set(rec.h.subarray(r * Out, (r + 1) * Out), d * Out));
    return y;
  }

  private checkStep(t: number): void {
    if (!(Number.isInteger(t) && t >= 0 && t < this.meta.steps)) throw new UnrollError(`step ${t} is outside the trace's ${this.meta.steps} steps`);
  }

  private checkLayerDir(layer: number, dir: number): void {
    if (!(Number.isInteger(layer) && layer >= 0 && layer < this.meta.shape.numLayers)) throw new UnrollError(`layer ${layer} does not exist (the network has ${this.meta.shape.numLayers})`);
    if (!(dir === 0 || (dir === 1 && this.meta.numDirections === 2))) throw new UnrollError(`direction ${dir} does not exist (the network has ${this.meta.numDirections})`);
  }

  /** Recompute chunk j of every layer from the checkpoints; the last few chunks are cached. */
  private chunk(j: number): ChunkResult {
    const hit = this.cache.get(j);
    if (hit) {
      this.cache.delete(j);
      this.cache.set(j, hit);
      return hit;
    }
    const res = runChunkAllLayers(this.net, this.kernel, this.store, j, this.meta);
    this.cache.set(j, res);
    if (this.cache.size > 4) this.cache.delete(this.cache.keys().next().value as number);
    return res;
  }
}

/** dst[o + i] = lut[src[i]]: a small monomorphic loop the JIT optimises on its own. */
function remapInto(dst: Uint8Array, o: number, src: Uint8Array, lut: Uint8Array): void {
  const n = src.length;
  for (let i = 0; i < n; i++) dst[o + i] = lut[src[i]];
}

interface ChunkResult {
  j: number;
  a: number;
  len: number;
  /** recs[layer][dir], rows relative to a */
  recs: DirectionRecord[][];
  /** inputs[layer]: len × layer input width */
  inputs: Float32Array[];
}

/** `coded`: for a coding kernel, which keeps gates and m to itself (only h and C come back as float32). */
export function newRecord(cell: CellSpec, shape: NetworkShape, rows: number, coded = false): DirectionRecord {
  const H = shape.hiddenSize;
  return {
    gates: new Float32Array(cell.family === 'rnn' || coded ? 0 : rows * gateCount(cell.family) * H),
    c: new Float32Array(cell.family === 'lstm' ? rows * H : 0),
    m: new Float32Array(cell.family === 'lstm' && cell.projSize > 0 && !coded ? rows * H : 0),
    h: new Float32Array(rows * outputSize(cell, shape)),
  };
}

/**
 * The span record of runNetwork, reused from the previous run when its arrays are large enough: a run
 * only reads rows the kernel has just written, and allocating (zeroing) it per trace was a visible part of
 * the tracing overhead of short traces. Kept only while small (spans are ≈ 2^24–2^26 multiply-adds).
 */
interface Spare { key: string; rows: number; rec: DirectionRecord }
let spare: Spare | undefined;
const SPARE_BYTES = 16 * 2 ** 20;
/** Take the spare (so a nested run, e.g. from onProgress, cannot share it) or make a new one. */
function spanRecord(cell: CellSpec, shape: NetworkShape, rows: number, coded: boolean): Spare {
  const key = `${cell.family}/${cell.projSize}/${coded}/${shape.hiddenSize}/${outputSize(cell, shape)}`;
  const s = spare;
  spare = undefined;
  if (s && s.key === key && s.rows >= rows) return s;
  return { key, rows, rec: newRecord(cell, shape, rows, coded) };
}
function returnSpare(s: Spare): void {
  const { gates, c, m, h } = s.rec;
  if (gates.byteLength + c.byteLength + m.byteLength + h.byteLength <= SPARE_BYTES) spare = s;
}

function runChunkAllLayers(net: Network, kernel: Kernel, store: TraceStore, j: number, meta: TraceMeta): ChunkResult {
  const { cell, shape } = net;
  const K = meta.checkpointEvery;
  const a = j * K;
  const len = Math.min(meta.steps, a + K) - a;
  const D = numDirections(shape);
  const Out = outputSize(cell, shape);
  const recs: DirectionRecord[][] = [];
  const inputs: Float32Array[] = [store.denseInput(a, a + len)];
  for (let k = 0; k < shape.numLayers; k++) {
    const In = layerInputSize(cell, shape, k);
    const dirs: DirectionRecord[] = [];
    for (let d = 0; d < D; d++) {
      const rec = newRecord(cell, shape, len);
      const entry = store.checkpoint(k, d, j);
      kernel.runDirection(cell, net.layers[k][d], {
        steps: len, inputSize: In, hiddenSize: shape.hiddenSize, outputSize: Out,
        x: inputs[k], h0: entry.h, c0: entry.c, reverse: d === 1,
      }, rec);
      dirs.push(rec);
    }
    recs.push(dirs);
    if (k + 1 < shape.numLayers) {
      const next = new Float32Array(len * D * Out);
      for (let r = 0; r < len; r++) for (let d = 0; d < D; d++) next.set(dirs[d].h.subarray(r * Out, (r + 1) * Out), (r * D + d) * Out);
      inputs.push(next);
    }
  }
  return { j, a, len, recs, inputs };
}

/**
 * Steps per kernel call: a few ms of work, so cancellation and progress stay prompt — 2^24 multiply-adds,
 * 2^26 for a coding (wasm) kernel, whose per-call costs then stay small; at least one chunk, at most 4096 steps.
 */
function spanChunksFor(cell: CellSpec, shape: NetworkShape, K: number, fast: boolean): number {
  const G = gateCount(cell.family);
  const Out = outputSize(cell, shape);
  const macs = G * shape.hiddenSize * (layerInputSize(cell, shape, shape.numLayers - 1) + shape.inputSize + Out);
  const steps = Math.min(4096, Math.floor(2 ** (fast ? 26 : 24) / Math.max(1, macs)));
  return Math.max(1, Math.floor(steps / K));
}

function rowState(rec: DirectionRecord, row: number, Out: number, H: number): Cursor {
  return { h: rec.h.subarray(row * Out, (row + 1) * Out), ...(rec.c.length ? { c: rec.c.subarray(row * H, (row + 1) * H) } : {}) };
}

/** Quantize chunk j's rows (starting at record row r0) of every channel into the store. */
function recordChunk(
  store: TraceStore, rec: DirectionRecord, k: number, d: number, j: number, len: number, r0: number,
  channels: Channel[], cell: CellSpec, G: number, H: number, Out: number,
): void {
  channels.forEach((ch, ci) => {
    const [src, width, stride, off] =
      ch === 'h' ? [rec.h, Out, Out, r0 * Out] : ch === 'c' ? [rec.c, H, H, r0 * H] : ch === 'm' ? [rec.m, H, H, r0 * H] : [rec.gates, H, G * H, r0 * G * H + ci * H];
    // float32-rounded so the codes decode with exactly the range the store keeps
    const range = (fixedRange(cell, ch) ?? finiteRange(src, len, width, stride, off)).map(Math.fround) as [number, number];
    store.setChunkRange(k, d, ci, j, range);
    quantizeRows(src, len, width, stride, off, range[0], range[1], store.channel(k, d, ci), j * store.checkpointEvery * width);
  });
}

/** A sink writing a coding kernel's codes and ranges of one span (starting at row a) into the store. */
function storeSink(store: TraceStore, k: number, d: number, a: number, channels: Channel[], cell: CellSpec): CodeSink {
  const names = gateNames(cell.family) as readonly string[];
  const K = store.checkpointEvery;
  const dst = channels.map((_, ci) => store.channel(k, d, ci));
  return {
    blockRows: K,
    channels: channels.map((ch) => ({
      record: ch === 'c' || ch === 'm' || ch === 'h' ? ch : 'gates',
      gate: Math.max(0, names.indexOf(ch)),
      fixed: fixedRange(cell, ch),
    })),
    range: (ci, block, lo, hi) => store.setChunkRange(k, d, ci, a / K + block, [lo, hi]),
    codes: (ci, r0, rows, data) => dst[ci].set(data, (a + r0) * store.width(ci)),
  };
}

/** Run a network over x (T × inputSize, row t = position t) and record everything. Synchronous. */
export function runNetwork(given: Network, x: Float32Array, opts: RunOptions = {}): Trace {
  validateNetwork(given);
  const kernel = opts.kernel ?? defaultKernel();
  const K = opts.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
  if (!(Number.isInteger(K) && K > 0)) throw new UnrollError(`checkpointEvery must be a positive integer (got ${K})`);
  const store = TraceStore.forRun(given, x, K, opts);
  // Run and later recompute from the trace's own copy of the weights, so a caller that updates its
  // network in place (training) cannot make exact values disagree with the recorded ones.
  const net = unpackNetwork(store.weights);
  const { cell, shape } = net;
  const T = store.steps;
  const D = numDirections(shape);
  const H = shape.hiddenSize;
  const Out = outputSize(cell, shape);
  const channels = channelsOf(cell);
  const nChunks = Math.ceil(T / K);
  const total = T * shape.numLayers * D;
  let done = 0;
  const G = gateCount(cell.family);
  // The kernel runs a span of whole chunks per call (fewer calls for cheap steps); checkpoints inside a
  // span are read from its float32 rows, which are exactly the states the kernel continued from.
  const spanChunks = spanChunksFor(cell, shape, K, kernel.runDirectionCoded !== undefined);
  const nSpans = Math.ceil(nChunks / spanChunks);
  // A coding kernel quantises inside its own memory (no float32 gate rows cross over); else quantize.ts here.
  const coded = kernel.runDirectionCoded !== undefined;
  const spanRec = spanRecord(cell, shape, Math.min(T, spanChunks * K), coded);
  const rec = spanRec.rec;
  let below: Float32Array | undefined; // full output of the previous layer, T × D·Out (stacks only)
  for (let k = 0; k < shape.numLayers; k++) {
    const In = layerInputSize(cell, shape, k);
    const input = k === 0 ? store.denseInput(0, T) : below!;
    const out = k + 1 < shape.numLayers ? allocateChecked(`layer ${k}'s output for the next layer`, T * D * Out * 4, () => new Float32Array(T * D * Out)) : undefined;
    for (let d = 0; d < D; d++) {
      const cur: Cursor = store.initialState(k, d, opts);
      for (let s = 0; s < nSpans; s++) {
        if (opts.signal?.aborted) throw new CancelledError();
        const span = d === 0 ? s : nSpans - 1 - s;
        const j0 = span * spanChunks;
        const j1 = Math.min(nChunks, j0 + spanChunks);
        const a = j0 * K;
        const len = Math.min(T, j1 * K) - a;
        const run = {
          steps: len, inputSize: In, hiddenSize: H, outputSize: Out,
          x: input.subarray(a * In, (a + len) * In), h0: cur.h, c0: cur.c, reverse: d === 1,
        };
        if (coded) kernel.runDirectionCoded!(cell, net.layers[k][d], run, rec, storeSink(store, k, d, a, channels, cell));
        else kernel.runDirection(cell, net.layers[k][d], run, rec);
        for (let j = j0; j < j1; j++) {
          // Entry state of chunk j: forward = the row before it, reverse = the row after it (or the span's start state).
          const entryRow = d === 0 ? (j === j0 ? -1 : j * K - a - 1) : j === j1 - 1 ? -1 : (j + 1) * K - a;
          store.saveCheckpoint(k, d, j, entryRow < 0 ? cur : rowState(rec, entryRow, Out, H));
          if (!coded) recordChunk(store, rec, k, d, j, Math.min(T, (j + 1) * K) - j * K, j * K - a, channels, cell, G, H, Out);
        }
        if (out) for (let r = 0; r < len; r++) out.set(rec.h.subarray(r * Out, (r + 1) * Out), ((a + r) * D + d) * Out);
        const last = d === 0 ? len - 1 : 0;
        cur.h.set(rec.h.subarray(last * Out, (last + 1) * Out));
        cur.c?.set(rec.c.subarray(last * H, (last + 1) * H));
        done += len;
        opts.onProgress?.({ done, total });
      }
    }
    below = out;
  }
  returnSpare(spanRec);
  const meta: TraceMeta = {
    version: 1, cell, shape, steps: T, outputSize: Out, numDirections: D, gateNames: [...gateNames(cell.family)], channels,
    checkpointEvery: K, vocabSize: net.decoder?.vocabSize ?? 0, source: net.source, kernel: kernel.name,
    inputEncoding: store.oneHot ? 'one-hot' : 'dense', ranges: store.overallRanges(channels, cell),
  };
  return Trace.create(meta, net, store, kernel);
}

