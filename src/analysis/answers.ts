/**
 * Answers to the analysis views' requests, from a finished run. Pure (no `vscode`): the host's
 * AnalysisHost forwards messages here, tests call it directly on a Trace.
 * - Heatmaps, unit statistics and unit series read the 8-bit store (`trace.window`), block by block.
 * - Exports and predictions need exact values: they come from `exactStep` (the engine worker in the
 *   extension), one step at a time and asynchronously, so the extension host never blocks.
 */
import type { Channel, TraceMeta, TraceWindow } from '../engine/trace';
import { decodeLogits } from '../engine/network';
import type { Decoder } from '../engine/types';
import { UnrollError } from '../engine/types';
import { binRows } from './aggregate';
import { bracketDepth, CorrelationAccumulator } from './labels';
import type {
  ExportTensorRequest, HeatmapMessage, HeatmapRequest, PredictionsMessage, PredictionsRequest, UnitSeriesMessage, UnitSeriesRequest,
  UnitStatsMessage, UnitStatsRequest,
} from './messages';
import { writeCsv, writeNpy } from './npy';
import { topPredictions, tokenLoss } from './predictions';
import { mostSaturatedSteps, UnitStatsAccumulator, type UnitStats } from './stats';

/** Steps read per window when scanning a whole channel (bounds the temporary copy). */
const SCAN_BLOCK = 4096;

export interface AnalysisSource {
  runId: number;
  trace: { meta: TraceMeta; window(layer: number, dir: number, channel: Channel, t0: number, t1: number): TraceWindow };
  /** Exact float32 values of one step of one layer/direction, by channel name ('i', 'c', 'h', …). */
  exactStep(layer: number, dir: number, step: number): Promise<Record<string, Float32Array>>;
  /** Text of step t's token (CSV rows, prediction labels). */
  tokenAt(t: number): string;
  /** Decoder models: vocabulary symbols and the one-hot id of each step's token. */
  decoder?: Decoder;
  symbols?: readonly string[];
  ids?: Int32Array;
}

export class AnalysisAnswers {
  private readonly stats = new Map<string, UnitStats>();
  private lossStrip: Promise<Float32Array> | undefined;
  private lossSent = false;
  private depth: Float64Array | undefined;

  constructor(readonly src: AnalysisSource) {}

  private channel(layer: number, dir: number, name: string): Channel {
    const m = this.src.trace.meta;
    if (layer >= m.shape.numLayers) throw new UnrollError(`layer ${layer} does not exist (the network has ${m.shape.numLayers})`);
    if (dir >= m.numDirections) throw new UnrollError(`direction ${dir} does not exist (the network has ${m.numDirections})`);
    if (!(m.channels as string[]).includes(name)) throw new UnrollError(`'${name}' is not recorded for this ${m.cell.family.toUpperCase()}; available: ${m.channels.join(', ')}`);
    return name as Channel;
  }

  heatmap(req: HeatmapRequest): HeatmapMessage {
    const ch = this.channel(req.layer, req.direction, req.channel);
    const T = this.src.trace.meta.steps;
    const start = Math.min(req.start, T - 1);
    const count = Math.max(1, Math.min(req.count, T - start));
    const bins = Math.min(req.bins, count);
    const w = this.src.trace.window(req.layer, req.direction, ch, start, start + count);
    const { min, max, mean } = binRows(w.data, count, w.width, bins);
    return {
      type: 'heatmap', id: req.id, runId: this.src.runId, layer: req.layer, direction: req.direction, channel: req.channel,
      start, count, bins, width: w.width, lo: w.lo, hi: w.hi, min, max, mean,
    };
  }

  /** Statistics of every unit of a channel over all steps (cached per layer/direction/channel). */
  unitStatsOf(layer: number, dir: number, name: string): UnitStats {
    const ch = this.channel(layer, dir, name);
    const key = `${layer}/${dir}/${ch}`;
    const hit = this.stats.get(key);
    if (hit) return hit;
    const T = this.src.trace.meta.steps;
    let acc: UnitStatsAccumulator | undefined;
    let corr: CorrelationAccumulator | undefined;
    this.depth ??= bracketDepth(Array.from({ length: T }, (_, t) => this.src.tokenAt(t)));
    for (let t = 0; t < T; t += SCAN_BLOCK) {
      const w = this.src.trace.window(layer, dir, ch, t, Math.min(T, t + SCAN_BLOCK));
      acc ??= new UnitStatsAccumulator(w.width, w.lo, w.hi);
      corr ??= new CorrelationAccumulator(w.width);
      acc.add(w.data, w.t1 - w.t0);
      corr.add(w.data, w.t1 - w.t0, this.depth, t);
    }
    const s: UnitStats = { ...acc!.result(), bracket: corr!.result() };
    this.stats.set(key, s);
    return s;
  }

  unitStats(req: UnitStatsRequest): UnitStatsMessage {
    const s = this.unitStatsOf(req.layer, req.direction, req.channel);
    return {
      type: 'unitStats', id: req.id, runId: this.src.runId, layer: req.layer, direction: req.direction, channel: req.channel,
      steps: s.steps, mean: s.mean, variance: s.variance, low: s.low, high: s.high, bracket: s.bracket!,
    };
  }

