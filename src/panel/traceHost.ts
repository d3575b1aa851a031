/**
 * Feeds the visualizer with the engine's trace: runs the panel's sequence in the engine worker, then
 * answers the webview's window / exact-step / scan requests. Every request is answered or gets one
 * error line; answers for an outdated run are dropped.
 */
import * as vscode from 'vscode';
import { toDense, type EncodedSequence } from '../input';
import { EngineClient } from '../worker/engineClient';
import { CancelledError } from '../engine/trace';
import { UnrollError } from '../engine/types';
import type { NotableUnit, WebviewToHost } from '../protocol/messages';
import * as fs from 'fs';
import * as path from 'path';
import { loadModel, requireNetwork } from '../model/load';
import type { Network } from '../engine/types';
import { builtInModelFile, DEFAULT_RANDOM_MODEL, encodeSource, RandomModelSettings, settingsForSource, TraceSession, validateRandomModel } from './traceSession';
import { VisualizerPanel, type PanelExtension } from './visualizerPanel';
import { encodeForModel, modelVocabulary, type ChosenModelInput } from './modelInput';
import { localizeError, localizeMessage } from './localize';
import { cellNameOf } from '../model/detect';

/** The chosen model as the models feature offers it (modelChoice.runnable() / onDidChange). */
export interface ModelSource {
  runnable(): Promise<(ChosenModelInput & { h0?: Float32Array; c0?: Float32Array; warnings?: string[] }) | undefined>;
  readonly onDidChange: vscode.Event<unknown>;
}

/** Reads the random-model settings; a bad value gives one line naming the setting. */
export function readRandomModelSettings(): RandomModelSettings {
  const c = vscode.workspace.getConfiguration('unroll.randomModel');
  return validateRandomModel({
    cell: c.get('cell'), hiddenSize: c.get('hiddenSize'), numLayers: c.get('layers'), bidirectional: c.get('bidirectional'), seed: c.get('seed'),
  });
}

/**
 * x as a dense T × inputSize array in shared memory: posting it to the worker then shares it instead of
 * copying (a 100k-step one-hot input is ~39 MB; cloning it stalled the extension host for ~0.3 s).
 */
/** What a built-in model's metadata says a feature is (interpretability.best.feature), in the person's language. */
function featureWords(feature: string): string | undefined {
  switch (feature) {
    case 'bracketDepth': return vscode.l10n.t('tracks bracket depth');
    case 'insideString': return vscode.l10n.t('knows it is inside a string');
    case 'insideComment': return vscode.l10n.t('knows it is inside a comment');
    case 'insideStringOrComment': return vscode.l10n.t('knows it is inside a string or comment');
    default: return undefined;
  }
}

/**
 * The unit a built-in model's .meta.json records as meaning something (interpretability.best), for the panel to
 * offer. A missing or malformed file offers nothing.
 */
export function readNotableUnits(metaPath: string, hiddenSize: number): NotableUnit[] {
  try {
    const meta = JSON.parse(fs.readFileSync(metaPath, 'utf8')) as { interpretability?: { state?: unknown; best?: { feature?: unknown; unit?: unknown; correlation?: unknown } } };
    const best = meta.interpretability?.best;
    const channel = meta.interpretability?.state === 'h' ? 'h' : 'c';
    const words = typeof best?.feature === 'string' ? featureWords(best.feature) : undefined;
    const unit = best?.unit;
    if (!words || typeof unit !== 'number' || !Number.isInteger(unit) || unit < 0 || unit >= hiddenSize || typeof best?.correlation !== 'number') return [];
    return [{ unit, channel, label: vscode.l10n.t('Unit {0} {1} (r = {2} on held-out code)', unit, words, best.correlation.toFixed(2)) }];
  } catch {
    return [];
  }
}

export function denseShared(seq: EncodedSequence): Float32Array {
  if (typeof SharedArrayBuffer === 'undefined') return toDense(seq);
  const x = new Float32Array(new SharedArrayBuffer(seq.steps * seq.inputSize * 4));
  if (seq.values) x.set(seq.values);
  else for (let t = 0; t < seq.steps; t++) x[t * seq.inputSize + seq.ids![t]] = 1;
  return x;
}

/** The random model's seed (word embeddings depend on it), or the default when the settings are broken. */
export function readSeed(): number {
  try {
    return readRandomModelSettings().seed;
  } catch {
    return DEFAULT_RANDOM_MODEL.seed;
  }
}

