/**
 * Editor features: Visualize GRU / RNN, Choose Reading, hovers, Colour Text by Unit / Clear Colours,
 * Show Step, Re-run, the status bar item. Runs started by "Visualize LSTM" (the panel's command) are
 * picked up through the panel's extension hook, so hovers work for every run.
 */
import * as vscode from 'vscode';
import type { Channel } from '../engine/trace';
import { CancelledError } from '../engine/trace';
import { UnrollError, type CellName } from '../engine/types';
import { defaultCharVocabulary } from '../input';
import { readRandomModelSettings, TraceHost, type ModelSource } from '../panel/traceHost';
import { sourceFromEditor } from '../panel/register';
import { VisualizerPanel, type PanelExtension } from '../panel/visualizerPanel';
import { EngineClient } from '../worker/engineClient';
import { UnitColouring } from './decorations';
import { UnrollHoverProvider } from './hover';
import { EditorRuns, type EditorRun } from './runs';
import { CELL_LABELS, cellForFamily, readSettings } from './settings';
import { StepStatus } from './statusBar';
import { localizeError } from '../panel/localize';
import { CurrentToken } from './currentToken';
import { unitSeries } from './stepData';
import { announceReading, prepareSelection, selectionIsEmpty, traceSequence } from './visualize';

/** What integration tests read (returned from activate()). */
export interface EditorApi {
  /** The run of a document, or undefined. */
  editorRun(uri: string): { id: number; steps: number; stale: boolean; readingId: string; description: string; cellLabel: string; start: number; end: number } | undefined;
  /** Resolves with the run id once the document has a run newer than `afterId` (rejects after timeoutMs). */
  waitForEditorRun(uri: string, afterId?: number, timeoutMs?: number): Promise<number>;
  hoverTimings(): { ms: number; cached: boolean }[];
  /** Ranges coloured in the last update of that document (undefined: not coloured). */
  colouredRanges(uri: string): number | undefined;
  flushColours(): void;
  statusText(): string | undefined;
  /** The document range marked as the current step's token (undefined when none). */
  currentTokenRange(): { uri: string; start: number; end: number } | undefined;
}

/** Steps above which the trace runs with a cancellable progress notification. */
const PROGRESS_STEPS = 50_000;

type Family = 'lstm' | 'gru' | 'rnn';
const rank = (c: string) => (c === 'h' ? 0 : c === 'c' ? 1 : 2);
const familyOf = (cell: CellName): Family => (cell.startsWith('gru') ? 'gru' : cell.startsWith('rnn') ? 'rnn' : 'lstm');

