/**
 * The WebAssembly SIMD kernel behind the `Kernel` seam. Per run: pack (cached) weights into the shared
 * wasm memory, then per chunk of steps: copy x in, one input-projection GEMM, the whole time loop in
 * wasm (recurrent matvec + fused gates, records written into wasm memory), copy the records out.
 * Chunking bounds memory (a 1 M-step trace never needs 1 M rows of scratch) and keeps the projected
 * inputs in cache. With a `Team` of two threads each step's unit blocks are split between them.
 *
 * Every step is a pure function of (x_t, float32 h_{t-1}, float32 C_{t-1}) and the block split does not
 * change any sum, so one- and two-thread runs and recomputation from a checkpoint are bit-identical.
 */
import type { CodeSink, DirectionRecord, DirectionRun, Kernel } from '../kernel';
import { QMAX, finiteRange } from '../quantize';
import type { CellSpec, DirectionWeights } from '../types';
import { UnrollError, gateCount } from '../types';
import { blocksOf, packDirection, type PackedDirection } from './pack';
import wasmBytes from './kernel.wasm';

/** Descriptor fields, in the order of DESC in kernel.wat.js (one i32 each). */
const DESC = [
  'R', 'K', 'b0', 'b1', 'xw', 'xwStride', 'steps', 'reverse', 'hA', 'hB', 'c',
  'gRec', 'gStride', 'cRec', 'cStride', 'mRec', 'mStride', 'hRec', 'hStride',
  'peep', 'flags', 'clip', 'Hp', 'aux', 'buf', 'pb0', 'pb1', 'Kaux', 'barrier', 'threads', 'zbuf', 'hOut',
  'qRec', 'qSlot',
] as const;
type Field = (typeof DESC)[number];
const FIELD = Object.fromEntries(DESC.map((n, i) => [n, i])) as Record<Field, number>;
const DESC_BYTES = 256;
const PAGE = 65536;
/** Projected-input bytes per chunk: small enough to stay in L2 while the steps read it back. */
const CHUNK_BYTES = 1 << 20;
/**
 * Packed weights kept resident in wasm memory before the cache starts over. Every new trace brings new
 * weight objects and wasm memory never shrinks, so this bounds what the default kernel holds for good.
 */
const RESIDENT_BYTES = 128 * 2 ** 20;
/** Source weights kept for reuse by content: the newest of them, at least one. */
const RECENT_BYTES = 64 * 2 ** 20;

const WEIGHT_KEYS = ['W', 'R', 'bW', 'bR', 'P', 'Wproj'] as const;

function weightBytes(w: DirectionWeights): number {
  return WEIGHT_KEYS.reduce((s, k) => s + (w[k]?.byteLength ?? 0), 0);
}

/** Bit-identical weights (−0 and 0 differ; NaN never occurs: weights are validated finite). */
function sameWeights(a: DirectionWeights, b: DirectionWeights): boolean {
  return WEIGHT_KEYS.every((k) => {
    const x = a[k];
    const y = b[k];
    if (!x || !y) return x === y;
    if (x.length !== y.length) return false;
    if (x === y) return true;
    // Node: memcmp (several GB/s; these are megabytes at large H). Elsewhere (web hosts) a JS loop.
    const B = (globalThis as { Buffer?: { from(b: ArrayBufferLike, o: number, n: number): Uint8Array; compare(a: Uint8Array, b: Uint8Array): number } }).Buffer;
    if (B) return B.compare(B.from(x.buffer, x.byteOffset, x.byteLength), B.from(y.buffer, y.byteOffset, y.byteLength)) === 0;
    // 8 bytes at a time where both are aligned for it: a float64 compare is exact for these bit patterns
    // except NaN (never: the bits would be two finite float32s) and ±0 (0x8000…0 vs 0: caught by the sign test)
    const n8 = x.byteOffset % 8 === 0 && y.byteOffset % 8 === 0 ? x.length >> 1 : 0;
    if (n8 > 0) {
      const xd = new Float64Array(x.buffer, x.byteOffset, n8);
      const yd = new Float64Array(y.buffer, y.byteOffset, n8);
      for (let i = 0; i < n8; i++) if (xd[i] !== yd[i] || (xd[i] === 0 && 1 / xd[i] !== 1 / yd[i])) return false;
    }
    const xi = new Int32Array(x.buffer, x.byteOffset, x.length);
    const yi = new Int32Array(y.buffer, y.byteOffset, y.length);
    for (let i = n8 * 2; i < xi.length; i++) if (xi[i] !== yi[i]) return false;
    return true;
  });
}

