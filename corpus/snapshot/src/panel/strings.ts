/** Localised strings for the webview (vscode.l10n.t; Chinese in l10n/bundle.l10n.zh-cn.json). */
import * as vscode from 'vscode';
import type { WebviewStrings } from '../protocol/messages';

export function webviewStrings(): WebviewStrings {
  const t = vscode.l10n.t;
  return {
    title: t('Unroll'),
    loading: t('Loading…'),
    emptySelection: t('Nothing to visualize: the selection or current line is empty. Select some text and run "Unroll: Visualize LSTM".'),
    stepsLabel: t('Time steps'),
    step: t('Step'),
    token: t('Token'),
    play: t('Play'),
    pause: t('Pause'),
    stepBack: t('Step back'),
    stepForward: t('Step forward'),
    jumpStart: t('Jump to start'),
    jumpEnd: t('Jump to end'),
    speed: t('Speed'),
    zoom: t('Zoom'),
    layer: t('Layer'),
    direction: t('Direction'),
    forward: t('forward'),
    reverse: t('reverse'),
    unit: t('Unit'),
    gate: t('Gate'),
    copyMermaid: t('Copy as Mermaid'),
    copied: t('Copied'),
    cellState: t('Cell state C'),
    hiddenState: t('Hidden state h'),
    sigmoidLegend: t('sigmoid gates 0…1'),
    tanhLegend: t('tanh values −1…1'),
    condition: t('Break when'),
    conditionPlaceholder: t('e.g. f.mean < 0.2'),
    breakpointHit: t('Breakpoint hit'),
    timeline: t('Timeline'),
    chain: t('Unrolled network'),
    diagram: t('Cell diagram'),
    noModel: t('Computing the network…'),
    error: t('Error'),
  };
}
