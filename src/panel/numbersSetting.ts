/**
 * unroll.numbers.standardize: numbers that run through the seeded random network are z-scored per column
 * (src/input/standardize.ts). The pure encoders read the current value through `setStandardizeNumbers`, so
 * the editor, the panel and the debugger follow the setting alike; changing it re-runs an open panel that
 * shows numbers through the random network, so the picture and its notice match the setting at once.
 */
import * as vscode from 'vscode';
import { setStandardizeNumbers } from '../input';
import { VisualizerPanel } from './visualizerPanel';

const SETTING = 'unroll.numbers.standardize';

function readSetting(): boolean {
  return vscode.workspace.getConfiguration('unroll').get<unknown>('numbers.standardize', true) !== false;
}

export function registerNumbersSetting(context: vscode.ExtensionContext): void {
  setStandardizeNumbers(readSetting());
  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => {
    if (!e.affectsConfiguration(SETTING)) return;
    setStandardizeNumbers(readSetting());
    const p = VisualizerPanel.current;
    const numeric = p && (p.seq.encoding === 'numbers' || p.seq.encoding === 'csv') && p.seq.model !== 'given';
    if (p && numeric) p.setSource(p.source, { step: p.step });
  }));
}
