/** The status bar item: current step and token of the shown run; clicking it reveals the visualizer. */
import * as vscode from 'vscode';
import { tokenLabel } from '../input';
import { localizeMessage } from '../panel/localize';
import type { EditorRun } from './runs';

export class StepStatus implements vscode.Disposable {
  readonly item = vscode.window.createStatusBarItem('unroll.step', vscode.StatusBarAlignment.Left, 100);

  constructor() {
    this.item.name = vscode.l10n.t('Unroll step');
    this.item.command = 'unroll.revealVisualizer';
  }

  /** Show step t (0-based, as the visualizer and the debugger count) of a run, or hide when there is none. */
  update(run: EditorRun | undefined, step: number): void {
    if (!run || run.seq.steps === 0) {
      this.item.hide();
      return;
    }
    const t = Math.min(Math.max(0, step), run.seq.steps - 1);
    const token = tokenLabel(run.seq, t);
    const stale = run.tracker.stale ? ` ${vscode.l10n.t('(stale)')}` : '';
    this.item.text = `$(pulse) ${run.cellLabel.split(' ')[0]} ${vscode.l10n.t('step {0} (0–{1})', t, run.seq.steps - 1)} ${JSON.stringify(token)}${stale}`;
    const md = new vscode.MarkdownString();
    md.appendText(`${run.cellLabel} · ${run.modelLabel}\n\n${localizeMessage(run.seq.description)}\n\n`);
    md.appendText(vscode.l10n.t('Click to show the visualizer.'));
    this.item.tooltip = md;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
