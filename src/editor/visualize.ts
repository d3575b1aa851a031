/**
 * From the person's selection to an editor run: which reading (and a quick pick of the others), the
 * token limit question, then the trace the hovers and colours read. The reading is planned against the
 * model the panel will run: the one chosen with "Unroll: Choose Model…" (or the unroll.model setting),
 * read through the same ModelSource the trace host uses, else the built-in/seeded network.
 */
import * as vscode from 'vscode';
import type { CellName, Network } from '../engine/types';
import { runNetwork, CancelledError } from '../engine/trace';
import { UnrollError } from '../engine/types';
import { localizeError, localizeMessage } from '../panel/localize';
import {
  decideLimit, defaultCharVocabulary, planReadings, resolveSelection, toDense, truncateSequence, HARD_CAP_TOKENS,
  type EncodedSequence, type InputTarget, type Reading, type ReadingPlan,
} from '../input';
import { HASHED_WORD_DIM, TraceSession } from '../panel/traceSession';
import { readRandomModelSettings, readSeed, type ModelSource } from '../panel/traceHost';
import { modelTarget } from '../panel/modelInput';
import { sidecarNames } from '../model/sidecars';
import { EngineClient } from '../worker/engineClient';
import { stepCost, type TraceView } from './stepData';
import { CELL_LABELS, readSettings, type EncodingSetting } from './settings';

/** Runs costing fewer multiply-adds than this are traced in the host; larger ones in the worker. */
const LOCAL_RUN_BUDGET = 4_000_000;

export interface PreparedSelection {
  uri: string;
  seq: EncodedSequence;
  reading: Reading;
  plan: ReadingPlan;
  /** The chosen model's label when the reading was planned for it (undefined: the built-in/random network). */
  modelLabel?: string;
  /** One-line facts to tell the person (current line used, truncation, unknown characters). */
  notes: string[];
  /** Set when the selection had more steps than unroll.tokenLimit and only the first `limit` are shown. */
  overLimit?: { steps: number; limit: number };
}

export function defaultTarget(seed: number): InputTarget {
  return { kind: 'default', charVocab: defaultCharVocabulary(), hashedDim: HASHED_WORD_DIM, seed };
}

function matchesSetting(r: Reading, enc: EncodingSetting): boolean {
  return enc === 'auto' || r.id === enc || (enc === 'csv' && r.id.startsWith('csv'));
}

async function pickReading(plan: ReadingPlan, placeholder: string): Promise<Reading | undefined> {
  const items = plan.fitting.map((r) => ({ label: localizeMessage(r.label), description: r === plan.obvious ? vscode.l10n.t('obvious reading') : '', detail: localizeMessage(r.detail), reading: r }));
  const pick = await vscode.window.showQuickPick(items, { placeHolder: placeholder, ignoreFocusOut: true });
  return pick?.reading;
}

/** True when the selection (or, without one, the current line) holds no text at all. */
export function selectionIsEmpty(editor: vscode.TextEditor): boolean {
  const doc = editor.document;
  return resolveSelection(doc.getText(), doc.offsetAt(editor.selection.start), doc.offsetAt(editor.selection.end), doc.offsetAt(editor.selection.active)).text.length === 0;
}

/**
 * Reads the editor's selection (or the current line) into a sequence for the model that will run (see
 * `models`), asking only when it must. Returns undefined when the person cancelled, there was nothing to
 * read, or the chosen model cannot be loaded (after saying why).
 */
