/**
 * VS Code glue for the `unroll` debugger: the inline adapter factory, the launch configuration provider,
 * "Unroll: Debug Selection", hovers over the sequence file during a session, and the visualizer following
 * the debugger. Everything else lives in the pure runtime and the DAP session.
 */
import * as vscode from 'vscode';
import { runNetwork } from '../engine/trace';
import { gateCount, layerInputSize, numDirections, outputSize, type Network } from '../engine/types';
import { builtInModelFile } from '../panel/traceSession';
import { translate } from '../panel/localize';
import { VisualizerPanel } from '../panel/visualizerPanel';
import { EngineClient } from '../worker/engineClient';
import type { TraceRunner } from './program';
import type { UnrollRuntime } from './runtime';
import { UnrollDebugSession } from './session';

/** What the debugger needs from the visualizer: move it to a step. */
export interface StepFollower {
  setStep(step: number, where?: { layer?: number; direction?: number; gate?: string }): void;
}

/** The panel shows the same steps as the debug session (same file, same first token, same count). */
function sameSteps(panel: VisualizerPanel | undefined, rt: UnrollRuntime | undefined): boolean {
  if (!panel || !rt || !panel.seq || panel.seq.steps !== rt.steps || panel.seq.offsets[0] !== rt.program.seq.offsets[0]) return false;
  const uri = panel.source.uri;
  if (!uri) return false;
  const parsed = vscode.Uri.parse(uri);
  return (parsed.scheme === 'file' ? parsed.fsPath : uri) === rt.program.path;
}

/** Runs costing fewer multiply-adds than this are traced in the host; larger ones in the engine worker. */
const LOCAL_RUN_BUDGET = 4_000_000;

function multiplyAddsPerStep(net: Network): number {
  const { cell, shape } = net;
  let cost = 0;
  for (let k = 0; k < shape.numLayers; k++) cost += gateCount(cell.family) * shape.hiddenSize * (layerInputSize(cell, shape, k) + outputSize(cell, shape));
  return cost * numDirections(shape);
}

/**
 * "builtin" (the default) means what Visualize uses: the trained character model shipped for the cell
 * (LSTM, GRU, tanh RNN) when the steps are characters of a one-layer network; otherwise the seeded random one.
 */
function resolveBuiltInModel(config: vscode.DebugConfiguration, extensionUri: vscode.Uri): void {
  if (config.model !== undefined && config.model !== 'builtin') return;
  const file = builtInModelFile(config.cell ?? 'lstm');
  const charSteps = (config.encoding ?? 'chars') === 'chars';
  const plain = (config.numLayers ?? 1) === 1 && !config.bidirectional && config.hiddenSize === undefined && config.seed === undefined;
  if (file && charSteps && plain) {
    config.model = vscode.Uri.joinPath(extensionUri, 'media', 'models', file).fsPath;
    config.modelLabel = `built-in ${file.replace('.safetensors', '')} (trained)`;
  } else {
    config.model = 'random';
  }
}

/** Steps recently sent to the panel: its echo ("stepChanged") must not drag the debugger back. */
const ECHO_MS = 1500;

const INITIAL_CONFIGURATION: vscode.DebugConfiguration = {
  type: 'unroll',
  request: 'launch',
  name: 'Unroll: step through the current file',
  program: '${file}',
  model: 'builtin',
  cell: 'lstm',
  encoding: 'chars',
  stopOnEntry: true,
};