export interface KernelExports {
  gemm_v1: GemmFn;
  gemm_v3: GemmFn;
  gemm_v4: GemmFn;
  steps_rnn(d: number): void;
  steps_lstm(d: number): void;
  steps_gru(d: number): void;
  steps_gru_cho(d: number): void;
  gather(wp: number, bias: number, ids: number, T: number, K: number, V: number, out: number, outStride: number, nb: number): void;
  range_rows(src: number, rows: number, width: number, stride: number, out: number): void;
  quantize_rows(src: number, rows: number, width: number, stride: number, lo: number, scale: number, dst: number): void;
}
type GemmFn = (wp: number, bias: number, x: number, T: number, K: number, out: number, outStride: number, b0: number, b1: number) => void;

let compiled: WebAssembly.Module | undefined;
/** The compiled kernel module (compiled once per thread; ~13 kB, a few ms). */
export function kernelModule(): WebAssembly.Module {
  return (compiled ??= new WebAssembly.Module(wasmBytes));
}

/** True when this host runs wasm SIMD with shared memory (else use the tiled TypeScript kernel). */
export function wasmSimdAvailable(): boolean {
  try {
    if (typeof WebAssembly !== 'object' || typeof SharedArrayBuffer !== 'function') return false;
    kernelModule();
    return true;
  } catch {
    return false;
  }
}

/** One job for every thread of a team: run `steps` over a chunk after projecting its inputs. */
export interface ChunkJob {
  gemm: keyof Pick<KernelExports, 'gemm_v1' | 'gemm_v3' | 'gemm_v4'>;
  gemmArgs: [number, number, number, number, number, number, number];
  steps: keyof Pick<KernelExports, 'steps_rnn' | 'steps_lstm' | 'steps_gru' | 'steps_gru_cho'>;
  /** Descriptor address per thread (thread i owns blocks [b0_i, b1_i)). */
  desc: number[];
  /** GEMM block range per thread. */
  blocks: [number, number][];
}

/** Runs chunk jobs on 1 or more threads that share `memory`. */
export interface Team {
  readonly threads: number;
  readonly memory: WebAssembly.Memory;
  readonly exports: KernelExports;
  run(job: ChunkJob): void;
  dispose(): void;
}

export function newMemory(): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: 16, maximum: 16384, shared: true });
}

/** A team of one: the calling thread. */
export function soloTeam(memory = newMemory()): Team {
  const exports = new WebAssembly.Instance(kernelModule(), { env: { memory } }).exports as unknown as KernelExports;
  return {
    threads: 1,
    memory,
    exports,
    run(job) {
      const [b0, b1] = job.blocks[0];
      exports[job.gemm](...job.gemmArgs, b0, b1);
      exports[job.steps](job.desc[0]);
    },
    dispose() {},
  };
}

/** Split nb blocks over n threads, contiguous ranges, sizes differing by at most one. */
export function splitBlocks(nb: number, n: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) out.push([Math.floor((nb * i) / n), Math.floor((nb * (i + 1)) / n)]);
  return out;
}

export class WasmKernel implements Kernel {
  readonly name: string;
  /** false: records are not kept (the bench's untraced baseline); only the final state is returned. */
  tracing = true;
  private readonly packed = new WeakMap<DirectionWeights, Map<string, PackedDirection>>();
  /** Recently packed weights, newest first, for reuse by content (bounded by RECENT_BYTES of sources). */
  private recent: { key: string; w: DirectionWeights; p: PackedDirection }[] = [];
  /** Packed weights already in wasm memory: offset within the resident area. */
  private readonly resident = new Map<PackedDirection, { at: number; fresh: boolean }>();
  private residentTop = 0;
  /**
   * Views of the memory, renewed only after it grows: every read of a shared Memory's `buffer` makes a
   * new SharedArrayBuffer object, and making several per call showed up as garbage-collector time.
   */
  private views: { f32: Float32Array; i32: Int32Array; u8: Uint8Array };