export class TraceHost implements PanelExtension {
  private session: TraceSession | undefined;
  private running: AbortController | undefined;
  private runId = 0;
  private client: EngineClient | undefined;

  private readonly builtIns = new Map<string, Network | undefined>();
  /** The built-in model's interpretable unit, from its .meta.json (per network object). */
  private readonly notable = new WeakMap<Network, NotableUnit[]>();
  private models: ModelSource | undefined;
  private readonly traceReadyEmitter = new vscode.EventEmitter<TraceSession>();
  /** Fires when the open panel's trace is finished (the editor adopts it: hovers, colours, status bar). */
  readonly onDidTraceReady = this.traceReadyEmitter.event;

  constructor(private readonly workerPath: string, private readonly output: vscode.OutputChannel, private readonly modelsDir?: string) {}

  /**
   * The built-in trained model for the cell (loaded once), unless unroll.visualizer.model says "random".
   * A missing or unreadable file falls back to random weights with one line in the output channel.
   */
  private builtIn(settings: RandomModelSettings): Network | undefined {
    if (!this.modelsDir || vscode.workspace.getConfiguration('unroll.visualizer').get('model', 'builtin') !== 'builtin') return undefined;
    if (settings.numLayers !== 1 || settings.bidirectional) return undefined;
    const file = builtInModelFile(settings.cell);
    if (!file) return undefined;
    if (!this.builtIns.has(file)) {
      const full = path.join(this.modelsDir, file);
      let net: Network | undefined;
      try {
        if (fs.existsSync(full)) {
          const read = (p: string) => { const f = path.isAbsolute(p) ? p : path.join(this.modelsDir!, p); return fs.existsSync(f) ? fs.readFileSync(f) : undefined; };
          net = requireNetwork(loadModel(full, fs.readFileSync(full), { readSibling: read }));
          net = { ...net, source: `built-in ${file.replace('.safetensors', '')} (trained)` };
          const notable = readNotableUnits(full.replace(/\.safetensors$/, '.meta.json'), net.shape.hiddenSize);
          if (notable.length) this.notable.set(net, notable);
        }
      } catch (e) {
        this.output.appendLine(`[trace] built-in model ${file} not used: ${(e as Error).message}`);
      }
      this.builtIns.set(file, net);
    }
    return this.builtIns.get(file);
  }

  /**
   * Runs the model chosen with "Unroll: Choose Model…" instead of the built-in/random one, and re-runs the
   * open panel when the choice changes.
   */
  useModels(models: ModelSource): vscode.Disposable {
    this.models = models;
    return models.onDidChange(() => {
      const p = VisualizerPanel.current;
      if (p) this.onSource(p);
    });
  }

  /** The finished session of the open panel (editor features and tests read it). */
  get current(): TraceSession | undefined {
    return this.session;
  }

  onSource(panel: VisualizerPanel): void {
    this.running?.abort();
    this.session = undefined;
    const runId = ++this.runId;
    const seq = panel.seq;
    if (seq.steps === 0) return;
    void this.run(panel, runId);
  }

