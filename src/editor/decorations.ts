/**
 * "Colour Text by Unit": paints each token of the visualized range by one unit of one channel
 * (diverging colours for tanh-range values, sequential for gates), with marks in the overview ruler.
 * Only the visible lines (plus a margin) are decorated, and updates are debounced, so a
 * million-step range stays responsive while scrolling and typing.
 */
import * as vscode from 'vscode';
import type { Channel } from '../engine/trace';
import { bucketColour, bucketOf, themeColourId, type ColourScheme, DIVERGING_BUCKETS, SEQUENTIAL_BUCKETS } from './colours';
import type { EditorRun, EditorRuns } from './runs';
import { unitSeries } from './stepData';

export interface Colouring {
  run: EditorRun;
  channel: Channel;
  unit: number;
  kind: 'diverging' | 'sequential';
  /** Values are divided by this before bucketing (C_t and relu h are not bounded by 1). */
  scale: number;
  values: Float32Array;
}

const DEBOUNCE_MS = 40;
/** Lines above and below the viewport that are decorated too, so small scrolls need no update. */
const MARGIN_LINES = 200;

/**
 * Colour scale of a colouring. Gates (never negative) keep the channel's 0…max scale. Signed values (C, h, C̃) are
 * scaled by the unit's own largest |value| when `values` are given: a trained LSTM's cell state reaches |C| ≈ 60 in a
 * few units, and the channel-wide scale left every other unit uncoloured.
 */
export function channelKind(run: EditorRun, channel: Channel, values?: Float32Array): { kind: 'diverging' | 'sequential'; scale: number } {
  const [lo, hi] = run.trace.meta.ranges[run.trace.meta.shape.numLayers - 1][0][channel] ?? [-1, 1];
  if (lo >= 0) return { kind: 'sequential', scale: Math.max(hi, 1e-6) };
  let unitMax = 0;
  if (values) for (let t = 0; t < values.length; t++) { const a = Math.abs(values[t]); if (a > unitMax && a !== Infinity) unitMax = a; }
  return { kind: 'diverging', scale: Math.max(unitMax || Math.max(Math.abs(lo), Math.abs(hi)), 1e-6) };
}

export class UnitColouring implements vscode.Disposable {
  current: Colouring | undefined;
  private types = new Map<string, vscode.TextEditorDecorationType>();
  private typesScheme: ColourScheme | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly subscriptions: vscode.Disposable[];
  /** Number of ranges decorated in the last update, per editor URI (test API). */
  readonly applied = new Map<string, number>();

  constructor(
    private readonly runs: EditorRuns,
    private readonly scheme: () => ColourScheme,
  ) {
    this.subscriptions = [
      vscode.window.onDidChangeTextEditorVisibleRanges(() => this.schedule()),
      vscode.window.onDidChangeVisibleTextEditors(() => this.schedule()),
      runs.onDidChange((run) => {
        if (this.current && (run === undefined || run.uri === this.current.run.uri) && this.runs.get(this.current.run.uri) !== this.current.run) this.clear();
      }),
    ];
  }

  /** Colour the run's text by `unit` of `channel` (last layer, forward). */
  show(run: EditorRun, channel: Channel, unit: number): void {
    const meta = run.trace.meta;
    const width = channel === 'h' ? meta.outputSize : meta.shape.hiddenSize;
    if (!meta.channels.includes(channel)) throw new Error(vscode.l10n.t('The {0} has no "{1}"; choose one of {2}.', run.cellLabel, channel, meta.channels.join(', ')));
    if (!Number.isInteger(unit) || unit < 0 || unit >= width) throw new Error(vscode.l10n.t('Unit {0} does not exist; the network has units 0…{1}.', unit, width - 1));
    const values = new Float32Array(run.seq.steps);
    // Blocks keep the temporary window small for long runs.
    for (let a = 0; a < run.seq.steps; a += 65_536) {
      const b = Math.min(run.seq.steps, a + 65_536);
      values.set(unitSeries(run.trace, channel, unit, a, b), a);
    }
    // Drop the previous colouring's decorations (it may have used the other kind of scale).
    for (const t of this.types.values()) t.dispose();
    this.types.clear();
    this.current = { run, channel, unit, values, ...channelKind(run, channel, values) };
    void vscode.commands.executeCommand('setContext', 'unroll.coloured', true);
    this.schedule();
  }