  unitSeries(req: UnitSeriesRequest): UnitSeriesMessage {
    const ch = this.channel(req.layer, req.direction, req.channel);
    const T = this.src.trace.meta.steps;
    const codes = new Uint8Array(T);
    let lo = 0;
    let hi = 0;
    const sat: number[] = [];
    const sigmoid = ch === 'i' || ch === 'f' || ch === 'o' || ch === 'r' || ch === 'z';
    for (let t = 0; t < T; t += SCAN_BLOCK) {
      const w = this.src.trace.window(req.layer, req.direction, ch, t, Math.min(T, t + SCAN_BLOCK));
      if (req.unit >= w.width) throw new UnrollError(`unit ${req.unit} does not exist ('${ch}' has ${w.width} units)`);
      for (let r = 0; r < w.t1 - w.t0; r++) codes[t + r] = w.data[r * w.width + req.unit];
      [lo, hi] = [w.lo, w.hi];
      if (sigmoid) sat.push(...mostSaturatedSteps(w.data, w.width, req.unit, t, 64));
    }
    // Merge the per-block lists: most extreme first over the whole run.
    sat.sort((a, b) => Math.abs(codes[b] - 127.5) - Math.abs(codes[a] - 127.5) || a - b);
    return {
      type: 'unitSeries', id: req.id, runId: this.src.runId, layer: req.layer, direction: req.direction, channel: req.channel,
      unit: req.unit, lo, hi, codes, saturatedSteps: sat.slice(0, 64),
    };
  }

  /** Exact values of one channel at every step, steps × width (float32, from exactStep). */
  async exactChannel(layer: number, dir: number, name: string, onProgress?: (done: number, total: number) => void, isCancelled?: () => boolean): Promise<{ values: Float32Array; steps: number; width: number }> {
    const ch = this.channel(layer, dir, name);
    const T = this.src.trace.meta.steps;
    let values: Float32Array | undefined;
    let width = 0;
    for (let t = 0; t < T; t++) {
      if (isCancelled?.()) throw new UnrollError('the export was cancelled');
      const row = (await this.src.exactStep(layer, dir, t))[ch];
      if (!row) throw new UnrollError(`no exact values of '${ch}' at step ${t}`);
      if (!values) {
        width = row.length;
        values = new Float32Array(T * width);
      }
      values.set(row, t * width);
      if (onProgress && (t % 256 === 255 || t === T - 1)) onProgress(t + 1, T);
    }
    return { values: values!, steps: T, width };
  }

  /** File bytes of an export, and a suggested file name such as `layer0-forward-c.npy`. */
  async exportTensor(req: ExportTensorRequest, onProgress?: (done: number, total: number) => void, isCancelled?: () => boolean): Promise<{ name: string; bytes: Uint8Array; steps: number; width: number }> {
    const { values, steps, width } = await this.exactChannel(req.layer, req.direction, req.channel, onProgress, isCancelled);
    const name = `layer${req.layer}-${req.direction === 0 ? 'forward' : 'reverse'}-${req.channel}.${req.format}`;
    if (req.format === 'npy') return { name, bytes: writeNpy(values, [steps, width]), steps, width };
    const tokens = Array.from({ length: steps }, (_, t) => this.src.tokenAt(t));
    return { name, bytes: new TextEncoder().encode(writeCsv(values, steps, width, { tokens, unitPrefix: `${req.channel}` })), steps, width };
  }

  /** Exact logits of a step: decoder applied to the last layer's [forward h | reverse h]. */
  async logits(step: number): Promise<Float32Array> {
    const dec = this.src.decoder;
    const m = this.src.trace.meta;
    if (!dec) throw new UnrollError('this model has no decoder, so it makes no predictions');
    const last = m.shape.numLayers - 1;
    const y = new Float32Array(m.numDirections * m.outputSize);
    for (let d = 0; d < m.numDirections; d++) y.set((await this.src.exactStep(last, d, step)).h, d * m.outputSize);
    const out = new Float32Array(dec.vocabSize);
    decodeLogits(dec, y, 0, y.length, out);
    return out;
  }

  private symbol(id: number): string {
    return this.src.symbols?.[id] ?? `#${id}`;
  }

  async predictions(req: PredictionsRequest, yieldFn: () => Promise<void> = () => Promise.resolve()): Promise<PredictionsMessage> {
    const T = this.src.trace.meta.steps;
    if (req.step >= T) throw new UnrollError(`step ${req.step} is outside the ${T} steps`);
    if (!this.src.decoder) return { type: 'predictions', id: req.id, runId: this.src.runId, step: req.step, top: [], unavailable: 'no decoder' };
    const logits = await this.logits(req.step);
    const msg: PredictionsMessage = {
      type: 'predictions', id: req.id, runId: this.src.runId, step: req.step,
      top: topPredictions(logits, req.k).map((p) => ({ token: this.symbol(p.id), prob: p.prob })),
    };
    const ids = this.src.ids;
    if (ids && req.step + 1 < T) {
      const next = ids[req.step + 1];
      const loss = tokenLoss(logits, next);
      msg.actual = { token: this.symbol(next), prob: Math.exp(-loss), loss };
    }
    if (!this.lossSent && ids) {
      // One computation per run, shared by requests that arrive while it runs (playback asks every step).
      this.lossSent = true;
      this.lossStrip ??= this.computeLossStrip(yieldFn);
      msg.lossStrip = await this.lossStrip;
    }
    return msg;
  }

  /** A reloaded webview lost the strip: send it again with the next answer. */
  resendLossStrip(): void {
    this.lossSent = false;
  }

  private async computeLossStrip(yieldFn: () => Promise<void>): Promise<Float32Array> {
    const T = this.src.trace.meta.steps;
    const ids = this.src.ids!;
    const strip = new Float32Array(T).fill(NaN);
    for (let t = 0; t + 1 < T; t++) {
      strip[t] = tokenLoss(await this.logits(t), ids[t + 1]);
      if (t % 256 === 255) await yieldFn();
    }
    return strip;
  }
}
