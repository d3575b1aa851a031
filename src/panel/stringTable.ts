/**
 * The webview's strings, by a translation function: vscode.l10n.t in the extension (strings.ts),
 * the identity in tests. Pure. Every English text here has a zh-cn entry in l10n/bundle.l10n.zh-cn.json.
 */
import type { WebviewStrings } from '../protocol/messages';
import { buildAnalysisStrings } from '../analysis/strings';

export function buildStrings(t: (message: string) => string): WebviewStrings {
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
    tokenBreakpointAdd: t('Break at every step whose token is {0}'),
    tokenBreakpointRemove: t('Remove the breakpoint at every step whose token is {0}'),
    breakpointMarks: t('Breakpoints: click a step to set or remove one'),
    hitCount: t('Hit count'),
    hitCountPlaceholder: t('e.g. %10'),
    logMessage: t('Log message'),
    logMessagePlaceholder: t('e.g. f.mean = {f.mean}'),
    keyboardHelp: t('Keys: ← → step (Shift: 10), Home / End jump, Space play / pause, Enter in a field applies it.'),
    timeline: t('Timeline'),
    chain: t('Unrolled network'),
    diagram: t('Cell diagram'),
    noModel: t('Computing the network…'),
    error: t('Error'),
    analysis: buildAnalysisStrings(t),
  };
}