  private readonly chunkBytes: number;
  private readonly minUnitsPerThread: number;

  /**
   * `chunkBytes`: projected-input bytes per chunk (tests make it tiny to cross many chunk borders).
   * `minUnitsPerThread`: a team splits a step only when every thread gets at least this many hidden units.
   */
  private readonly oneHot: boolean;

  /** `oneHot: false` forces the GEMM for one-hot inputs too (tests compare both paths bit for bit). */
  constructor(private readonly team: Team = soloTeam(), opts: { chunkBytes?: number; minUnitsPerThread?: number; oneHot?: boolean } = {}) {
    this.chunkBytes = opts.chunkBytes ?? CHUNK_BYTES;
    this.oneHot = opts.oneHot ?? true;
    this.minUnitsPerThread = opts.minUnitsPerThread ?? 256;
    this.views = viewsOf(team.memory);
    // One name for every thread count: the block split changes no sum, so the arithmetic is the same.
    this.name = 'wasm-simd';
    this.threads = team.threads;
  }

  readonly threads: number;

  dispose(): void {
    this.team.dispose();
  }

  runDirection(cell: CellSpec, w: DirectionWeights, run: DirectionRun, out: DirectionRecord): void {
    this.exec(cell, w, run, out);
  }

  runDirectionCoded(cell: CellSpec, w: DirectionWeights, run: DirectionRun, out: DirectionRecord, sink: CodeSink): void {
    if (!(Number.isInteger(sink.blockRows) && sink.blockRows > 0)) throw new UnrollError(`code blocks must be a positive whole number of rows (got ${sink.blockRows})`);
    this.exec(cell, w, run, out, sink);
  }

  /** Runs one direction; returns the final h and C (also when tracing is off). */
  run(cell: CellSpec, w: DirectionWeights, run: DirectionRun, out?: DirectionRecord): { h: Float32Array; c: Float32Array } {
    const { h, c } = this.exec(cell, w, run, out);
    const { f32 } = this.views;
    // copies, not views: typed-array slice() of shared memory is a slow path in V8
    const hOut = new Float32Array(run.outputSize);
    hOut.set(f32.subarray(h >> 2, (h >> 2) + run.outputSize));
    const cOut = new Float32Array(run.hiddenSize);
    cOut.set(f32.subarray(c >> 2, (c >> 2) + run.hiddenSize));
    return { h: hOut, c: cOut };
  }

