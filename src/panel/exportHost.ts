/**
 * Host side of the analysis views: answers heatmap / unit-statistics / unit-series / prediction requests
 * from the open run (via AnalysisAnswers), and saves exports — a channel's exact values as CSV or NPY,
 * a view as PNG or SVG — through a save dialog. Every request gets an answer or one error line.
 */
import * as vscode from 'vscode';
import { AnalysisAnswers, type AnalysisSource } from '../analysis/answers';
import { UnrollError } from '../engine/types';
import { defaultCharVocabulary, tokenText } from '../input';
import type { ExportDoneMessage, WebviewToHost } from '../protocol/messages';
import { localizeError } from './localize';
import { TraceHost } from './traceHost';
import type { TraceSession } from './traceSession';
import { type PanelExtension, VisualizerPanel } from './visualizerPanel';

/** The analysis source of a finished run: exact values come from the engine worker, one step at a time. */
export function analysisSource(s: TraceSession): AnalysisSource {
  const dec = s.network.decoder;
  const chars = defaultCharVocabulary().symbols;
  return {
    runId: s.runId,
    trace: s.trace,
    exactStep: async (layer, dir, step) => (await s.exactStep({ type: 'requestExactStep', id: 0, runId: s.runId, layer, direction: dir, step })).values,
    tokenAt: (t) => tokenText(s.seq, t),
    ...(dec ? { decoder: dec, ids: s.seq.ids, symbols: dec.vocabSize === chars.length ? chars : undefined } : {}),
  };
}

export class AnalysisHost implements PanelExtension {
  private answers: AnalysisAnswers | undefined;
  private session: TraceSession | undefined;

  constructor(private readonly traces: TraceHost, private readonly output: vscode.OutputChannel) {}

  /** Answers for the open run (rebuilt when a new run replaces it). */
  private current(runId: number): AnalysisAnswers | undefined {
    const s = this.traces.current;
    if (!s || s.runId !== runId) return undefined;
    if (this.session !== s) {
      this.session = s;
      this.answers = new AnalysisAnswers(analysisSource(s));
    }
    return this.answers;
  }

  onMessage(panel: VisualizerPanel, msg: WebviewToHost): boolean {
    switch (msg.type) {
      case 'ready':
        this.answers?.resendLossStrip();
        return false;
      case 'requestHeatmap':
      case 'requestUnitStats':
      case 'requestUnitSeries': {
        const a = this.current(msg.runId);
        if (!a) return true; // an answer for an old run would be dropped anyway
        try {
          panel.post(msg.type === 'requestHeatmap' ? a.heatmap(msg) : msg.type === 'requestUnitStats' ? a.unitStats(msg) : a.unitSeries(msg));
        } catch (e) {
          this.fail(panel, e);
        }
        return true;
      }
      case 'requestPredictions': {
        const a = this.current(msg.runId);
        if (!a) return true;
        a.predictions(msg, () => new Promise((r) => setImmediate(r))).then((m) => panel.post(m), (e) => this.fail(panel, e));
        return true;
      }
      case 'exportTensor':
        void this.exportTensor(panel, msg);
        return true;
      case 'saveImage':
        void this.saveImage(panel, msg);
        return true;
      default:
        return false;
    }
  }

  private async exportTensor(panel: VisualizerPanel, msg: Extract<WebviewToHost, { type: 'exportTensor' }>): Promise<void> {
    const a = this.current(msg.runId);
    if (!a) return this.done(panel, msg.id, false, vscode.l10n.t('The network is still being computed; try again in a moment.'));
    const name = `layer${msg.layer}-${msg.direction === 0 ? 'forward' : 'reverse'}-${msg.channel}.${msg.format}`;
    const uri = await this.pick(name, msg.format === 'csv' ? { CSV: ['csv'] } : { NumPy: ['npy'] });
    if (!uri) return this.done(panel, msg.id, false, vscode.l10n.t('Export cancelled.'));
    try {
      const out = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Exporting {0}', name), cancellable: true },
        (progress, token) => {
          let last = 0;
          return a.exportTensor(msg, (done, total) => {
            const pct = (done / total) * 100;
            progress.report({ increment: pct - last });
            last = pct;
          }, () => token.isCancellationRequested || this.traces.current !== this.session);
        },
      );
      await vscode.workspace.fs.writeFile(uri, out.bytes);
      this.output.appendLine(`[export] ${out.steps} × ${out.width} exact values of ${name} → ${uri.fsPath || uri.toString()}`);
      this.done(panel, msg.id, true, vscode.l10n.t('Saved {0} ({1} steps × {2} units).', uri.fsPath || uri.toString(), out.steps, out.width));
    } catch (e) {
      this.done(panel, msg.id, false, e instanceof UnrollError ? localizeError(e) : vscode.l10n.t('Could not save {0}: {1}', uri.fsPath || uri.toString(), String((e as Error)?.message ?? e)));
    }
  }

  private async saveImage(panel: VisualizerPanel, msg: Extract<WebviewToHost, { type: 'saveImage' }>): Promise<void> {
    const uri = await this.pick(msg.name, msg.format === 'png' ? { PNG: ['png'] } : { SVG: ['svg'] });
    if (!uri) return this.done(panel, msg.id, false, vscode.l10n.t('Export cancelled.'));
    try {
      const bytes = msg.format === 'png' ? Buffer.from(msg.data, 'base64') : Buffer.from(msg.data, 'utf8');
      await vscode.workspace.fs.writeFile(uri, bytes);
      this.done(panel, msg.id, true, vscode.l10n.t('Saved {0}.', uri.fsPath || uri.toString()));
    } catch (e) {
      this.done(panel, msg.id, false, vscode.l10n.t('Could not save {0}: {1}', uri.fsPath || uri.toString(), String((e as Error)?.message ?? e)));
    }
  }

  /** Tests set this to skip the dialog; otherwise the save dialog starts in the first workspace folder. */
  static pickTarget: ((name: string) => Promise<vscode.Uri | undefined>) | undefined;

  private pick(name: string, filters: Record<string, string[]>): Promise<vscode.Uri | undefined> {
    if (AnalysisHost.pickTarget) return AnalysisHost.pickTarget(name);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    return Promise.resolve(vscode.window.showSaveDialog({ ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}), filters }));
  }

  private done(panel: VisualizerPanel, id: number, ok: boolean, message: string): void {
    const m: ExportDoneMessage = { type: 'exportDone', id, ok, message };
    if (!ok) this.output.appendLine(`[export] ${message}`);
    panel.post(m);
  }

  private fail(panel: VisualizerPanel, e: unknown): void {
    const message = e instanceof UnrollError ? e.message : String((e as Error)?.message ?? e);
    this.output.appendLine(`[analysis] request failed: ${message}`);
    panel.post({ type: 'error', message: e instanceof UnrollError ? localizeError(e) : message });
  }
}

/** Plugs the analysis answers into the visualizer panel; call after registerVisualizer. */
export function registerAnalysis(context: vscode.ExtensionContext, output: vscode.OutputChannel): void {
  const traces = VisualizerPanel.extensions.find((e): e is TraceHost => e instanceof TraceHost);
  if (!traces) throw new Error('registerAnalysis must run after registerVisualizer');
  const host = new AnalysisHost(traces, output);
  VisualizerPanel.extensions.push(host);
  context.subscriptions.push({ dispose: () => { const i = VisualizerPanel.extensions.indexOf(host); if (i >= 0) VisualizerPanel.extensions.splice(i, 1); } });
}
