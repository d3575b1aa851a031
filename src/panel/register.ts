/** Registers "Unroll: Visualize LSTM", the panel serializer, and returns the test API. */
import * as vscode from 'vscode';
import { MAX_SEQUENCE_CHARS, parsePersistedState, RenderReport, SequenceSource } from '../protocol/messages';
import { capToReading } from './sequence';
import { VIEW_TYPE, VisualizerPanel, webviewOptions } from './visualizerPanel';
import { TraceHost, type ModelSource } from './traceHost';
import type { TraceSummary } from '../protocol/messages';
import { registerNumbersSetting } from './numbersSetting';

export interface VisualizerApi {
  /** Asks the open webview what it rendered; undefined when no panel is open. */
  getPanelState(timeoutMs?: number): Promise<RenderReport | undefined>;
  /** True once the open panel's webview completed the handshake. */
  isPanelReady(): boolean;
  /** Summary of the open panel's finished trace (undefined while computing). */
  getTraceSummary(): TraceSummary | undefined;
  /** Moves the visualizer to a step (as the editor or debugger would), optionally to a layer, direction and gate. */
  setStep(step: number, where?: { layer?: number; direction?: number; gate?: string }): void;
  /** Connects "Unroll: Choose Model…": the panel runs the chosen model and re-runs when it changes. */
  useModels(models: ModelSource): void;
}

/**
 * Reads the selection (or the current line) of an editor into a sequence source, at most `maxChars`
 * characters (the editor passes what its reading covers, e.g. everything after "Run All").
 */
export function sourceFromEditor(editor: vscode.TextEditor, maxChars = MAX_SEQUENCE_CHARS): SequenceSource {
  const doc = editor.document;
  const name = doc.uri.path.split('/').pop() || doc.uri.toString();
  let range: vscode.Range = editor.selection;
  let fromCurrentLine = false;
  if (editor.selection.isEmpty) {
    range = doc.lineAt(editor.selection.active.line).range;
    fromCurrentLine = true;
  }
  // Only the first MAX characters are read into the message; getText of a 5 MB range is a single copy.
  const capped = capToReading(doc.getText(range), maxChars);
  const label = fromCurrentLine
    ? vscode.l10n.t('{0} line {1}', name, range.start.line + 1)
    : `${name}:${range.start.line + 1}:${range.start.character + 1}–${range.end.line + 1}:${range.end.character + 1}`;
  return {
    text: capped.text, label, fromCurrentLine, originalLength: capped.originalLength,
    uri: doc.uri.toString(), startOffset: doc.offsetAt(range.start),
  };
}

/**
 * A restored panel whose text was too long to keep in webview state reads it again from the document
 * (the same characters at the same offset). If the document is gone or shorter, the panel opens empty and
 * the output channel says why.
 */
async function rereadSource(source: SequenceSource, output: vscode.OutputChannel): Promise<void> {
  const length = source.textLength!;
  delete source.textLength;
  try {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(source.uri!));
    const start = source.startOffset!;
    const text = doc.getText(new vscode.Range(doc.positionAt(start), doc.positionAt(start + length)));
    if (text.length === length) source.text = text;
    else output.appendLine(`[restore] ${source.label}: the document is shorter now; select the text again`);
  } catch (e) {
    output.appendLine(`[restore] ${source.label}: cannot read ${source.uri} again (${(e as Error).message})`);
  }
}

export function registerVisualizer(context: vscode.ExtensionContext, output: vscode.OutputChannel): VisualizerApi {
  const { extensionUri } = context;
  const traceHost = new TraceHost(vscode.Uri.joinPath(extensionUri, 'dist', 'worker.js').fsPath, output, vscode.Uri.joinPath(extensionUri, 'media', 'models').fsPath);
  VisualizerPanel.extensions.push(traceHost);
  registerNumbersSetting(context);
  context.subscriptions.push(
    { dispose: () => traceHost.dispose() },
    // Through the editor's reading planner like Visualize GRU / RNN: numbers, CSV and arrays are read as such.
    vscode.commands.registerCommand('unroll.visualizeLstm', () => vscode.commands.executeCommand('unroll.editor.visualize', { family: 'lstm' })),
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        const persisted = parsePersistedState(state);
        const source: SequenceSource = persisted.source ?? { text: '', label: '', fromCurrentLine: false, originalLength: 0 };
        if (source.textLength !== undefined) await rereadSource(source, output);
        output.appendLine(`[restore] ${source.label || '(empty)'} at step ${persisted.view?.step ?? 0}`);
        panel.webview.options = webviewOptions(extensionUri);
        VisualizerPanel.adopt(panel, extensionUri, output, source, persisted.view);
      },
    }),
  );
  return {
    async getPanelState(timeoutMs?: number) {
      const p = VisualizerPanel.current;
      return p ? p.requestRenderReport(timeoutMs) : undefined;
    },
    isPanelReady: () => VisualizerPanel.current?.isReady ?? false,
    getTraceSummary: () => traceHost.current?.summary,
    setStep: (step: number, where?: { layer?: number; direction?: number; gate?: string }) => VisualizerPanel.current?.post({ type: 'setStep', step, ...where }),
    useModels: (models: ModelSource) => { context.subscriptions.push(traceHost.useModels(models)); },
  };
}