  /** The run itself; returns where the final h and C sit in wasm memory (valid until the next run). */
  private exec(cell: CellSpec, w: DirectionWeights, run: DirectionRun, out?: DirectionRecord, sink?: CodeSink): { h: number; c: number } {
    const { steps: T, inputSize: In, hiddenSize: H, outputSize: Out, x, reverse } = run;
    const G = gateCount(cell.family);
    const proj = cell.family === 'lstm' && cell.projSize > 0;
    const cho = cell.family === 'gru' && !cell.resetAfter;
    checkShapes(cell, w, run, G, out, sink !== undefined);
    const trace = (this.tracing || sink !== undefined) && out !== undefined;
    const p = this.pack(cell, w, H, In, Out);
    const nb = blocksOf(H);
    const Hp = nb * 4;
    const nbOut = blocksOf(Out);
    const Op = nbOut * 4;
    const xwRow = nb * G * 16;
    let C = Math.max(1, Math.min(T, Math.floor(this.chunkBytes / xwRow)));
    // Coding: a range block must lie inside one chunk, so chunks are whole blocks (aligned to row 0).
    if (sink) C = Math.max(sink.blockRows, C - (C % sink.blockRows));
    const team = this.team;
    // Both cores only where a step is long enough to amortise the per-step barrier.
    const n = H >= this.minUnitsPerThread * team.threads ? team.threads : 1;

    // Layout: header (barrier, descriptors) | resident packed weights | per-call scratch (bump-allocated,
    // 16-byte aligned). Weights stay resident across calls: the Trace runs a direction in many chunks.
    let top = 64;
    const alloc = (bytes: number): number => {
      const at = top;
      top += Math.ceil(bytes / 16) * 16;
      return at;
    };
    const barrier = alloc(16);
    const descs: number[] = [];
    for (let i = 0; i < team.threads; i++) {
      const at = alloc(DESC_BYTES);
      if (i < n) descs.push(at);
    }
    const mem = team.memory;
    const parts = [p.W, p.bias, p.R, p.aux, p.peep];
    let res = this.resident.get(p);
    if (!res) {
      const bytes = parts.reduce((s, a) => s + Math.ceil((a?.byteLength ?? 0) / 16) * 16, 0);
      if (this.residentTop + bytes > RESIDENT_BYTES) {
        this.resident.clear();
        this.residentTop = 0;
      }
      res = { at: this.residentTop, fresh: true };
      this.residentTop += bytes;
      this.resident.set(p, res);
    }
    top += this.residentTop;
    const ensure = () => {
      if (top <= this.views.f32.byteLength) return;
      try {
        mem.grow(Math.ceil((top - this.views.f32.byteLength) / PAGE));
      } catch {
        throw new UnrollError(`The network needs ${Math.ceil(top / 2 ** 20)} MB of kernel memory, more than this host allows.`);
      }
      this.views = viewsOf(mem);
    };
    let wTop = top - this.residentTop + res.at;
    const [aW, aBias, aR, aAux, aPeep] = parts.map((a) => {
      const at = wTop;
      wTop += Math.ceil((a?.byteLength ?? 0) / 16) * 16;
      return at;
    });
    const hA = alloc(Op * 4);
    const hB = alloc(Op * 4);
    const aC = alloc(Hp * 4);
    const aBuf = alloc(Math.max(Hp, Op) * 4);
    const aZ = alloc(Hp * 4);
    const aX = alloc(C * In * 4);
    const aXw = alloc(C * xwRow);
    const rows = trace ? C : 1; // tracing off: every step writes the same scratch row
    // Channels with a fixed range get their codes in the step loop itself (code slots); the rest
    // (C, relu / GRU / projected h: ranges from the data) are coded from the float32 records per block.
    const slots = sink ? sink.channels.map((ch) => fusedSlot(cell, ch)) : [];
    const nSlots = Math.max(0, ...slots.map((sl) => (sl ?? -1) + 1));
    const keep = (record: 'gates' | 'm') => !sink || sink.channels.some((ch, i) => ch.record === record && slots[i] === undefined);
    const gRec = alloc((keep('gates') ? rows : 1) * G * Hp * 4);
    const cRec = alloc(rows * Hp * 4);
    const mRec = alloc((keep('m') ? rows : 1) * Hp * 4);
    const hRec = alloc(rows * Op * 4);
    const codes = alloc(sink ? C * Math.max(Hp, Op) : 0);
    const qRec = alloc(C * Hp * nSlots);
    const rangeOut = alloc(sink ? 16 : 0);
    ensure();
    const { f32, i32, u8 } = this.views;
    if (res.fresh) {
      [aW, aBias, aR, aAux, aPeep].forEach((at, i) => parts[i] && f32.set(parts[i]!, at >> 2));
      res.fresh = false;
    }
    f32.fill(0, hA >> 2, (aZ >> 2) + Hp);
    if (run.h0) f32.set(run.h0, hA >> 2);
    if (run.c0 && cell.family === 'lstm') f32.set(run.c0, aC >> 2);
    i32.fill(0, barrier >> 2, (barrier >> 2) + 4);

    const coupling = cell.coupling === 'keep-forget' ? 2 : cell.coupling === 'keep-input' ? 4 : 0;
    const flags = (cell.family === 'lstm' && cell.peephole ? 1 : 0) | (cell.family === 'lstm' ? coupling : 0) |
      (cell.family === 'rnn' && cell.nonlinearity === 'relu' ? 8 : 0) | (proj ? 16 : 0) | (nSlots > 0 ? 32 : 0);
    const split = splitBlocks(nb, n);
    const splitAux = splitBlocks(proj ? nbOut : nb, n);
    const fields: Partial<Record<Field, number>> = {
      R: aR, K: Out, xw: aXw, xwStride: xwRow, c: aC,
      gRec, gStride: trace && keep('gates') ? G * Hp * 4 : 0, cRec, cStride: trace ? Hp * 4 : 0, mRec, mStride: trace && keep('m') ? Hp * 4 : 0,
      hRec, hStride: trace ? Op * 4 : 0, peep: aPeep, flags, Hp, aux: aAux, buf: aBuf, Kaux: proj ? H : Out,
      barrier, threads: n, zbuf: aZ, qRec, qSlot: C * Hp,
    };
    const set = Object.entries(fields).map(([k, v]) => [FIELD[k as Field], v!]);
    for (let i = 0; i < n; i++) {
      const d = descs[i] >> 2;
      for (const [f, v] of set) i32[d + f] = v;
      i32[d + FIELD.b0] = split[i][0];
      i32[d + FIELD.b1] = split[i][1];
      i32[d + FIELD.pb0] = splitAux[i][0];
      i32[d + FIELD.pb1] = splitAux[i][1];
      f32[d + FIELD.clip] = cell.clip && cell.clip > 0 ? cell.clip : Infinity;
    }
    const steps = cell.family === 'lstm' ? 'steps_lstm' : cell.family === 'rnn' ? 'steps_rnn' : cho ? 'steps_gru_cho' : 'steps_gru';
    const gemm = G === 4 ? 'gemm_v4' : G === 3 ? 'gemm_v3' : 'gemm_v1';

    let cur = hA;
    const nChunks = Math.ceil(T / C);
    for (let ci = 0; ci < nChunks; ci++) {
      // Reverse runs take the chunks from the end and walk each one backwards (chunks stay aligned to row 0).
      const start = (reverse ? nChunks - 1 - ci : ci) * C;
      const len = Math.min(C, T - start);
      // One-hot rows (character models): the projection is a column of W, gathered instead of multiplied.
      const gathered = this.oneHot && oneHotIds(x, start, len, In, i32, aX >> 2);
      if (gathered) team.exports.gather(aW, aBias, aX, len, In, G, aXw, xwRow, nb);
      if (!gathered) f32.set(x.subarray(start * In, (start + len) * In), aX >> 2);
      for (let i = 0; i < n; i++) {
        const d = descs[i] >> 2;
        i32[d + FIELD.steps] = len;
        i32[d + FIELD.reverse] = reverse ? 1 : 0;
        i32[d + FIELD.hA] = cur;
        i32[d + FIELD.hB] = cur === hA ? hB : hA;
      }
      team.run({ gemm, gemmArgs: [aW, aBias, aX, gathered ? 0 : len, In, aXw, xwRow], steps, desc: descs, blocks: split });
      cur = i32[(descs[0] >> 2) + FIELD.hOut];
      if (trace && out) {
        if (!sink) copyRows(f32, gRec, G * Hp, G, Hp, H, out.gates, start, len, cell.family !== 'rnn');
        if (cell.family === 'lstm') copyRows(f32, cRec, Hp, 1, Hp, H, out.c, start, len, true);
        if (proj && !sink) copyRows(f32, mRec, Hp, 1, Hp, H, out.m, start, len, true);
        copyRows(f32, hRec, Op, 1, Op, Out, out.h, start, len, true);
      }
      if (sink) {
        const recs = { gates: [gRec, G * Hp * 4, H], c: [cRec, Hp * 4, H], m: [mRec, Hp * 4, H], h: [hRec, Op * 4, Out] } as const;
        sink.channels.forEach((ch, chi) => {
          const slot = slots[chi];
          if (slot !== undefined) return sendFused(u8, sink, chi, ch.fixed!, qRec + slot * C * Hp, Hp, H, start, len, codes);
          const [base, stride, width] = recs[ch.record];
          const src = base + (ch.record === 'gates' ? ch.gate * Hp * 4 : 0);
          codeChannel(team.exports, f32, u8, sink, chi, ch.fixed, src, stride, width, start, len, codes, rangeOut);
        });
      }
    }
    return { h: cur, c: aC };
  }

