/**
 * The model view (read-only custom editor for .onnx / .safetensors), "Unroll: Choose Model…", and the
 * "Visualize with this model" action. Returns the ModelChoice the visualizer reads its model from.
 */
import * as crypto from 'crypto';
import * as vscode from 'vscode';
import { UnrollError, type CellName } from '../engine/types';
import { summarizeModel } from '../model/inspect';
import { goldenCheck, type GoldenReport } from '../model/golden';
import { requireNetwork, type LoadedModel } from '../model/load';
import { loadModelFromUri, ModelChoice } from './modelChoice';
import { modelViewStrings } from './strings';
import { localizeError, localizeMessage } from '../panel/localize';
import { buildModelViewHtml, isModelViewMessage } from './summaryHtml';

export const MODEL_VIEW_TYPE = 'unroll.modelView';

export interface ModelViewApi {
  modelChoice: ModelChoice;
}

const baseName = (uri: vscode.Uri) => uri.path.split('/').pop() || uri.toString();
/** The first line of an error, localised for display (`logLine` keeps the output channel English). */
const errorLine = (e: unknown) => (e instanceof UnrollError ? localizeError(e) : e instanceof Error ? e.message : String(e)).split('\n')[0];
const logLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0];

/** Sample inputs for "Visualize with this model" when no text editor is open. */
function sampleText(model: LoadedModel): string {
  if (model.vocab) return 'def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n';
  const In = model.shape.inputSize;
  const rows: string[] = [];
  for (let t = 0; t < 12; t++) rows.push(Array.from({ length: In }, (_, k) => Math.sin(0.5 * t + k).toFixed(3)).join(','));
  return rows.join('\n') + '\n';
}

class ModelDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {}
}

