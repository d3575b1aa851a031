/**
 * Hovers over a visualized range: the step under the mouse, from the per-document cache (built once
 * per step, cleared when the run goes stale). Command links are enabled one by one (isTrusted).
 */
import * as vscode from 'vscode';
import { tokenLabel } from '../input';
import { buildHoverMarkdown, HOVER_COMMANDS, type HoverStrings } from './hoverContent';
import type { EditorRun, EditorRuns } from './runs';
import type { ColourScheme } from './colours';
import { stepData } from './stepData';

export class UnrollHoverProvider implements vscode.HoverProvider {
  /** Milliseconds of the last hovers (newest last), for tests and the measured ≤ 20 ms budget. */
  readonly timings: { ms: number; cached: boolean }[] = [];

  constructor(
    private readonly runs: EditorRuns,
    private readonly scheme: () => ColourScheme,
  ) {}

  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    const run = this.runs.get(doc.uri.toString());
    if (!run) return undefined;
    const t = this.runs.stepAt(run, doc.offsetAt(pos));
    if (t < 0) return undefined;
    const t0 = performance.now();
    const cached = run.hoverCache.has(t);
    const md = cached ? run.hoverCache.get(t)! : this.build(run, t);
    if (!cached) run.hoverCache.set(t, md);
    this.timings.push({ ms: performance.now() - t0, cached });
    if (this.timings.length > 200) this.timings.shift();
    const content = new vscode.MarkdownString(md, true);
    content.isTrusted = { enabledCommands: [...HOVER_COMMANDS] };
    const r = this.runs.rangeOf(run, t);
    return new vscode.Hover(content, new vscode.Range(doc.positionAt(r.start), doc.positionAt(r.end)));
  }

  /**
   * Builds the hovers of the first `maxSteps` steps in the background, a few milliseconds at a time, so
   * even the first hover over a token answers from the cache. Stops when the run is replaced or goes stale.
   */
  prefill(run: EditorRun, maxSteps = 4096): void {
    const end = Math.min(run.seq.steps, maxSteps);
    let t = 0;
    const slice = () => {
      if (this.runs.get(run.uri) !== run || run.tracker.stale) return;
      const until = performance.now() + 8;
      for (; t < end && performance.now() < until; t++) if (!run.hoverCache.has(t)) run.hoverCache.set(t, this.build(run, t));
      if (t < end) setTimeout(slice, 1);
    };
    setTimeout(slice, 1);
  }

  /** The markdown for step t of a run (exported for the test API). */
  build(run: EditorRun, t: number): string {
    const data = stepData(run.trace, {
      step: t,
      token: tokenLabel(run.seq, t),
      unknown: run.seq.unknown?.[t] === 1,
      cellLabel: run.cellLabel,
      modelLabel: run.modelLabel,
      stale: run.tracker.stale,
      vocab: run.vocab,
    });
    return buildHoverMarkdown(data, this.scheme(), hoverStrings());
  }
}

/** The hover's words in the display language. */
function hoverStrings(): HoverStrings {
  // Placeholders are passed back in as themselves: buildHoverMarkdown fills them.
  const t = vscode.l10n.t;
  return {
    stepOf: t('step {0} (0–{1})', '{0}', '{1}'),
    unknown: t('(unknown → <unk>)'),
    staleTitle: t('Stale'),
    stale: t('the text changed since this run; these values are for the old text.'),
    rerun: t('Re-run'),
    legend: t('blue < 0 < orange'),
    scaledBy: t('{0} scaled by 1/{1}', '{0}', '{1}'),
    gateMeans: t('Gate means'),
    mostActive: t('Most active units'),
    predictedNext: t('Predicted next'),
    showStep: t('Show step {0}', '{0}'),
    colourByUnit: t('Colour text by unit {0}', '{0}'),
    units: t('{0} of {1} units', '{0}', '{1}'),
    gates: { f: t('forget'), i: t('input'), o: t('output'), g: t('candidate'), r: t('reset'), z: t('update'), n: t('candidate') },
  };
}
