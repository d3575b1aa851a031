/**
 * The per-document cache of visualized runs: which text was run, its steps' ranges, the trace, and
 * the hovers already built. Edits move ranges or mark the run stale (tracking.ts).
 */
import * as vscode from 'vscode';
import type { CellName } from '../engine/types';
import { stepAtOffset, type EncodedSequence } from '../input';
import type { TraceView } from './stepData';
import { RangeTracker } from './tracking';

export interface EditorRun {
  id: number;
  uri: string;
  seq: EncodedSequence;
  trace: TraceView;
  cellName: CellName;
  cellLabel: string;
  modelLabel: string;
  /** Decoder vocabulary (symbol per id) when the model predicts next tokens. */
  vocab?: readonly string[];
  tracker: RangeTracker;
  /** Markdown of hovers already built, by step (cleared when the run goes stale). */
  hoverCache: Map<number, string>;
  /** Reading id used ("chars", "csv:1", …) so a re-run reads the same way. */
  readingId: string;
}

export class EditorRuns implements vscode.Disposable {
  private readonly byUri = new Map<string, EditorRun>();
  private nextId = 1;
  private readonly emitter = new vscode.EventEmitter<EditorRun | undefined>();
  /** Fires when a run is added, goes stale, or is removed. */
  readonly onDidChange = this.emitter.event;
  /** The most recent run (what the status bar and "Colour Text by Unit" use). */
  latest: EditorRun | undefined;
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [
      vscode.workspace.onDidChangeTextDocument((e) => this.onEdit(e)),
      vscode.workspace.onDidCloseTextDocument((d) => this.remove(d.uri.toString())),
    ];
  }

  add(run: Omit<EditorRun, 'id' | 'tracker' | 'hoverCache'>): EditorRun {
    const s = run.seq;
    const start = s.steps ? s.offsets[0] : s.baseOffset;
    const end = s.steps ? s.offsets[s.steps - 1] + s.lengths[s.steps - 1] : s.baseOffset;
    const full: EditorRun = { ...run, id: this.nextId++, tracker: new RangeTracker(start, end), hoverCache: new Map() };
    this.byUri.set(run.uri, full);
    this.latest = full;
    this.emitter.fire(full);
    return full;
  }

  get(uri: string): EditorRun | undefined {
    return this.byUri.get(uri);
  }

  remove(uri: string): void {
    const run = this.byUri.get(uri);
    if (!run) return;
    this.byUri.delete(uri);
    if (this.latest === run) this.latest = undefined;
    this.emitter.fire(undefined);
  }

  /** The step under a document offset, or -1 (offsets follow edits made above the range). */
  stepAt(run: EditorRun, docOffset: number): number {
    return stepAtOffset(run.seq, docOffset - run.tracker.shift);
  }

  /** Document range of step t today. */
  rangeOf(run: EditorRun, t: number): { start: number; end: number } {
    const start = run.seq.offsets[t] + run.tracker.shift;
    return { start, end: start + run.seq.lengths[t] };
  }

  private onEdit(e: vscode.TextDocumentChangeEvent): void {
    const run = this.byUri.get(e.document.uri.toString());
    if (!run || e.contentChanges.length === 0) return;
    const wasStale = run.tracker.stale;
    for (const c of e.contentChanges) run.tracker.applyChange(c.rangeOffset, c.rangeLength, c.text.length);
    if (run.tracker.stale && !wasStale) {
      run.hoverCache.clear();
      this.emitter.fire(run);
    }
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.emitter.dispose();
  }
}