export async function prepareSelection(editor: vscode.TextEditor, opts: { forcePick?: boolean; readingId?: string; runAll?: boolean } = {}, models?: ModelSource): Promise<PreparedSelection | undefined> {
  const doc = editor.document;
  const settings = readSettings();
  const sel = resolveSelection(doc.getText(), doc.offsetAt(editor.selection.start), doc.offsetAt(editor.selection.end), doc.offsetAt(editor.selection.active));
  const notes: string[] = [];
  if (sel.usedCurrentLine) notes.push(vscode.l10n.t('No selection: using line {0}.', doc.positionAt(sel.baseOffset).line + 1));
  if (sel.text.length === 0) {
    void vscode.window.showErrorMessage(sel.usedCurrentLine
      ? vscode.l10n.t('Unroll: the current line is empty. Select some text, numbers or CSV rows first.')
      : vscode.l10n.t('Unroll: the selection is empty.'));
    return undefined;
  }
  // The same choice the trace host runs (modelInput.encodeForModel re-plans with this target and reading id).
  let chosen: Awaited<ReturnType<ModelSource['runnable']>>;
  try {
    chosen = await models?.runnable();
  } catch (e) {
    // A missing file is a FileSystemError, a bad one an UnrollError: either way one line, no panel.
    void vscode.window.showErrorMessage(vscode.l10n.t('Unroll: the chosen model cannot be used: {0} (Unroll: Choose Model… picks another or "No model").',
      e instanceof UnrollError ? localizeError(e) : String((e as Error)?.message ?? e).split('\n')[0]));
    return undefined;
  }
  const modelLabel = chosen?.label;
  let plan: ReadingPlan;
  try {
    const target = chosen ? modelTarget(chosen) : defaultTarget(readSeed());
    plan = planReadings(sel.text, target, { baseOffset: sel.baseOffset, maxTokens: HARD_CAP_TOKENS });
  } catch (e) {
    if (!(e instanceof UnrollError)) throw e;
    void vscode.window.showErrorMessage(`Unroll: ${localizeError(e)}`);
    return undefined;
  }
  let reading: Reading | undefined;
  if (opts.readingId) reading = plan.fitting.find((r) => r.id === opts.readingId);
  if (!reading && opts.forcePick) reading = await pickReading(plan, vscode.l10n.t('How should Unroll read the selection?'));
  else if (!reading) {
    const wanted = plan.fitting.filter((r) => matchesSetting(r, settings.encoding));
    if (plan.problem || wanted.length === 0) {
      const message = plan.problem !== undefined ? localizeMessage(plan.problem) : vscode.l10n.t('The selection cannot be read as "{0}" (setting unroll.encoding).', settings.encoding);
      if (plan.fitting.length === 0) {
        void vscode.window.showErrorMessage(`Unroll: ${message}`);
        return undefined;
      }
      const choose = vscode.l10n.t('Choose Reading…');
      const answer = await vscode.window.showErrorMessage(`Unroll: ${message}`, choose);
      if (answer !== choose) return undefined;
      reading = await pickReading(plan, vscode.l10n.t('How should Unroll read the selection?'));
    } else {
      reading = settings.encoding === 'auto' && plan.fitting.includes(plan.obvious) ? plan.obvious : wanted[0];
    }
  }
  if (!reading) return undefined;
  let seq = reading.encode();
  notes.push(...seq.notes);
  // Text read as hashed words only because the model has no vocabulary file: say how to get characters.
  if (chosen && !chosen.vocab && reading.id === 'words') {
    notes.push(vscode.l10n.t('To read characters with the model\'s own symbols, put {0} next to it.', sidecarNames(chosen.label).vocab.split('/').pop() ?? ''));
  }
  const limit = decideLimit(seq, settings.tokenLimit);
  if (limit.note) notes.push(limit.note);
  // Above the limit nothing waits on the person: the first `limit` steps are shown at once and the
  // notification offers "Run All" (a re-run in full, with progress) — see offerRunAll.
  let overLimit: PreparedSelection['overLimit'];
  if (limit.kind === 'ask' && !opts.runAll) {
    overLimit = { steps: seq.steps, limit: limit.limit };
    seq = truncateSequence(seq, limit.limit);
    notes.push(vscode.l10n.t('Showing the first {0} of {1} steps (setting unroll.tokenLimit).', limit.limit.toLocaleString('en-US'), overLimit.steps.toLocaleString('en-US')));
  }
  return { uri: doc.uri.toString(), seq, reading, plan, notes, overLimit, ...(modelLabel !== undefined ? { modelLabel } : {}) };
}

/** Says which reading was chosen, with a button for the others when several fit. */
export function announceReading(prepared: PreparedSelection, rechoose: () => void, runAll?: () => void): void {
  const { plan, reading, seq } = prepared;
  const head = prepared.modelLabel !== undefined
    ? vscode.l10n.t('Unroll read the selection as {0} for the chosen model {1} ({2}).', localizeMessage(seq.description), prepared.modelLabel, localizeMessage(plan.why))
    : vscode.l10n.t('Unroll read the selection as {0} ({1}).', localizeMessage(seq.description), localizeMessage(plan.why));
  const text = [head, ...prepared.notes.map(localizeMessage)].join(' ');
  if (prepared.overLimit && runAll) {
    const all = vscode.l10n.t('Run All ({0} steps)', prepared.overLimit.steps.toLocaleString('en-US'));
    void vscode.window.showWarningMessage(text, all).then((a) => a === all && runAll());
  } else if (plan.fitting.length > 1) {
    const other = vscode.l10n.t('Other Readings…');
    void vscode.window.showInformationMessage(text, other).then((a) => a === other && rechoose());
  } else {
    void vscode.window.showInformationMessage(text);
  }
  void reading;
}

export interface TracedRun {
  network: Network;
  trace: TraceView;
  cellLabel: string;
  modelLabel: string;
}

/** Runs the seeded random network of the panel's settings (with `cell`) over `seq`; big runs go to the worker. */
export async function traceSequence(seq: EncodedSequence, cell: CellName | undefined, client: () => EngineClient, signal?: AbortSignal, onProgress?: (fraction: number) => void): Promise<TracedRun> {
  const settings = readRandomModelSettings();
  const chosen = { ...settings, cell: cell ?? settings.cell };
  const network = TraceSession.network(seq, chosen);
  const x = toDense(seq);
  const labels = {
    cellLabel: CELL_LABELS[chosen.cell],
    modelLabel: vscode.l10n.t('seeded random, untrained (seed {0}, {1} units{2})', chosen.seed, chosen.hiddenSize, chosen.numLayers > 1 ? ` × ${chosen.numLayers}` : ''),
  };
  if (stepCost(network.cell, network.shape) * seq.steps <= LOCAL_RUN_BUDGET) {
    return { network, trace: runNetwork(network, x), ...labels };
  }
  const remote = await client().trace({ network, x }, { signal, onProgress: onProgress && (({ done, total }) => onProgress(total ? done / total : 0)) });
  return { network, trace: remote.local, ...labels };
}

export { CancelledError };