  private pack(cell: CellSpec, w: DirectionWeights, H: number, In: number, Out: number): PackedDirection {
    const key = `${cell.family}/${cell.resetAfter}/${cell.projSize}/${cell.peephole}/${H}/${In}/${Out}`;
    let m = this.packed.get(w);
    if (!m) this.packed.set(w, (m = new Map()));
    let p = m.get(key);
    if (p) return p;
    // Every Trace runs on its own copy of the weights (new objects), mostly of the same model: reuse the
    // packing (and the resident copy in wasm memory) of bit-identical weights instead of packing again.
    p = this.recent.find((r) => r.key === key && sameWeights(r.w, w))?.p ?? packDirection(cell, w, H, In, Out);
    m.set(key, p);
    this.recent = [{ key, w, p }, ...this.recent.filter((r) => r.p !== p)];
    let bytes = 0;
    this.recent = this.recent.filter((r) => (bytes += weightBytes(r.w)) <= RECENT_BYTES);
    return p;
  }
}

/**
 * If every row of x[start, start+len) is one-hot (a single 1, zeros elsewhere), write the hot column of
 * each row to ids[at + s] and return true; false at the first dense row. The kernel's `gather` then builds
 * the projection from W columns, bit-identical to the GEMM: there the sum is +0 + … + W·1 + … (zero
 * products change nothing), then + bias — the same single rounding as W + bias.
 */