export function registerDebugger(context: vscode.ExtensionContext, output: vscode.OutputChannel, visualizer?: StepFollower): void {
  const sessions = new Map<string, UnrollDebugSession>();
  const sentToPanel = new Map<number, number>();
  // The inline adapter lives in the extension host: big traces run in the engine worker, never blocking it.
  let client: EngineClient | undefined;
  const run: TraceRunner = async (network, x) => {
    if ((x.length / network.shape.inputSize) * multiplyAddsPerStep(network) <= LOCAL_RUN_BUDGET) return runNetwork(network, x);
    client ??= new EngineClient({ workerPath: vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.js').fsPath });
    return (await client.trace({ network, x })).local;
  };
  context.subscriptions.push({ dispose: () => void client?.dispose() });

  context.subscriptions.push(
    vscode.debug.registerDebugAdapterDescriptorFactory('unroll', {
      createDebugAdapterDescriptor(session) {
        const adapter = new UnrollDebugSession(undefined, run, translate);
        adapter.onDidStop = (step, where) => {
          // The visualizer follows only when it shows the same sequence (else its steps mean other tokens).
          const panel = VisualizerPanel.current;
          if (!sameSteps(panel, adapter.runtime)) return;
          // Stepping into a layer or a gate selects it in the panel too.
          if (where) {
            visualizer?.setStep(step, where);
            if (panel?.step !== step) sentToPanel.set(step, Date.now());
            return;
          }
          // Already there (the stop came from the panel's own timeline): nothing to send, no echo to expect.
          if (panel?.step === step) return;
          sentToPanel.set(step, Date.now());
          visualizer?.setStep(step);
        };
        sessions.set(session.id, adapter);
        return new vscode.DebugAdapterInlineImplementation(adapter);
      },
    }),
    vscode.debug.onDidTerminateDebugSession((s) => sessions.delete(s.id)),
    vscode.debug.registerDebugConfigurationProvider('unroll', {
      provideDebugConfigurations: () => [INITIAL_CONFIGURATION],
      resolveDebugConfiguration(_folder, config) {
        // F5 without a launch.json: debug the active file from step 0.
        if (!config.type && !config.request && !config.name) {
          const editor = vscode.window.activeTextEditor;
          if (editor) Object.assign(config, { ...INITIAL_CONFIGURATION, program: editor.document.uri.fsPath });
        }
        resolveBuiltInModel(config, context.extensionUri);
        if (!config.program) {
          void vscode.window.showInformationMessage(vscode.l10n.t('Unroll: set "program" to the sequence file to step through.'));
          return undefined;
        }
        return config;
      },
    }),
    vscode.commands.registerCommand('unroll.debugSelection', async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor) {
        void vscode.window.showErrorMessage(vscode.l10n.t('Unroll: open a file and select the sequence to debug.'));
        return;
      }
      const doc = editor.document;
      const range = editor.selection.isEmpty ? doc.lineAt(editor.selection.active.line).range : editor.selection;
      const text = doc.getText(range);
      if (text.length === 0) {
        void vscode.window.showErrorMessage(vscode.l10n.t('Unroll: the selection is empty.'));
        return;
      }
      output.appendLine(`[debug] ${doc.uri.path.split('/').pop()}: ${text.length} characters from line ${range.start.line + 1}`);
      await vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(doc.uri), {
        type: 'unroll',
        request: 'launch',
        name: vscode.l10n.t('Unroll: Debug Selection'),
        program: doc.uri.scheme === 'file' ? doc.uri.fsPath : doc.uri.toString(),
        text,
        startOffset: doc.offsetAt(range.start),
        documentText: doc.getText(),
        stopOnEntry: true,
      });
    }),
    // Hovering a token of the sequence file shows that step's state (the session answers "@step N").
    vscode.languages.registerEvaluatableExpressionProvider('*', {
      provideEvaluatableExpression(doc, position) {
        const session = vscode.debug.activeDebugSession;
        const rt = session?.type === 'unroll' ? sessions.get(session.id)?.runtime : undefined;
        if (!rt) return undefined;
        const docPath = doc.uri.scheme === 'file' ? doc.uri.fsPath : doc.uri.toString();
        if (docPath !== rt.program.path) return undefined;
        const t = rt.stepAtOffset(doc.offsetAt(position));
        if (t < 0) return undefined;
        const start = doc.positionAt(rt.program.seq.offsets[t]);
        const end = doc.positionAt(rt.program.seq.offsets[t] + Math.max(1, rt.program.seq.lengths[t]));
        return new vscode.EvaluatableExpression(new vscode.Range(start, end), `@step ${t}`);
      },
    }),
  );
  // The debugger follows the visualizer's timeline (the panel's published extension hook).
  VisualizerPanel.extensions.push({
    onMessage(panel, msg) {
      if (msg.type !== 'stepChanged') return false;
      const s = vscode.debug.activeDebugSession;
      const rt = s?.type === 'unroll' ? sessions.get(s.id)?.runtime : undefined;
      // An echo of a step the debugger sent is consumed once; a later move to the same step is the person's.
      const sent = sentToPanel.get(msg.step);
      if (sent !== undefined) {
        sentToPanel.delete(msg.step);
        if (Date.now() - sent < ECHO_MS) return false;
      }
      if (s && rt && sameSteps(panel, rt) && rt.position.t !== msg.step) void s.customRequest('unroll/goto', { step: msg.step });
      return false; // observe only
    },
  });
}
