/**
 * The current step's token, highlighted in the editor: one current step everywhere (timeline, chain,
 * status bar, debugger — and the text itself). A theme colour with an outline, so it reads in light,
 * dark and high-contrast themes; the overview ruler marks it too.
 */
import * as vscode from 'vscode';
import type { EditorRun, EditorRuns } from './runs';

export class CurrentToken implements vscode.Disposable {
  private readonly type = vscode.window.createTextEditorDecorationType({
    backgroundColor: new vscode.ThemeColor('unroll.currentToken'),
    borderColor: new vscode.ThemeColor('unroll.currentTokenBorder'),
    borderStyle: 'solid',
    borderWidth: '1px',
    overviewRulerColor: new vscode.ThemeColor('unroll.currentTokenBorder'),
    overviewRulerLane: vscode.OverviewRulerLane.Center,
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private shown: { run: EditorRun; step: number } | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly runs: EditorRuns) {
    // An editor of the run's document that becomes visible later gets the mark too.
    this.subscription = vscode.window.onDidChangeVisibleTextEditors(() => this.paint());
  }

  /** Mark step t of `run` (undefined clears). */
  update(run: EditorRun | undefined, step: number): void {
    this.shown = run && run.seq.steps > 0 ? { run, step: Math.min(Math.max(0, step), run.seq.steps - 1) } : undefined;
    this.paint();
  }

  /** The document range marked now, for tests. */
  current(): { uri: string; start: number; end: number } | undefined {
    if (!this.shown || this.shown.run.tracker.stale) return undefined;
    return { uri: this.shown.run.uri, ...this.runs.rangeOf(this.shown.run, this.shown.step) };
  }

  private paint(): void {
    const mark = this.current();
    for (const editor of vscode.window.visibleTextEditors) {
      if (!mark || editor.document.uri.toString() !== mark.uri) {
        editor.setDecorations(this.type, []);
        continue;
      }
      const doc = editor.document;
      const range = new vscode.Range(doc.positionAt(mark.start), doc.positionAt(Math.max(mark.start + 1, mark.end)));
      editor.setDecorations(this.type, [range]);
      // Follow the step like a debugger follows its stopped line, without moving the cursor.
      if (!editor.visibleRanges.some((r) => r.contains(range))) editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.type.dispose();
  }
}
