/**
 * Which model "Visualize LSTM" uses: the one picked with "Unroll: Choose Model…" (remembered per workspace
 * in workspaceState), else the `unroll.model` setting. In restricted mode a path from WORKSPACE settings is
 * only loaded after the person confirms (a cloned repository must not make Unroll read arbitrary files).
 */
import * as vscode from 'vscode';
import { type CellName, type Network, UnrollError } from '../engine/types';
import { loadModel, requireNetwork, type LoadedModel } from '../model/load';
import { sidecarNames, type Vocab } from '../model/sidecars';

const CHOSEN_KEY = 'unroll.chosenModel';
const cellKey = (uri: vscode.Uri) => `unroll.modelCell:${uri.toString()}`;

export interface RunnableModel {
  uri: vscode.Uri;
  label: string;
  network: Network;
  vocab?: Vocab;
  h0?: Float32Array;
  c0?: Float32Array;
  warnings: string[];
}

export interface ChosenModel {
  uri: vscode.Uri;
  model: LoadedModel;
}

async function readIfExists(uri: vscode.Uri): Promise<Uint8Array | undefined> {
  try {
    return await vscode.workspace.fs.readFile(uri);
  } catch {
    return undefined;
  }
}

/** Loads a model file with its sidecars through the workspace file system (works on remote hosts too). */
/** Larger files are refused before reading: parsing happens in the extension host. */
export const MAX_MODEL_BYTES = 512 * 1024 * 1024;

export async function loadModelFromUri(uri: vscode.Uri, cell?: CellName): Promise<LoadedModel> {
  const { size } = await vscode.workspace.fs.stat(uri);
  if (size > MAX_MODEL_BYTES) {
    throw UnrollError.of('{0}: {1} MB is more than the {2} MB Unroll reads; a recurrent model to inspect step by step is usually far smaller', uri.path.split('/').pop() ?? '', (size / 1048576).toFixed(0), MAX_MODEL_BYTES / 1048576);
  }
  const bytes = await vscode.workspace.fs.readFile(uri);
  const names = sidecarNames(uri.path);
  const siblings = new Map<string, Uint8Array>();
  for (const p of [names.spec, names.vocab]) {
    const b = await readIfExists(uri.with({ path: p }));
    if (b) siblings.set(p, b);
  }
  return loadModel(uri.path, bytes, { readSibling: (p) => siblings.get(p) }, cell ? { cell } : {});
}

export class ModelChoice {
  private readonly changed = new vscode.EventEmitter<vscode.Uri | undefined>();
  /** Fires when the chosen model (or its cell) changes; the visualizer re-runs on it. */
  readonly onDidChange = this.changed.event;
  /** Paths from workspace settings the person allowed in this (untrusted) session. */
  private readonly confirmed = new Set<string>();

  constructor(private readonly state: vscode.Memento) {}

  dispose(): void {
    this.changed.dispose();
  }

  async setChosen(uri: vscode.Uri | undefined): Promise<void> {
    await this.state.update(CHOSEN_KEY, uri?.toString());
    this.changed.fire(uri);
  }

  chosenUri(): vscode.Uri | undefined {
    const s = this.state.get<string>(CHOSEN_KEY);
    return s ? vscode.Uri.parse(s) : undefined;
  }

  cellFor(uri: vscode.Uri): CellName | undefined {
    return this.state.get<CellName>(cellKey(uri));
  }

  async setCell(uri: vscode.Uri, cell: CellName | undefined): Promise<void> {
    await this.state.update(cellKey(uri), cell);
    this.changed.fire(uri);
  }

  /**
   * The model to visualize with, or undefined for the built-in/random one. Throws an UnrollError (one line)
   * when the chosen file cannot be read; resolves undefined when the person declines an untrusted path.
   */
  async current(): Promise<ChosenModel | undefined> {
    const uri = this.chosenUri() ?? (await this.fromSettings());
    if (!uri) return undefined;
    return { uri, model: await loadModelFromUri(uri, this.cellFor(uri)) };
  }

  /**
   * What the visualizer needs to run the chosen model: the network, its vocabulary (encode characters/tokens
   * as one-hot ids over it), and initial states fixed in an ONNX graph. undefined = no model chosen (use the
   * built-in/random one). An ambiguous file without a chosen cell is one clear UnrollError.
   */
  async runnable(): Promise<RunnableModel | undefined> {
    const chosen = await this.current();
    if (!chosen) return undefined;
    const { model } = chosen;
    return {
      uri: chosen.uri,
      label: model.label,
      network: requireNetwork(model),
      ...(model.vocab ? { vocab: model.vocab } : {}),
      ...(model.h0 ? { h0: model.h0 } : {}),
      ...(model.c0 ? { c0: model.c0 } : {}),
      warnings: model.warnings,
    };
  }

  private async fromSettings(): Promise<vscode.Uri | undefined> {
    const info = vscode.workspace.getConfiguration('unroll').inspect<string>('model');
    const fromWorkspace = info?.workspaceFolderValue ?? info?.workspaceValue;
    const value = fromWorkspace ?? info?.globalValue;
    if (!value) return undefined;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const uri = /^([a-zA-Z]:[\\/]|\/)/.test(value) || !folder ? vscode.Uri.file(value) : vscode.Uri.joinPath(folder, value);
    if (fromWorkspace !== undefined && !vscode.workspace.isTrusted && !this.confirmed.has(uri.toString())) {
      const load = vscode.l10n.t('Load the model');
      const answer = await vscode.window.showWarningMessage(
        vscode.l10n.t('This workspace is in Restricted Mode and its settings point Unroll at the model {0}. Load it?', value),
        { modal: true },
        load,
      );
      if (answer !== load) return undefined;
      this.confirmed.add(uri.toString());
    }
    return uri;
  }
}
