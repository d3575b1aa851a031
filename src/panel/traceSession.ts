/**
 * One visualized run: the encoded selection, the network, the engine's Trace, and the answers to the
 * webview's data requests (8-bit windows, exact steps, condition scans). Pure (no `vscode`), so the
 * whole data path is unit-tested in Node; the panel only forwards messages.
 */
import { CancelledError, runNetwork, type ExactStep, type Trace } from '../engine/trace';
import { type CellName, type CellSpec, type Network, UnrollError, gateNames } from '../engine/types';
import { randomNetwork } from '../model/random';
import { defaultCharVocabulary, encodeChars, planReadings, toDense, tokenText, type EncodedSequence } from '../input';
import { traceSource } from '../expr';
import type { RemoteTrace } from '../worker/engineClient';
import { runScan, setImmediateYield, type ScanOutcome, type ScanSpec } from '../expr/scanJob';
import type {
  ChannelWindow, ExactStepMessage, ExactStepRequest, ScanRequest, ScanResultMessage, SequenceSource, TraceSummary,
  WindowMessage, WindowRequest,
} from '../protocol/messages';

/** The seeded random network used until a trained default model or the person's own model is chosen. */
export interface RandomModelSettings {
  cell: CellName;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
  seed: number;
}

export const DEFAULT_RANDOM_MODEL: RandomModelSettings = { cell: 'lstm', hiddenSize: 16, numLayers: 1, bidirectional: false, seed: 42 };

/** Cell names the visualizer offers for the random model (projected LSTM needs a size too, so it is left out). */
export const VISUALIZER_CELLS: readonly CellName[] = ['lstm', 'lstm_peephole', 'lstm_cifg', 'lstm_cifg_peephole', 'gru', 'gru_cho', 'rnn_tanh', 'rnn_relu'];

export function cellSpecFor(name: CellName): CellSpec {
  const base: CellSpec = { family: 'lstm', nonlinearity: 'tanh', peephole: false, coupling: 'none', resetAfter: true, projSize: 0 };
  switch (name) {
    case 'lstm': return base;
    case 'lstm_proj': return { ...base, projSize: 4 };
    case 'lstm_peephole': return { ...base, peephole: true };
    case 'lstm_cifg': return { ...base, coupling: 'keep-forget' };
    case 'lstm_cifg_peephole': return { ...base, coupling: 'keep-forget', peephole: true };
    case 'gru': return { ...base, family: 'gru' };
    case 'gru_cho': return { ...base, family: 'gru', resetAfter: false };
    case 'rnn_tanh': return { ...base, family: 'rnn' };
    case 'rnn_relu': return { ...base, family: 'rnn', nonlinearity: 'relu' };
  }
}

/** File of the built-in trained character model for a cell (media/models), if the cell has one. */
export function builtInModelFile(cell: CellName): string | undefined {
  return cell === 'lstm' ? 'char_lstm.safetensors' : cell === 'gru' ? 'char_gru.safetensors' : cell === 'rnn_tanh' ? 'char_rnn.safetensors' : undefined;
}

/** Checks settings read from the user's configuration; returns one actionable line on error. */
export function validateRandomModel(s: Partial<RandomModelSettings>): RandomModelSettings {
  const out = { ...DEFAULT_RANDOM_MODEL, ...s };
  if (!VISUALIZER_CELLS.includes(out.cell)) throw new UnrollError(`unroll.randomModel.cell must be one of ${VISUALIZER_CELLS.join(', ')} (got ${JSON.stringify(out.cell)})`);
  if (!Number.isInteger(out.hiddenSize) || out.hiddenSize < 1 || out.hiddenSize > 1024) throw new UnrollError(`unroll.randomModel.hiddenSize must be an integer 1…1024 (got ${out.hiddenSize})`);
  if (!Number.isInteger(out.numLayers) || out.numLayers < 1 || out.numLayers > 8) throw new UnrollError(`unroll.randomModel.layers must be an integer 1…8 (got ${out.numLayers})`);
  if (!Number.isInteger(out.seed) || out.seed < 0 || out.seed > 0xffffffff) throw new UnrollError(`unroll.randomModel.seed must be an integer 0…4294967295 (got ${out.seed})`);
  return out;
}

/** Width of hashed word embeddings for the random network (the editor's readings use the same). */
export const HASHED_WORD_DIM = 32;

/**
 * Encodes the visualized text: characters over the built-in character vocabulary, or the reading the
 * editor chose (words, numbers, CSV). A reading that no longer fits falls back to characters. Numbers are
 * standardised per column for the random network unless `standardize` (default: unroll.numbers.standardize) is false.
 */