function oneHotIds(x: Float32Array, start: number, len: number, In: number, ids: Int32Array, at: number): boolean {
  for (let s = 0; s < len; s++) {
    const row = (start + s) * In;
    let k = -1;
    for (let j = 0; j < In; j++) {
      const v = x[row + j];
      if (v === 0) continue;
      if (v !== 1 || k >= 0) return false;
      k = j;
    }
    if (k < 0) return false;
    ids[at + s] = k;
  }
  return true;
}

function viewsOf(mem: WebAssembly.Memory): { f32: Float32Array; i32: Int32Array; u8: Uint8Array } {
  const buf = mem.buffer;
  return { f32: new Float32Array(buf), i32: new Int32Array(buf), u8: new Uint8Array(buf) };
}

/**
 * Code one channel of a chunk's records (rows [start, start + len) of the run, `stride` bytes apart at
 * `src`) block by block into `codes`, then hand them to the sink in one piece. Same arithmetic as
 * quantize.ts: range = finite min/max (float32), scale = 255 / (hi − lo) in float64, round half to even.
 */
function codeChannel(
  ex: KernelExports, f32: Float32Array, u8: Uint8Array, sink: CodeSink, ci: number, fixed: [number, number] | undefined,
  src: number, stride: number, width: number, start: number, len: number, codes: number, rangeOut: number,
): void {
  const K = sink.blockRows;
  for (let r = 0; r < len; r += K) {
    const rows = Math.min(K, len - r);
    const at = src + r * stride;
    let lo: number;
    let hi: number;
    if (fixed) [lo, hi] = fixed;
    else {
      ex.range_rows(at, rows, width, stride, rangeOut);
      lo = f32[rangeOut >> 2];
      hi = f32[(rangeOut >> 2) + 1];
      // ±inf (relu overflow) or nothing but NaN: the rare finite-only pass, in JS on the same memory
      if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = finiteRange(f32, rows, width, stride >> 2, at >> 2);
    }
    lo = Math.fround(lo);
    hi = Math.fround(hi);
    sink.range(ci, (start + r) / K, lo, hi);
    ex.quantize_rows(at, rows, width, stride, lo, hi > lo ? QMAX / (hi - lo) : 0, codes + r * width);
  }
  sink.codes(ci, start, len, u8.subarray(codes, codes + len * width));
}

/**
 * The code slot the step loop writes for a channel (see kernel.wat.js), or undefined when the channel is
 * coded from its float32 records: slots hold σ values in [0, 1] and tanh values in [−1, 1] only.
 */
