/**
 * The analysis views' strings, by a translation function (vscode.l10n.t in the extension, the identity in
 * tests). Pure. Every English text has a zh-cn entry in l10n/bundle.l10n.zh-cn.json (checked by a test).
 */
export interface AnalysisStrings {
  analysis: string;
  heatmap: string;
  channel: string;
  sortBy: string;
  sortIndex: string;
  sortVariance: string;
  sortMean: string;
  sortSaturation: string;
  sortBracket: string;
  reduce: string;
  reduceMean: string;
  reduceMin: string;
  reduceMax: string;
  textByUnit: string;
  mostVariable: string;
  saturation: string;
  saturationHelp: string;
  belowAxis: string;
  aboveAxis: string;
  predictions: string;
  nextToken: string;
  actualNext: string;
  lossStrip: string;
  noDecoder: string;
  table: string;
  tableCaption: string;
  valueOfUnit: string;
  meanOverUnits: string;
  minOverUnits: string;
  maxOverUnits: string;
  exportPng: string;
  exportSvg: string;
  exportCsv: string;
  exportNpy: string;
  exporting: string;
  approx: string;
  exact: string;
  zoomHint: string;
  rangeMode: string;
  rangeRobust: string;
  rangeFull: string;
  rangeUnit: string;
  legendClipped: string;
  legendUnit: string;
  legendClipHelp: string;
}

export function buildAnalysisStrings(t: (message: string) => string): AnalysisStrings {
  return {
    analysis: t('Analysis'),
    heatmap: t('Heatmap: units × time'),
    channel: t('Channel'),
    sortBy: t('Sort units by'),
    sortIndex: t('index'),
    sortVariance: t('variance'),
    sortMean: t('mean activation'),
    sortSaturation: t('saturation'),
    sortBracket: t('bracket depth (|r|)'),
    reduce: t('Zoomed out: show'),
    reduceMean: t('mean'),
    reduceMin: t('min'),
    reduceMax: t('max'),
    textByUnit: t('Text coloured by the selected unit'),
    mostVariable: t('Most variable units'),
    saturation: t('Gate saturation'),
    saturationHelp: t('Each point is a unit: fraction of steps below 0.1 (→) and above 0.9 (↑). Click a point to select the unit and jump to its most saturated step.'),
    belowAxis: t('fraction < 0.1'),
    aboveAxis: t('fraction > 0.9'),
    predictions: t('Predictions'),
    nextToken: t('Next token'),
    actualNext: t('Actual next token'),
    lossStrip: t('Loss of the actual next token per step'),
    noDecoder: t('This model has no decoder, so it makes no predictions.'),
    table: t('Focused step and unit'),
    tableCaption: t('Step {0} “{1}”, unit {2}, layer {3} {4}'),
    valueOfUnit: t('Unit value'),
    meanOverUnits: t('Mean over units'),
    minOverUnits: t('Min'),
    maxOverUnits: t('Max'),
    exportPng: t('Save heatmap as PNG'),
    exportSvg: t('Save heatmap as SVG'),
    exportCsv: t('Export exact values as CSV'),
    exportNpy: t('Export exact values as NPY'),
    exporting: t('Exporting…'),
    approx: t('≈ (8-bit)'),
    exact: t('exact'),
    zoomHint: t('Wheel scrolls time, Ctrl+wheel zooms, click selects a step and unit.'),
    rangeMode: t('Colour range'),
    rangeRobust: t('robust (clips outliers)'),
    rangeFull: t('largest value'),
    rangeUnit: t('per unit'),
    legendClipped: t('±{0}, clipped; max {1}'),
    legendUnit: t('each unit scaled to its own largest |value|'),
    legendClipHelp: t('Colours stop at ±{0}: larger values take the end colours. Hover for exact values.'),
  };
}