export function encodeSource(source: SequenceSource, seed = DEFAULT_RANDOM_MODEL.seed, standardize?: boolean): EncodedSequence {
  const opts = { baseOffset: source.startOffset ?? 0 };
  if (source.reading && source.reading !== 'chars' && source.text.length) {
    try {
      const plan = planReadings(source.text, { kind: 'default', charVocab: defaultCharVocabulary(), hashedDim: HASHED_WORD_DIM, seed, standardize }, opts);
      const r = [plan.obvious, ...plan.fitting].find((x) => x.id === source.reading);
      if (r) return r.encode();
    } catch (e) {
      if (!(e instanceof UnrollError)) throw e;
    }
  }
  return encodeChars(source.text, defaultCharVocabulary(), opts);
}

/** The settings with the cell a source asks for (Visualize GRU / RNN), when it is one the visualizer offers. */
export function settingsForSource(settings: RandomModelSettings, source: SequenceSource): RandomModelSettings {
  const cell = source.cell as CellName | undefined;
  return cell && VISUALIZER_CELLS.includes(cell) ? { ...settings, cell } : settings;
}

/** The text of every step (what the webview labels cells with). */
export function sequenceTokens(seq: EncodedSequence): string[] {
  const out = new Array<string>(seq.steps);
  for (let t = 0; t < seq.steps; t++) out[t] = tokenText(seq, t);
  return out;
}

/** Where exact values come from: the worker (async) or a local Trace (tests, CLI). */
export type ExactSource = (t: number) => Promise<ExactStep> | ExactStep;

export class TraceSession {
  /** The chosen model's vocabulary (hovers decode its predictions with it); undefined for built-in/random. */
  vocabSymbols: readonly string[] | undefined;

  private constructor(
    readonly runId: number,
    readonly seq: EncodedSequence,
    readonly network: Network,
    /** A Trace whose window() reads the compact store (shared with the worker when one ran it). */
    readonly trace: Trace,
    readonly summary: TraceSummary,
    /** The dense input for local scans (undefined: read from the trace's store). */
    private readonly x: Float32Array | undefined,
    private readonly exact: ExactSource,
    /** A trace kept by the engine worker: exact values and scans are asked of it. */
    private readonly remote?: RemoteTrace,
  ) {}

  /**
   * The network the visualizer runs: the built-in trained character model when one is given and it reads
   * this sequence (characters over its 97 symbols), else seeded random weights sized to the input.
   */
  static network(seq: EncodedSequence, settings: RandomModelSettings, builtIn?: Network): Network {
    if (seq.steps === 0) throw new UnrollError('nothing to run: the sequence is empty');
    if (builtIn && seq.encoding === 'chars' && builtIn.shape.inputSize === seq.inputSize) return builtIn;
    const cell = cellSpecFor(settings.cell);
    return randomNetwork(cell, { inputSize: seq.inputSize, hiddenSize: settings.hiddenSize, numLayers: settings.numLayers, bidirectional: settings.bidirectional }, settings.seed);
  }

  /**
   * Wraps a trace the engine worker ran: windows read the shared store here; exact steps and scans are
   * computed in the worker, so this session holds no dense input.
   */
  static fromRemote(runId: number, seq: EncodedSequence, net: Network, settings: RandomModelSettings, remote: RemoteTrace): TraceSession {
    return TraceSession.fromTrace(runId, seq, net, settings, remote.local, undefined, remote.millis, (t) => remote.exactStep(t), remote);
  }

  /** Wraps a finished trace (from runLocal, or from the worker via fromRemote). */
  static fromTrace(runId: number, seq: EncodedSequence, net: Network, settings: RandomModelSettings, trace: Trace, x: Float32Array | undefined, elapsedMs: number, exact?: ExactSource, remote?: RemoteTrace): TraceSession {
    const m = trace.meta;
    const cell = net.cell;
    const summary: TraceSummary = {
      runId, steps: m.steps, cellName: settings.cell, family: cell.family, peephole: cell.peephole, coupling: cell.coupling,
      resetAfter: cell.resetAfter, hiddenSize: m.shape.hiddenSize, outputSize: m.outputSize, numLayers: m.shape.numLayers,
      numDirections: m.numDirections, channels: [...m.channels], modelSource: m.source, encoding: seq.description, elapsedMs,
    };
    return new TraceSession(runId, seq, net, trace, summary, x, exact ?? ((t) => trace.exactStep(t)), remote);
  }

