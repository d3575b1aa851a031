/** The status bar item: current step and token of the shown run; clicking it reveals the visualizer. */
import * as vscode from 'vscode';
import { tokenLabel } from '../input';
import { localizeMessage } from '../panel/localize';
import type { EditorRun } from './runs';

export class StepStatus implements vscode.Disposable {
  readonly item = vscode.window.createStatusBarItem('unroll.step', vscode.StatusBarAlignment.Left, 100);
  /** The run the tooltip describes: the tooltip is rebuilt (and sent to the window) only when it changes. */
  private tooltipOf: EditorRun | undefined;
  /** show() re-sends the whole item even when it is already shown. */
  private shown = false;

  constructor() {
    this.item.name = vscode.l10n.t('Unroll step');
    this.item.command = 'unroll.revealVisualizer';
  }

  /** Show step t (0-based, as the visualizer and the debugger count) of a run, or hide when there is none. */
  update(run: EditorRun | undefined, step: number): void {
    if (!run || run.seq.steps === 0) {
      this.tooltipOf = undefined;
      this.shown = false;
      this.item.hide();
      return;
    }
    const t = Math.min(Math.max(0, step), run.seq.steps - 1);
    const token = tokenLabel(run.seq, t);
    const stale = run.tracker.stale ? ` ${vscode.l10n.t('(stale)')}` : '';
    const text = `$(pulse) ${run.cellLabel.split(' ')[0]} ${vscode.l10n.t('step {0} (0–{1})', t, run.seq.steps - 1)} ${JSON.stringify(token)}${stale}`;
    // Each property set is sent to the window: during playback only the text changes.
    if (this.item.text !== text) this.item.text = text;
    if (this.tooltipOf !== run) {
      this.tooltipOf = run;
      const md = new vscode.MarkdownString();
      md.appendText(`${run.cellLabel} · ${run.modelLabel}\n\n${localizeMessage(run.seq.description)}\n\n`);
      md.appendText(vscode.l10n.t('Click to show the visualizer.'));
      this.item.tooltip = md;
    }
    if (!this.shown) this.item.show();
    this.shown = true;
  }

  dispose(): void {
    this.item.dispose();
  }
}