  private async run(panel: VisualizerPanel, runId: number): Promise<void> {
    let seq = panel.seq;
    const abort = new AbortController();
    this.running = abort;
    try {
      const chosen = await this.models?.runnable();
      if (runId !== this.runId) return;
      let settings: RandomModelSettings;
      let net: Network;
      let vocabSymbols: readonly string[] | undefined;
      if (chosen) {
        // The chosen model reads the text with its own vocabulary / input width (or says why it cannot).
        seq = encodeForModel(panel.source, chosen);
        net = { ...chosen.network, source: chosen.label };
        settings = { ...DEFAULT_RANDOM_MODEL, cell: cellNameOf(net.cell), hiddenSize: net.shape.hiddenSize, numLayers: net.shape.numLayers, bidirectional: net.shape.bidirectional };
        vocabSymbols = chosen.vocab && modelVocabulary(chosen.vocab).symbols;
        for (const w of chosen.warnings ?? []) this.output.appendLine(`[trace] ${chosen.label}: ${w}`);
        panel.replaceSequence(seq);
      } else {
        if (seq.model === 'given') {
          // A model was chosen before and encoded this text: go back to the default encoding.
          seq = encodeSource(panel.source, readSeed());
          panel.replaceSequence(seq);
        }
        settings = settingsForSource(readRandomModelSettings(), panel.source);
        net = TraceSession.network(seq, settings, this.builtIn(settings));
      }
      // One-hot inputs go as ids: the worker expands them, so the host never allocates or fills T × vocabulary floats.
      const input = seq.ids && !seq.values ? { oneHot: { ids: seq.ids, inputSize: seq.inputSize } } : { x: denseShared(seq) };
      this.client ??= new EngineClient({ workerPath: this.workerPath });
      let lastPost = 0;
      const remote = await this.client.trace({ network: net, ...input, kernel: 'wasm', ...(chosen?.h0 ? { h0: chosen.h0 } : {}), ...(chosen?.c0 ? { c0: chosen.c0 } : {}) }, {
        signal: abort.signal,
        onProgress: ({ done, total }) => {
          const now = Date.now();
          if (now - lastPost > 100) {
            lastPost = now;
            panel.post({ type: 'traceProgress', progress: total ? done / total : 0 });
          }
        },
      });
      if (runId !== this.runId) return;
      this.session = TraceSession.fromRemote(runId, seq, net, settings, remote);
      this.session.vocabSymbols = vocabSymbols;
      const notable = this.notable.get(net);
      if (notable) this.session.summary.notableUnits = notable;
      // The network that ran (the built-in model's shape, not the random-model settings), time to 0.1 ms.
      const shape = net.shape;
      this.output.appendLine(`[trace] ${seq.steps} steps, ${net.source}: ${settings.cell} H=${shape.hiddenSize}×${shape.numLayers}${shape.bidirectional ? ' bi' : ''} in ${remote.millis.toFixed(1)} ms`);
      panel.post({ type: 'traceReady', summary: this.session.summary });
      this.traceReadyEmitter.fire(this.session);
    } catch (e) {
      if (e instanceof CancelledError || runId !== this.runId) return;
      const message = e instanceof UnrollError ? e.message : `the engine failed: ${(e as Error).message}`;
      this.output.appendLine(`[trace] ${message}`);
      panel.post({ type: 'error', message: vscode.l10n.t('Unroll could not compute the network: {0}', e instanceof UnrollError ? localizeError(e) : message) });
    } finally {
      if (this.running === abort) this.running = undefined;
    }
  }

  onMessage(panel: VisualizerPanel, msg: WebviewToHost): boolean {
    const s = this.session;
    switch (msg.type) {
      case 'ready':
        // A reloaded webview lost everything: tell it the trace again.
        if (s) panel.post({ type: 'traceReady', summary: s.summary });
        return true;
      case 'requestWindow':
        if (!s || msg.runId !== s.runId) return true;
        this.answer(panel, () => s.window(msg));
        return true;
      case 'requestExactStep':
        if (!s || msg.runId !== s.runId) return true;
        s.exactStep(msg).then((m) => panel.post(m), (e) => this.fail(panel, e));
        return true;
      case 'scan':
        if (!s || msg.runId !== s.runId) {
          panel.post({ type: 'scanResult', id: msg.id, error: vscode.l10n.t('The network is still being computed; try again in a moment.') });
          return true;
        }
        s.scan(msg, { layer: panel.layer, dir: panel.direction }, undefined, () => this.session !== s).then((m) => {
          // A condition's error (made in the pure expression code) in the display language.
          if (m) panel.post(m.error ? { ...m, error: localizeMessage(m.error) } : m);
        }, (e) => this.fail(panel, e));
        return true;
      default:
        return false;
    }
  }

  onDispose(): void {
    this.running?.abort();
    this.session = undefined;
    this.runId++;
  }

  dispose(): void {
    this.onDispose();
    this.traceReadyEmitter.dispose();
    void this.client?.dispose();
  }

  private answer(panel: VisualizerPanel, fn: () => Parameters<VisualizerPanel['post']>[0]): void {
    try {
      panel.post(fn());
    } catch (e) {
      this.fail(panel, e);
    }
  }

  private fail(panel: VisualizerPanel, e: unknown): void {
    const message = e instanceof UnrollError ? e.message : String((e as Error)?.message ?? e);
    this.output.appendLine(`[trace] request failed: ${message}`);
    panel.post({ type: 'error', message: e instanceof UnrollError ? localizeError(e) : message });
  }
}