  /** Runs the engine in this thread (tests and small inputs). */
  static runLocal(runId: number, seq: EncodedSequence, settings: RandomModelSettings): TraceSession {
    const net = TraceSession.network(seq, settings);
    const x = toDense(seq);
    const t0 = Date.now();
    const trace = runNetwork(net, x);
    return TraceSession.fromTrace(runId, seq, net, settings, trace, x, Date.now() - t0);
  }

  /** 8-bit codes of every channel for steps [start, start+count) (clipped to the trace). */
  window(req: WindowRequest): WindowMessage {
    this.checkLayerDir(req.layer, req.direction);
    const start = Math.min(req.start, this.trace.steps);
    const end = Math.min(this.trace.steps, start + req.count);
    const channels: ChannelWindow[] = this.trace.meta.channels.map((name) => {
      const w = this.trace.window(req.layer, req.direction, name, start, end);
      return { name, width: w.width, lo: w.lo, hi: w.hi, data: w.data };
    });
    return { type: 'window', id: req.id, runId: this.runId, layer: req.layer, direction: req.direction, start, count: end - start, channels };
  }

  /** Exact float32 values of one step for one layer and direction, by the names the diagram uses. */
  async exactStep(req: ExactStepRequest): Promise<ExactStepMessage> {
    this.checkLayerDir(req.layer, req.direction);
    if (req.step >= this.trace.steps) throw new UnrollError(`step ${req.step} is outside the ${this.trace.steps} steps`);
    const all = (await this.exact(req.step)).layers[req.layer];
    const d = req.direction === 0 ? all.forward : all.reverse!;
    const values: Record<string, Float32Array> = { h: d.h, h_prev: d.hPrev };
    for (const g of gateNames(this.network.cell.family)) if (d.gates[g]) values[g] = d.gates[g]!;
    if (d.c) values.c = d.c;
    if (d.cPrev) values.c_prev = d.cPrev;
    if (d.m) values.m = d.m;
    return { type: 'exactStep', id: req.id, runId: this.runId, layer: req.layer, direction: req.direction, step: req.step, values };
  }

  /**
   * Steps where a breakpoint condition holds, or the expression's error with a caret under the offending
   * character (worker/scanJob.ts: most steps are decided from the 8-bit store, only undecided chunks are
   * recomputed, in ~20 ms slices). A worker-backed session scans in the worker, so the extension host only
   * waits; a local one (tests, CLI) runs the same scan here, yielding with `yieldFn` between slices.
   * Undefined when the scan went stale (`isStale`, checked between slices and, in the worker's case, every
   * 50 ms — which also stops the worker's scan).
   */
  async scan(req: ScanRequest, scope: { layer: number; dir: number } = { layer: 0, dir: 0 }, yieldFn: () => Promise<void> = setImmediateYield, isStale: () => boolean = () => false): Promise<ScanResultMessage | undefined> {
    const spec: ScanSpec = {
      expression: req.expression, layer: scope.layer, dir: scope.dir === 1 ? 1 : 0,
      ...(req.hitCondition ? { hitCondition: req.hitCondition } : {}), ...(req.logMessage ? { logMessage: req.logMessage } : {}),
    };
    const outcome = this.remote
      ? await this.scanInWorker(this.remote, spec, isStale)
      : await runScan(() => traceSource(this.trace, { x: this.x, tokenAt: (t) => tokenText(this.seq, t) }), spec, { yieldFn, isStale });
    if (!outcome) return undefined;
    if ('error' in outcome) return { type: 'scanResult', id: req.id, error: outcome.error };
    return { type: 'scanResult', id: req.id, hits: outcome.hits, ...(outcome.logs ? { logs: outcome.logs } : {}) };
  }

  private async scanInWorker(remote: RemoteTrace, spec: ScanSpec, isStale: () => boolean): Promise<ScanOutcome | undefined> {
    const stop = new AbortController();
    const watch = setInterval(() => isStale() && stop.abort(), 50);
    try {
      const seq = this.seq;
      const outcome = await remote.scan(spec, () => ({ source: seq.source, baseOffset: seq.baseOffset, offsets: seq.offsets, lengths: seq.lengths }), stop.signal);
      return isStale() ? undefined : outcome;
    } catch (e) {
      if (e instanceof CancelledError) return undefined;
      if (e instanceof UnrollError) return { error: e.message };
      throw e;
    } finally {
      clearInterval(watch);
    }
  }

  private checkLayerDir(layer: number, dir: number): void {
    const m = this.trace.meta;
    if (layer >= m.shape.numLayers) throw new UnrollError(`layer ${layer} does not exist (the network has ${m.shape.numLayers})`);
    if (dir >= m.numDirections) throw new UnrollError(`direction ${dir} does not exist (the network has ${m.numDirections})`);
  }
}