export function registerModelView(context: vscode.ExtensionContext, output: vscode.OutputChannel): ModelViewApi {
  const choice = new ModelChoice(context.workspaceState);
  const panels = new Map<string, vscode.WebviewPanel>();
  let lastTextEditor = vscode.window.activeTextEditor;

  const render = async (uri: vscode.Uri, panel: vscode.WebviewPanel, golden?: GoldenReport) => {
    const nonce = crypto.randomBytes(16).toString('base64');
    const page = { cspSource: panel.webview.cspSource, nonce, strings: modelViewStrings(), fileName: baseName(uri) };
    try {
      const model = await loadModelFromUri(uri, choice.cellFor(uri));
      for (const w of model.warnings) output.appendLine(`[model] ${w}`);
      const summary = summarizeModel(model);
      // The loaders' sentences (ambiguities, warnings) in the display language.
      const shown = { ...summary, ambiguities: summary.ambiguities.map(localizeMessage), warnings: summary.warnings.map(localizeMessage) };
      panel.webview.html = buildModelViewHtml({ ...page, summary: shown, ...(golden ? { golden } : {}) });
    } catch (e) {
      output.appendLine(`[model] ${baseName(uri)}: ${logLine(e)}`);
      panel.webview.html = buildModelViewHtml({ ...page, error: errorLine(e) });
    }
  };

  /** Quick pick among the cells an ambiguous file fits; remembered per workspace and file. */
  const chooseCell = async (uri: vscode.Uri, model?: LoadedModel): Promise<CellName | undefined> => {
    const m = model ?? (await loadModelFromUri(uri));
    if (m.candidates.length < 2) return m.cell;
    const names = modelViewStrings().cellNames;
    const pick = await vscode.window.showQuickPick(
      m.candidates.map((c) => ({ label: names[c], description: c, cell: c })),
      { title: vscode.l10n.t('Which cell does {0} hold?', baseName(uri)), placeHolder: m.ambiguities.map(localizeMessage).join(' ') },
    );
    if (!pick) return undefined;
    await choice.setCell(uri, pick.cell);
    return pick.cell;
  };

  /** Golden check: the person picks a reference run (fixture JSON form); the report shows in the view. */
  const goldenWith = async (uri: vscode.Uri, panel: vscode.WebviewPanel) => {
    const picked = await vscode.window.showOpenDialog({ canSelectMany: false, defaultUri: uri.with({ path: uri.path.replace(/[^/]*$/, '') }), filters: { [vscode.l10n.t('Reference run (fixture JSON form)')]: ['json'] } });
    const refUri = picked?.[0];
    if (!refUri) return;
    try {
      let doc: unknown;
      try {
        doc = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(refUri)));
      } catch {
        void vscode.window.showErrorMessage(vscode.l10n.t('Unroll: the reference {0} is not valid JSON.', baseName(refUri)));
        return;
      }
      const model = await loadModelFromUri(uri, choice.cellFor(uri));
      const networks = new Map<CellName, LoadedModel>();
      for (const c of model.network ? [] : model.candidates) networks.set(c, await loadModelFromUri(uri, c));
      const report = goldenCheck(model, doc, baseName(refUri), (c) => requireNetwork(networks.get(c)!));
      output.appendLine(`[golden] ${baseName(uri)} vs ${baseName(refUri)}: ${report.passed ? 'passed' : 'FAILED'}${report.diagnosis?.likelyCause ? ` — ${report.diagnosis.likelyCause}` : ''}`);
      await render(uri, panel, report);
    } catch (e) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Unroll: {0}', errorLine(e)));
    }
  };

  const visualizeWith = async (uri: vscode.Uri) => {
    try {
      let model = await loadModelFromUri(uri, choice.cellFor(uri));
      if (!model.network) {
        if (!(await chooseCell(uri, model))) return;
        model = await loadModelFromUri(uri, choice.cellFor(uri));
      }
      await choice.setChosen(uri);
      let editor = lastTextEditor && !lastTextEditor.document.isClosed ? lastTextEditor : undefined;
      if (editor) editor = await vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn, selection: editor.selection });
      else {
        const doc = await vscode.workspace.openTextDocument({ content: sampleText(model), language: 'plaintext' });
        editor = await vscode.window.showTextDocument(doc);
        editor.selection = new vscode.Selection(doc.positionAt(0), doc.positionAt(doc.getText().length));
      }
      await vscode.commands.executeCommand('unroll.visualizeLstm');
    } catch (e) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Unroll: {0}', errorLine(e)));
    }
  };

  const chooseModel = async () => {
    const files = await vscode.workspace.findFiles('**/*.{onnx,safetensors}', '**/node_modules/**', 200);
    type Item = vscode.QuickPickItem & { uri?: vscode.Uri; action?: 'none' | 'browse' | 'setting' };
    // A pick (a file or "No model") overrides the unroll.model setting until the setting changes or the
    // person picks "Use the setting" (see ModelChoice); the items say which one is in force.
    const last = choice.pick();
    const current = last.kind === 'file' ? last.uri.toString() : undefined;
    const setting = choice.settingValue();
    const inForce = vscode.l10n.t('current choice');
    const items: Item[] = [
      ...(setting ? [{
        label: vscode.l10n.t('$(settings-gear) Use the unroll.model setting: {0}', setting),
        ...(last.kind === 'setting' ? { description: inForce } : {}),
        action: 'setting' as const,
      }] : []),
      {
        label: vscode.l10n.t('$(circle-slash) No model: the built-in or seeded random network'),
        ...(last.kind === 'none' || (last.kind === 'setting' && !setting) ? { description: inForce } : {}),
        ...(setting ? { detail: vscode.l10n.t('Also overrides the unroll.model setting in this workspace, until you choose again or change the setting.') } : {}),
        action: 'none',
      },
      { label: vscode.l10n.t('$(folder-opened) Browse…'), action: 'browse' },
      ...files.sort((a, b) => a.path.localeCompare(b.path)).map((uri) => ({
        label: baseName(uri),
        description: vscode.workspace.asRelativePath(uri),
        ...(uri.toString() === current ? { detail: inForce } : {}),
        uri,
      })),
    ];
    const pick = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Unroll: Choose Model'), matchOnDescription: true });
    if (!pick) return;
    if (pick.action === 'none') {
      await choice.setChosen(undefined);
      return;
    }
    if (pick.action === 'setting') {
      await choice.followSetting();
      return;
    }
    let uri = pick.uri;
    if (pick.action === 'browse') {
      const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { [vscode.l10n.t('Recurrent models')]: ['onnx', 'safetensors'] } });
      uri = picked?.[0];
    }
    if (!uri) return;
    try {
      const model = await loadModelFromUri(uri, choice.cellFor(uri));
      if (!model.network && !(await chooseCell(uri, model))) return;
      await choice.setChosen(uri);
      void vscode.window.showInformationMessage(vscode.l10n.t('Unroll: Visualize LSTM now uses {0}.', baseName(uri)));
    } catch (e) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Unroll: {0}', errorLine(e)));
    }
  };

  const provider: vscode.CustomReadonlyEditorProvider<ModelDocument> = {
    openCustomDocument: (uri) => new ModelDocument(uri),
    async resolveCustomEditor(document, panel) {
      const key = document.uri.toString();
      panels.set(key, panel);
      panel.webview.options = { enableScripts: true, localResourceRoots: [] };
      panel.onDidDispose(() => panels.delete(key));
      panel.webview.onDidReceiveMessage(async (msg: unknown) => {
        if (!isModelViewMessage(msg)) return;
        if (msg.type === 'visualize') await visualizeWith(document.uri);
        else if (msg.type === 'golden') await goldenWith(document.uri, panel);
        else if (await chooseCell(document.uri)) await render(document.uri, panel);
      });
      await render(document.uri, panel);
    },
  };

  context.subscriptions.push(
    choice,
    vscode.window.onDidChangeActiveTextEditor((e) => {
      if (e) lastTextEditor = e;
    }),
    vscode.window.registerCustomEditorProvider(MODEL_VIEW_TYPE, provider, { supportsMultipleEditorsPerDocument: true }),
    vscode.commands.registerCommand('unroll.chooseModel', chooseModel),
    vscode.commands.registerCommand('unroll.visualizeWithModel', (uri?: vscode.Uri) => {
      const target = uri ?? choice.chosenUri();
      if (target) return visualizeWith(target);
      return chooseModel();
    }),
    // A sidecar edited next to an open model refreshes its view.
    vscode.workspace.onDidSaveTextDocument((doc) => {
      const m = /^(.*)\.(unroll|vocab)\.json$/.exec(doc.uri.path);
      if (!m) return;
      for (const [key, panel] of panels) if (key.startsWith(doc.uri.with({ path: m[1] }).toString() + '.')) void render(vscode.Uri.parse(key), panel);
    }),
  );
  return { modelChoice: choice };
}