  clear(): void {
    this.current = undefined;
    for (const t of this.types.values()) t.dispose();
    this.types.clear();
    this.applied.clear();
    void vscode.commands.executeCommand('setContext', 'unroll.coloured', false);
  }

  /** Apply now (tests); normally updates are debounced. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const editor of vscode.window.visibleTextEditors) this.render(editor);
  }

  schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), DEBOUNCE_MS);
  }

  private typeFor(kind: 'diverging' | 'sequential', bucket: number): vscode.TextEditorDecorationType {
    const scheme = this.scheme();
    if (this.typesScheme !== scheme) {
      for (const t of this.types.values()) t.dispose();
      this.types.clear();
      this.typesScheme = scheme;
    }
    const key = `${kind}${bucket}`;
    let t = this.types.get(key);
    if (!t) {
      // The default scheme uses the contributed theme colours (themes and users can override them).
      const colour = scheme === 'blueOrange' ? new vscode.ThemeColor(themeColourId(kind, bucket)) : bucketColour(kind, bucket, scheme);
      t = vscode.window.createTextEditorDecorationType({
        backgroundColor: colour,
        overviewRulerColor: colour,
        overviewRulerLane: vscode.OverviewRulerLane.Center,
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      });
      this.types.set(key, t);
    }
    return t;
  }

  private render(editor: vscode.TextEditor): void {
    const c = this.current;
    if (!c || editor.document.uri.toString() !== c.run.uri) return;
    const doc = editor.document;
    const run = c.run;
    const seq = run.seq;
    const shift = run.tracker.shift;
    const vis = editor.visibleRanges;
    if (vis.length === 0 || seq.steps === 0) return;
    const firstLine = Math.max(0, vis[0].start.line - MARGIN_LINES);
    const lastLine = Math.min(doc.lineCount - 1, vis[vis.length - 1].end.line + MARGIN_LINES);
    const from = doc.offsetAt(new vscode.Position(firstLine, 0)) - shift;
    const to = doc.offsetAt(doc.lineAt(lastLine).range.end) - shift;
    // First step ending after `from` (binary search over increasing offsets).
    let lo = 0;
    let hi = seq.steps;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (seq.offsets[mid] + seq.lengths[mid] <= from) lo = mid + 1;
      else hi = mid;
    }
    const buckets = new Map<string, vscode.Range[]>();
    let count = 0;
    for (let t = lo; t < seq.steps && seq.offsets[t] <= to; t++) {
      const b = bucketOf(c.kind, c.values[t] / c.scale);
      if (b === 0) continue;
      const key = `${c.kind}${b}`;
      let list = buckets.get(key);
      if (!list) buckets.set(key, (list = []));
      const start = seq.offsets[t] + shift;
      list.push(new vscode.Range(doc.positionAt(start), doc.positionAt(start + seq.lengths[t])));
      count++;
    }
    const all = c.kind === 'sequential'
      ? Array.from({ length: SEQUENTIAL_BUCKETS }, (_, k) => k + 1)
      : Array.from({ length: 2 * DIVERGING_BUCKETS + 1 }, (_, k) => k - DIVERGING_BUCKETS).filter((b) => b !== 0);
    for (const b of all) editor.setDecorations(this.typeFor(c.kind, b), buckets.get(`${c.kind}${b}`) ?? []);
    this.applied.set(doc.uri.toString(), count);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.clear();
    for (const s of this.subscriptions) s.dispose();
  }
}
