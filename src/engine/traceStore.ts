/**
 * The typed-array storage behind a Trace, laid out so the whole trace is a short list of buffers:
 *   [0] packed weights (Float32), [1] input x (Int32 symbol ids when one-hot, else Float32 T × inputSize),
 *   then for each (layer, dir): compact codes (Uint8, channel blocks of T × width), per-chunk ranges
 *   (Float32 [channel][chunk][lo, hi]) and checkpoints (Float32 [chunk][h (Out) | C (H, LSTM only)]).
 */
import { type PackedNetwork, allocateChecked, packNetwork } from './network';
import { type Channel, channelsOf, fixedRange } from './quantize';
import type { TraceMeta } from './traceTypes';
import { type CellSpec, type Network, UnrollError, numDirections, outputSize } from './types';

/** A direction's running state: h (Out) and, for LSTMs, C (H). */
export interface Cursor {
  h: Float32Array;
  c?: Float32Array;
}

type Buf = ArrayBuffer | SharedArrayBuffer;

interface DirStore {
  compact: Uint8Array;
  ranges: Float32Array;
  checkpoints: Float32Array;
}

function alloc(bytes: number, shared: boolean): Buf {
  return allocateChecked(`a trace buffer of ${bytes} bytes`, bytes, () => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes)));
}

/** Every row one-hot (a single 1, zeros elsewhere)? Then the input is kept as one id per step. */
function oneHotIds(x: Float32Array, T: number, In: number): Int32Array | undefined {
  if (In < 2) return undefined;
  const ids = new Int32Array(T);
  for (let t = 0; t < T; t++) {
    let id = -1;
    for (let j = 0; j < In; j++) {
      const v = x[t * In + j];
      if (v === 1 && id < 0) id = j;
      else if (v !== 0) return undefined;
    }
    if (id < 0) return undefined;
    ids[t] = id;
  }
  return ids;
}

export class TraceStore {
  private constructor(
    readonly steps: number,
    readonly inputSize: number,
    readonly checkpointEvery: number,
    private readonly widths: number[],
    private readonly stateWidth: [number, number],
    readonly weights: PackedNetwork,
    private readonly input: Int32Array | Float32Array,
    private readonly dirs: DirStore[][],
  ) {}

  get oneHot(): boolean {
    return this.input instanceof Int32Array;
  }

  static forRun(net: Network, x: Float32Array, K: number, opts: { h0?: Float32Array; c0?: Float32Array; shared?: boolean }): TraceStore {
    const { cell, shape } = net;
    const In = shape.inputSize;
    if (!(x instanceof Float32Array)) throw new UnrollError('input x must be a Float32Array');
    if (x.length === 0 || x.length % In !== 0) {
      throw new UnrollError(`input has ${x.length} values, not a whole number of steps of inputSize ${In} (need at least one step)`);
    }
    const T = x.length / In;
    // v · 0 is 0 for finite v and NaN for ±inf/NaN: one branch-free pass, then find the culprit only if needed
    // (four independent sums: one add chain would run at the adder's latency, not its throughput)
    let [p0, p1, p2, p3] = [0, 0, 0, 0];
    const n4 = x.length & ~3;
    for (let i = 0; i < n4; i += 4) {
      p0 += x[i] * 0;
      p1 += x[i + 1] * 0;
      p2 += x[i + 2] * 0;
      p3 += x[i + 3] * 0;
    }
    for (let i = n4; i < x.length; i++) p0 += x[i] * 0;
    if (p0 + p1 + p2 + p3 !== 0) {
      for (let i = 0; i < x.length; i++) {
        if (!Number.isFinite(x[i])) throw new UnrollError(`input x[${Math.floor(i / In)}][${i % In}] is ${x[i]}; every input value must be a finite number`);
      }
    }
    const D = numDirections(shape);
    const Out = outputSize(cell, shape);
    const H = shape.hiddenSize;
    const L = shape.numLayers;
    const checkState = (name: string, v: Float32Array | undefined, width: number) => {
      if (!v) return;
      if (v.length !== L * D * width) throw new UnrollError(`${name} has ${v.length} values, expected ${L * D} rows of ${width}`);
      for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) throw new UnrollError(`${name} contains ${v[i]}; initial states must be finite`);
    };
    checkState('h0', opts.h0, Out);
    if (opts.c0 && cell.family !== 'lstm') throw new UnrollError(`c0 was given but a ${cell.family.toUpperCase()} has no cell state`);
    checkState('c0', opts.c0, H);