/** `models`: the chosen model (the one the visualizer runs), so readings are planned for it. */
export function registerEditor(context: vscode.ExtensionContext, output: vscode.OutputChannel, models?: ModelSource): EditorApi {
  const runs = new EditorRuns();
  const scheme = () => readSettings().colorScheme;
  const hover = new UnrollHoverProvider(runs, scheme);
  const colouring = new UnitColouring(runs, scheme);
  const stepStatus = new StepStatus();
  const currentToken = new CurrentToken(runs);
  // One current step: the status bar item and the token marked in the editor move together.
  const status = {
    update(run: EditorRun | undefined, step: number): void {
      stepStatus.update(run, step);
      currentToken.update(run, step);
    },
  };
  let client: EngineClient | undefined;
  const getClient = () => (client ??= new EngineClient({ workerPath: vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.js').fsPath }));
  let panelStep = 0;

  const addRun = async (uri: string, seq: EditorRun['seq'], cell: CellName | undefined, readingId: string): Promise<EditorRun | undefined> => {
    const big = seq.steps > PROGRESS_STEPS;
    const work = async (signal?: AbortSignal, progress?: (f: number) => void) => {
      const traced = await traceSequence(seq, cell, getClient, signal, progress);
      const cellName = cell ?? readRandomModelSettings().cell;
      const run = runs.add({ uri, seq, trace: traced.trace, cellName, cellLabel: CELL_LABELS[cellName], modelLabel: traced.modelLabel, readingId });
      hover.prefill(run);
      return run;
    };
    try {
      if (!big) return await work();
      return await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Unroll: running {0} steps', seq.steps.toLocaleString('en-US')), cancellable: true },
        (progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          let last = 0;
          return work(abort.signal, (f) => {
            progress.report({ increment: (f - last) * 100 });
            last = f;
          });
        },
      );
    } catch (e) {
      if (e instanceof CancelledError) return undefined;
      const message = e instanceof UnrollError ? e.message : String((e as Error)?.message ?? e);
      output.appendLine(`[editor] run failed: ${message}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('Unroll could not compute the network: {0}', e instanceof UnrollError ? localizeError(e) : message));
      return undefined;
    }
  };

  /**
   * The visualizer's own finished run, adopted for the editor: one run shown by the panel, the hovers,
   * the colours and the status bar alike (no second trace, the same model whatever the panel chose).
   * Falls back to tracing here only when the panel's trace host is not installed.
   */
  let adoptedRunId = -1;
  const traceHost = () => VisualizerPanel.extensions.find((e): e is TraceHost => e instanceof TraceHost);
  const adoptSession = (panel: VisualizerPanel): boolean => {
    const session = traceHost()?.current;
    const uri = panel.source.uri;
    if (!session || !uri || session.runId === adoptedRunId || session.seq.steps === 0) return false;
    adoptedRunId = session.runId;
    const cellName = session.summary.cellName as CellName;
    const m = session.summary;
    const untrained = /random/i.test(m.modelSource) ? vscode.l10n.t(', untrained') : '';
    const run = runs.add({
      uri,
      seq: session.seq,
      trace: session.trace,
      cellName,
      cellLabel: CELL_LABELS[cellName] ?? cellName,
      modelLabel: `${m.modelSource}${untrained} · H=${m.hiddenSize}${m.numLayers > 1 ? `×${m.numLayers}` : ''}`,
      // The built-in character vocabulary is the decoder's when it has 97 outputs (the char models).
      vocab: session.vocabSymbols ? [...session.vocabSymbols] : session.network.decoder?.vocabSize === 97 ? defaultCharVocabulary().symbols : undefined,
      readingId: panel.source.reading ?? 'chars',
    });
    hover.prefill(run);
    status.update(run, panel.step);
    return true;
  };

  const visualize = async (family: Family | undefined, opts: { forcePick?: boolean; readingId?: string; runAll?: boolean } = {}) => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Unroll: open a file and select the text to visualize.'));
      return;
    }
    // Nothing to read: the panel opens empty and explains what to select (no error toast to dismiss).
    if (selectionIsEmpty(editor)) {
      VisualizerPanel.show(context.extensionUri, output, sourceFromEditor(editor));
      return;
    }
    const prepared = await prepareSelection(editor, opts, models);
    if (!prepared) return;
    const configured = readRandomModelSettings().cell;
    const cell = cellForFamily(family ?? familyOf(configured), configured);
    // The panel shows the same text; `cell` and `reading` tell it which network and reading (see report).
    // The panel reads exactly the characters the reading covers: after "Run All" that is everything up to
    // the hard cap, after "Truncate" only the kept steps.
    const { seq } = prepared;
    const rangeStart = editor.selection.isEmpty ? editor.document.lineAt(editor.selection.active.line).range.start : editor.selection.start;
    const covered = seq.offsets[seq.steps - 1] + seq.lengths[seq.steps - 1] - editor.document.offsetAt(rangeStart);
    const source = Object.assign(sourceFromEditor(editor, covered), { cell, reading: prepared.reading.id });
    panelStep = 0;
    VisualizerPanel.show(context.extensionUri, output, source, prepared.seq);
    if (!traceHost()) {
      const run = await addRun(prepared.uri, prepared.seq, cell, prepared.reading.id);
      if (!run) return;
      status.update(run, 0);
    }
    output.appendLine(`[editor] ${prepared.modelLabel ?? CELL_LABELS[cell]}: ${prepared.seq.description} — ${prepared.plan.why}${prepared.notes.length ? ' — ' + prepared.notes.join(' ') : ''}`);
    announceReading(prepared, () => void visualize(family, { forcePick: true }),
      () => void visualize(family, { readingId: prepared.reading.id, runAll: true }));
  };

  // The trace host says when the panel's trace is ready (also when the webview is hidden and asks for nothing).
  const host = traceHost();
  if (host) {
    context.subscriptions.push(host.onDidTraceReady(() => {
      const panel = VisualizerPanel.current;
      if (panel) adoptSession(panel);
    }));
  }

  const panelHook: PanelExtension = {
    onSource(panel) {
      panelStep = panel.step;
      // Without the panel's trace host (never in this extension, but keep editor features alive), trace here.
      if (!traceHost() && panel.source.uri && panel.seq.steps > 0) {
        void addRun(panel.source.uri, panel.seq, undefined, panel.source.reading ?? 'chars').then((run) => run && status.update(run, panelStep));
      }
    },
    onMessage(panel, msg) {
      // The webview asks for windows right after the trace host posted "traceReady": adopt that run.
      adoptSession(panel);
      if (msg.type === 'stepChanged') {
        panelStep = msg.step;
        status.update(runs.latest, panelStep);
      }
      return false; // observe only
    },
    onDispose() {
      status.update(undefined, 0);
    },
  };
  VisualizerPanel.extensions.push(panelHook);

  const runForCommand = (): EditorRun | undefined => {
    const active = vscode.window.activeTextEditor;
    return (active && runs.get(active.document.uri.toString())) ?? runs.latest;
  };

  /**
   * args.unit / args.channel skip the quick picks (hover links, the webview). With args.ifShown the call
   * only moves an existing colouring to another unit: the webview sends it when the person selects a
   * unit, and that must not start colouring the text by itself.
   */
  /** What a channel is, in the words the panel uses (its g row is "C̃", not a "gate g"). */
  const channelDescription = (c: Channel): string => {
    switch (c) {
      case 'c': return vscode.l10n.t('cell state C_t');
      case 'h': return vscode.l10n.t('hidden state h_t');
      case 'm': return vscode.l10n.t('hidden state before the projection');
      case 'i': return vscode.l10n.t('input gate i_t');
      case 'f': return vscode.l10n.t('forget gate f_t');
      case 'o': return vscode.l10n.t('output gate o_t');
      case 'g': return vscode.l10n.t('candidate cell state C̃_t');
      case 'r': return vscode.l10n.t('reset gate r_t');
      case 'z': return vscode.l10n.t('update gate z_t');
      case 'n': return vscode.l10n.t('candidate state n_t');
    }
  };

  const colourByUnit = async (args?: { unit?: number; channel?: string; ifShown?: boolean }) => {
    if (args?.ifShown && !colouring.current) return;
    const run = runForCommand();
    if (!run) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Unroll: visualize a selection first (Unroll: Visualize LSTM, GRU or RNN).'));
      return;
    }
    const meta = run.trace.meta;
    let channel = (args?.channel ?? '') as Channel;
    if (args?.ifShown) {
      // Following the webview's selection: no questions, no opened editors; a unit this run lacks is ignored.
      const width = channel === 'h' ? meta.outputSize : meta.shape.hiddenSize;
      if (!meta.channels.includes(channel) || args.unit === undefined || args.unit >= width) return;
    }
    if (!meta.channels.includes(channel)) {
      // States first (what Karpathy-style colouring shows best), then the gates.
      const order = [...meta.channels].sort((a, b) => rank(a) - rank(b));
      const pick = await vscode.window.showQuickPick(
        order.map((c) => ({ label: c, description: channelDescription(c) })),
        // A panel that takes focus late (the visualizer beside the editor) must not close the pick.
        { placeHolder: vscode.l10n.t('Colour the text by which state or gate?'), ignoreFocusOut: true },
      );
      if (!pick) return;
      channel = pick.label as Channel;
    }
    let unit = args?.unit;
    if (unit === undefined) {
      // Most active units first (mean |value| over the first steps), so the interesting ones are on top.
      const T = Math.min(run.seq.steps, 20_000);
      const width = channel === 'h' ? meta.outputSize : meta.shape.hiddenSize;
      const items = Array.from({ length: width }, (_, u) => {
        const s = unitSeries(run.trace, channel, u, 0, T);
        let m = 0;
        for (const v of s) m += Math.abs(v);
        return { label: `${channel}[${u}]`, description: vscode.l10n.t('mean |value| {0}', (m / T).toFixed(3)), unit: u, m };
      }).sort((a, b) => b.m - a.m);
      const pick = await vscode.window.showQuickPick(items, { placeHolder: vscode.l10n.t('Colour the text by which unit?'), ignoreFocusOut: true });
      if (!pick) return;
      unit = pick.unit;
    }
    try {
      if (!vscode.window.visibleTextEditors.some((e) => e.document.uri.toString() === run.uri)) {
        await vscode.window.showTextDocument(vscode.Uri.parse(run.uri), { preserveFocus: true });
      }
      colouring.show(run, channel, unit);
    } catch (e) {
      void vscode.window.showErrorMessage(`Unroll: ${(e as Error).message}`);
    }
  };

  context.subscriptions.push(
    runs,
    colouring,
    stepStatus,
    currentToken,
    { dispose: () => void client?.dispose() },
    { dispose: () => VisualizerPanel.extensions.splice(VisualizerPanel.extensions.indexOf(panelHook), 1) },
    vscode.languages.registerHoverProvider('*', hover),
    runs.onDidChange((run) => {
      if (run === runs.latest || run === undefined) status.update(runs.latest, panelStep);
    }),
    // Internal (not contributed): the editor's reading pipeline for any family, so "Visualize LSTM" can
    // delegate here and read number lists and CSV blocks the same way as Visualize GRU / RNN.
    vscode.commands.registerCommand('unroll.editor.visualize', (args?: { family?: Family }) =>
      visualize(args?.family === 'gru' || args?.family === 'rnn' || args?.family === 'lstm' ? args.family : 'lstm')),
    vscode.commands.registerCommand('unroll.visualizeGru', () => visualize('gru')),
    vscode.commands.registerCommand('unroll.visualizeRnn', () => visualize('rnn')),
    vscode.commands.registerCommand('unroll.chooseReading', () => visualize(undefined, { forcePick: true })),
    vscode.commands.registerCommand('unroll.colourTextByUnit', (args?: { unit?: number; channel?: string; ifShown?: boolean }) => colourByUnit(args)),
    vscode.commands.registerCommand('unroll.clearColours', () => colouring.clear()),
    vscode.commands.registerCommand('unroll.showStep', (args?: { step?: number }) => {
      const step = args?.step;
      const panel = VisualizerPanel.current;
      if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) return;
      if (!panel) {
        void vscode.window.showInformationMessage(vscode.l10n.t('The visualizer is closed; run Unroll: Visualize LSTM, GRU or RNN to open it.'));
        return;
      }
      panel.post({ type: 'setStep', step });
      panel.panel.reveal(undefined, true);
      panelStep = step;
      status.update(runForCommand(), step);
    }),
    vscode.commands.registerCommand('unroll.rerun', async () => {
      const run = runForCommand();
      if (!run) return;
      const editor = await vscode.window.showTextDocument(vscode.Uri.parse(run.uri));
      const doc = editor.document;
      editor.selection = new vscode.Selection(doc.positionAt(run.tracker.currentStart), doc.positionAt(run.tracker.currentEnd));
      await visualize(familyOf(run.cellName), { readingId: run.readingId });
    }),
    vscode.commands.registerCommand('unroll.revealVisualizer', () => {
      if (VisualizerPanel.current) VisualizerPanel.current.panel.reveal(undefined, false);
      else void vscode.window.showInformationMessage(vscode.l10n.t('The visualizer is closed; run Unroll: Visualize LSTM, GRU or RNN to open it.'));
    }),
  );

  return {
    editorRun(uri) {
      const r = runs.get(uri);
      return r && { id: r.id, steps: r.seq.steps, stale: r.tracker.stale, readingId: r.readingId, description: r.seq.description, cellLabel: r.cellLabel, start: r.tracker.currentStart, end: r.tracker.currentEnd };
    },
    waitForEditorRun(uri, afterId = 0, timeoutMs = 10_000) {
      const have = runs.get(uri);
      if (have && have.id > afterId) return Promise.resolve(have.id);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          sub.dispose();
          reject(new Error(`no Unroll run for ${uri} within ${timeoutMs} ms`));
        }, timeoutMs);
        const sub = runs.onDidChange((r) => {
          if (r && r.uri === uri && r.id > afterId) {
            clearTimeout(timer);
            sub.dispose();
            resolve(r.id);
          }
        });
      });
    },
    hoverTimings: () => [...hover.timings],
    colouredRanges: (uri) => colouring.applied.get(uri),
    flushColours: () => colouring.flush(),
    statusText: () => (stepStatus.item.text ? stepStatus.item.text : undefined),
    currentTokenRange: () => currentToken.current(),
  };
}