function fusedSlot(cell: CellSpec, ch: CodeSink['channels'][number]): number | undefined {
  const [lo, hi] = ch.fixed ?? [NaN, NaN];
  const unit = lo === 0 && hi === 1;
  const signed = lo === -1 && hi === 1;
  if (ch.record === 'gates' && cell.family !== 'rnn') {
    const tanhGate = ch.gate === 2; // LSTM g, GRU n
    return (tanhGate ? signed : unit) && ch.gate < gateCount(cell.family) ? ch.gate : undefined;
  }
  if (cell.family === 'lstm' && (ch.record === 'm' || (ch.record === 'h' && cell.projSize === 0))) return signed ? 4 : undefined;
  if (cell.family === 'rnn' && ch.record === 'h' && cell.nonlinearity !== 'relu') return signed ? 0 : undefined;
  return undefined;
}

/** Hand a fused channel's codes (rows of `padded` bytes at `src`) and its fixed range to the sink. */
function sendFused(u8: Uint8Array, sink: CodeSink, ci: number, fixed: [number, number], src: number, padded: number, width: number, start: number, len: number, dense: number): void {
  const K = sink.blockRows;
  const [lo, hi] = fixed.map(Math.fround);
  for (let r = 0; r < len; r += K) sink.range(ci, (start + r) / K, lo, hi);
  if (padded === width) return sink.codes(ci, start, len, u8.subarray(src, src + len * width));
  for (let r = 0; r < len; r++) u8.copyWithin(dense + r * width, src + r * padded, src + r * padded + width);
  sink.codes(ci, start, len, u8.subarray(dense, dense + len * width));
}

/**
 * Copy `len` record rows of wasm memory (row = `groups` groups of `padded` floats) to `dst` at row
 * `start` (row = groups × `width` floats). Unpadded rows are one contiguous copy.
 */
function copyRows(f32: Float32Array, at: number, rowFloats: number, groups: number, padded: number, width: number, dst: Float32Array, start: number, len: number, on: boolean): void {
  if (!on) return;
  const src = at >> 2;
  if (padded === width) {
    dst.set(f32.subarray(src, src + len * rowFloats), start * groups * width);
    return;
  }
  for (let r = 0; r < len; r++)
    for (let g = 0; g < groups; g++) {
      const s = src + r * rowFloats + g * padded;
      dst.set(f32.subarray(s, s + width), ((start + r) * groups + g) * width);
    }
}

function checkShapes(cell: CellSpec, w: DirectionWeights, run: DirectionRun, G: number, out?: DirectionRecord, coded = false): void {
  const { steps: T, inputSize: In, hiddenSize: H, outputSize: Out } = run;
  const want = (what: string, got: number, expected: number) => {
    if (got !== expected) throw new UnrollError(`Kernel input ${what} has ${got} values, expected ${expected}.`);
  };
  if (!(T >= 0 && In > 0 && H > 0 && Out > 0)) throw new UnrollError(`Kernel run has an invalid shape (steps ${T}, input ${In}, hidden ${H}).`);
  want('W', w.W.length, G * H * In);
  want('R', w.R.length, G * H * Out);
  want('bias W', w.bW.length, G * H);
  want('bias R', w.bR.length, G * H);
  want('x', run.x.length, T * In);
  if (run.h0) want('h0', run.h0.length, Out);
  if (run.c0) want('c0', run.c0.length, H);
  // Records may be longer than the run (the Trace reuses one record for every chunk), never shorter.
  const room = (what: string, got: number, needed: number) => {
    if (got < needed) throw new UnrollError(`Kernel record ${what} has room for ${got} values, needs ${needed}.`);
  };
  if (out) {
    room('h', out.h.length, T * Out);
    if (cell.family !== 'rnn' && !coded) room('gates', out.gates.length, T * G * H);
    if (cell.family === 'lstm') room('c', out.c.length, T * H);
    if (cell.family === 'lstm' && cell.projSize > 0 && !coded) room('m', out.m.length, T * H);
  }
}