    const shared = opts.shared === true;
    const ids = oneHotIds(x, T, In);
    const input = ids ? new Int32Array(alloc(ids.byteLength, shared)) : new Float32Array(alloc(x.byteLength, shared));
    input.set(ids ?? x);
    const widths = channelWidths(cell, H, Out);
    const stateWidth: [number, number] = [Out, cell.family === 'lstm' ? H : 0];
    const nChunks = Math.ceil(T / K);
    const dirs: DirStore[][] = [];
    for (let k = 0; k < L; k++) {
      const row: DirStore[] = [];
      for (let d = 0; d < D; d++) {
        row.push({
          compact: new Uint8Array(alloc(T * widths.reduce((s, w) => s + w, 0), shared)),
          ranges: new Float32Array(alloc(widths.length * nChunks * 2 * 4, shared)),
          checkpoints: new Float32Array(alloc(nChunks * (stateWidth[0] + stateWidth[1]) * 4, shared)),
        });
      }
      dirs.push(row);
    }
    return new TraceStore(T, In, K, widths, stateWidth, packNetwork(net, shared), input, dirs);
  }

  static fromBuffers(meta: TraceMeta, network: Omit<PackedNetwork, 'data'>, buffers: Buf[]): TraceStore {
    const { cell, shape, steps: T, checkpointEvery: K } = meta;
    const D = numDirections(shape);
    const H = shape.hiddenSize;
    const Out = outputSize(cell, shape);
    const widths = channelWidths(cell, H, Out);
    const stateWidth: [number, number] = [Out, cell.family === 'lstm' ? H : 0];
    const nChunks = Math.ceil(T / K);
    const expectBytes = (i: number, n: number, what: string) => {
      if (!buffers[i] || buffers[i].byteLength !== n) throw new UnrollError(`trace transfer is corrupt: ${what} has ${buffers[i]?.byteLength ?? 0} bytes, expected ${n}`);
      return buffers[i];
    };
    const wTotal = network.lengths.reduce((s, n) => s + n, 0);
    const weights: PackedNetwork = { ...network, data: new Float32Array(expectBytes(0, wTotal * 4, 'weights')) };
    const input = meta.inputEncoding === 'one-hot'
      ? new Int32Array(expectBytes(1, T * 4, 'input ids'))
      : new Float32Array(expectBytes(1, T * shape.inputSize * 4, 'input'));
    const dirs: DirStore[][] = [];
    let i = 2;
    for (let k = 0; k < shape.numLayers; k++) {
      const row: DirStore[] = [];
      for (let d = 0; d < D; d++) {
        row.push({
          compact: new Uint8Array(expectBytes(i++, T * widths.reduce((s, w) => s + w, 0), 'compact store')),
          ranges: new Float32Array(expectBytes(i++, widths.length * nChunks * 8, 'chunk ranges')),
          checkpoints: new Float32Array(expectBytes(i++, nChunks * (stateWidth[0] + stateWidth[1]) * 4, 'checkpoints')),
        });
      }
      dirs.push(row);
    }
    return new TraceStore(T, shape.inputSize, K, widths, stateWidth, weights, input, dirs);
  }

  buffers(): Buf[] {
    const out: Buf[] = [this.weights.data.buffer, this.input.buffer];
    for (const row of this.dirs) for (const s of row) out.push(s.compact.buffer, s.ranges.buffer, s.checkpoints.buffer);
    return out;
  }

  width(ci: number): number {
    return this.widths[ci];
  }

  /** T × width codes of channel ci. */
  channel(k: number, d: number, ci: number): Uint8Array {
    let off = 0;
    for (let i = 0; i < ci; i++) off += this.widths[i] * this.steps;
    return this.dirs[k][d].compact.subarray(off, off + this.widths[ci] * this.steps);
  }

  private nChunks(): number {
    return Math.ceil(this.steps / this.checkpointEvery);
  }

  chunkRange(k: number, d: number, ci: number, j: number): [number, number] {
    const r = this.dirs[k][d].ranges;
    const o = (ci * this.nChunks() + j) * 2;
    return [r[o], r[o + 1]];
  }

  setChunkRange(k: number, d: number, ci: number, j: number, range: [number, number]): void {
    const o = (ci * this.nChunks() + j) * 2;
    this.dirs[k][d].ranges[o] = range[0];
    this.dirs[k][d].ranges[o + 1] = range[1];
  }

  /** Overall [lo, hi] per (layer, dir, channel): the fixed range, or the union of the chunk ranges. */
  overallRanges(channels: Channel[], cell: CellSpec): Partial<Record<Channel, [number, number]>>[][] {
    return this.dirs.map((row, k) =>
      row.map((_, d) => {
        const out: Partial<Record<Channel, [number, number]>> = {};
        channels.forEach((ch, ci) => {
          const fixed = fixedRange(cell, ch);
          if (fixed) {
            out[ch] = fixed;
            return;
          }
          let lo = Infinity;
          let hi = -Infinity;
          for (let j = 0; j < this.nChunks(); j++) {
            const [a, b] = this.chunkRange(k, d, ci, j);
            lo = Math.min(lo, a);
            hi = Math.max(hi, b);
          }
          out[ch] = [lo, hi];
        });
        return out;
      }),
    );
  }

  /** Views of the state entering chunk j (see Trace for what "entering" means per direction). */
  checkpoint(k: number, d: number, j: number): Cursor {
    const [ho, co] = this.stateWidth;
    const base = j * (ho + co);
    const cp = this.dirs[k][d].checkpoints;
    return { h: cp.subarray(base, base + ho), ...(co ? { c: cp.subarray(base + ho, base + ho + co) } : {}) };
  }

  saveCheckpoint(k: number, d: number, j: number, cur: Cursor): void {
    const dst = this.checkpoint(k, d, j);
    dst.h.set(cur.h);
    if (dst.c && cur.c) dst.c.set(cur.c);
  }

  /** A fresh running state from h0/c0 (rows layer*D + dir) or zeros. */
  initialState(k: number, d: number, opts: { h0?: Float32Array; c0?: Float32Array }): Cursor {
    const [ho, co] = this.stateWidth;
    const D = this.dirs[0].length;
    const row = k * D + d;
    const h = new Float32Array(ho);
    if (opts.h0) h.set(opts.h0.subarray(row * ho, (row + 1) * ho));
    if (!co) return { h };
    const c = new Float32Array(co);
    if (opts.c0) c.set(opts.c0.subarray(row * co, (row + 1) * co));
    return { h, c };
  }

  /** Dense layer-0 input rows [a, b). */
  denseInput(a: number, b: number): Float32Array {
    const In = this.inputSize;
    if (this.input instanceof Float32Array) return this.input.subarray(a * In, b * In);
    const out = new Float32Array((b - a) * In);
    for (let t = a; t < b; t++) out[(t - a) * In + this.input[t]] = 1;
    return out;
  }

  byteSize(): { compact: number; checkpoints: number; chunkRanges: number; input: number; weights: number; total: number } {
    let compact = 0;
    let checkpoints = 0;
    let chunkRanges = 0;
    for (const row of this.dirs) {
      for (const s of row) {
        compact += s.compact.byteLength;
        checkpoints += s.checkpoints.byteLength;
        chunkRanges += s.ranges.byteLength;
      }
    }
    const input = this.input.byteLength;
    const weights = this.weights.data.byteLength;
    return { compact, checkpoints, chunkRanges, input, weights, total: compact + checkpoints + chunkRanges + input + weights };
  }
}

function channelWidths(cell: CellSpec, H: number, Out: number): number[] {
  return channelsOf(cell).map((c) => (c === 'h' ? Out : H));
}
