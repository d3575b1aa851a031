/**
 * Which model "Visualize LSTM" (the panel and the editor's reading alike) uses. The latest action wins, as
 * with an interpreter picker: a pick in "Unroll: Choose Model…" — a file or "No model" — is remembered per
 * workspace (workspaceState) and overrides the `unroll.model` setting; changing that setting (or picking
 * "Use the unroll.model setting") goes back to following it. In restricted mode a path from WORKSPACE
 * settings is only loaded after the person confirms (a cloned repository must not make Unroll read
 * arbitrary files); a refusal holds for the session.
 */
import * as vscode from 'vscode';
import { type CellName, type Network, UnrollError } from '../engine/types';
import { loadModel, requireNetwork, type LoadedModel } from '../model/load';
import { sidecarNames, type Vocab } from '../model/sidecars';

const CHOSEN_KEY = 'unroll.chosenModel';
/** Stored under CHOSEN_KEY for "No model": the built-in/random network even when the setting names a model. */
const NO_MODEL = 'none';
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

/** Larger files are refused before reading: parsing happens in the extension host. */
export const MAX_MODEL_BYTES = 512 * 1024 * 1024;

/** Loads a model file with its sidecars through the workspace file system (works on remote hosts too). */
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
  /** Paths from workspace settings the person allowed / refused in this (untrusted) session. */
  private readonly confirmed = new Set<string>();
  private readonly declined = new Set<string>();
  /** The last load, reused while the file and its sidecars are unchanged (the editor and the panel both ask). */
  private cache: { key: string; model: LoadedModel } | undefined;
  private readonly settingWatch: vscode.Disposable;

  constructor(private readonly state: vscode.Memento) {
    // A changed setting is the latest action: follow it again instead of an older pick.
    this.settingWatch = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('unroll.model')) void this.followSetting();
    });
  }

  dispose(): void {
    this.settingWatch.dispose();
    this.changed.dispose();
  }

  /** A file to use, or undefined for "No model" (the built-in/random network, whatever the setting says). */
  async setChosen(uri: vscode.Uri | undefined): Promise<void> {
    await this.state.update(CHOSEN_KEY, uri ? uri.toString() : NO_MODEL);
    this.changed.fire(uri);
  }

  /** Forgets the pick: the `unroll.model` setting decides again. */
  async followSetting(): Promise<void> {
    await this.state.update(CHOSEN_KEY, undefined);
    this.changed.fire(undefined);
  }

  /** What the last pick was: a file, "none" (No model) or "setting" (nothing picked: the setting decides). */
  pick(): { kind: 'file'; uri: vscode.Uri } | { kind: 'none' } | { kind: 'setting' } {
    const s = this.state.get<string>(CHOSEN_KEY);
    if (s === NO_MODEL) return { kind: 'none' };
    return s ? { kind: 'file', uri: vscode.Uri.parse(s) } : { kind: 'setting' };
  }

  /** The picked file (undefined after "No model" or when following the setting). */
  chosenUri(): vscode.Uri | undefined {
    const p = this.pick();
    return p.kind === 'file' ? p.uri : undefined;
  }

  /** The `unroll.model` value as written (relative or absolute), undefined when empty. */
  settingValue(): string | undefined {
    const info = vscode.workspace.getConfiguration('unroll').inspect<string>('model');
    return (info?.workspaceFolderValue ?? info?.workspaceValue ?? info?.globalValue) || undefined;
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
    const p = this.pick();
    const uri = p.kind === 'file' ? p.uri : p.kind === 'none' ? undefined : await this.fromSettings();
    if (!uri) return undefined;
    const cell = this.cellFor(uri);
    const key = await this.cacheKey(uri, cell);
    if (key && this.cache?.key === key) return { uri, model: this.cache.model };
    const model = await loadModelFromUri(uri, cell);
    this.cache = key ? { key, model } : undefined;
    return { uri, model };
  }

  /** The file's and its sidecars' size and mtime (a missing file has no key: it is loaded, and fails, afresh). */
  private async cacheKey(uri: vscode.Uri, cell: CellName | undefined): Promise<string | undefined> {
    const names = sidecarNames(uri.path);
    const parts = [uri.toString(), cell ?? ''];
    for (const p of [uri.path, names.spec, names.vocab]) {
      try {
        const st = await vscode.workspace.fs.stat(uri.with({ path: p }));
        parts.push(`${st.size}@${st.mtime}`);
      } catch {
        if (p === uri.path) return undefined;
        parts.push('-');
      }
    }
    return parts.join('|');
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
      // Asked once per session: the editor and the panel both resolve the model for one Visualize.
      if (this.declined.has(uri.toString())) return undefined;
      const load = vscode.l10n.t('Load the model');
      const answer = await vscode.window.showWarningMessage(
        vscode.l10n.t('This workspace is in Restricted Mode and its settings point Unroll at the model {0}. Load it?', value),
        { modal: true },
        load,
      );
      if (answer !== load) {
        this.declined.add(uri.toString());
        return undefined;
      }
      this.confirmed.add(uri.toString());
    }
    return uri;
  }
}
