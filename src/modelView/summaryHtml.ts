/**
 * The model view's page: a read-only summary of a model (layers, cell kind and variant, directions, sizes,
 * parameter count, convention, decoder, vocabulary, what is ambiguous) and the "Visualize with this model"
 * button. Pure (no `vscode` import) so it is unit-tested; every value is escaped; CSP allows one nonce'd
 * script and the theme's styles only.
 */
import type { CellName } from '../engine/types';
import type { GoldenReport } from '../model/golden';
import type { ModelSummary } from '../model/inspect';

/** Every string the page shows, localised by the host (English defaults in strings.ts). */
export interface ModelViewStrings {
  title: string;
  format: string;
  cell: string;
  undecided: string;
  convention: string;
  gateOrder: string;
  inputSize: string;
  hiddenSize: string;
  projection: string;
  none: string;
  layers: string;
  directions: string;
  bidirectional: string;
  forward: string;
  parameters: string;
  decoder: string;
  vocabulary: string;
  tokens: string;
  embedding: string;
  embeddingFolded: string;
  ambiguous: string;
  warnings: string;
  onnxGraph: string;
  initialState: string;
  initialStateInputs: string;
  initialStateInside: string;
  visualize: string;
  chooseCell: string;
  couldNotRead: string;
  golden: string;
  goldenTitle: string;
  goldenPassed: string;
  goldenFailed: string;
  tensor: string;
  maxAbsErr: string;
  maxScaledErr: string;
  likelyCause: string;
  noCauseFound: string;
  missing: string;
  cellNames: Record<CellName, string>;
  decidedBy: Record<ModelSummary['decidedBy'], string>;
}

export function escapeHtml(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface ModelViewPage {
  cspSource: string;
  nonce: string;
  strings: ModelViewStrings;
  /** The summary, or the one-line error that explains why the file cannot be shown. */
  summary?: ModelSummary;
  error?: string;
  /** The last golden check against a reference, shown under the summary. */
  golden?: GoldenReport;
  fileName: string;
}

const CONVENTION_NAMES: Record<ModelSummary['convention'], string> = { pytorch: 'PyTorch', onnx: 'ONNX', keras: 'Keras' };

function row(label: string, value: string): string {
  return `<tr><th scope="row">${escapeHtml(label)}</th><td>${value}</td></tr>`;
}

function summaryTable(s: ModelSummary, t: ModelViewStrings): string {
  const fmt = (n: number) => n.toLocaleString('en-US');
  const cell = s.cell
    ? `${escapeHtml(t.cellNames[s.cell])} <code>${escapeHtml(s.cell)}</code> <span class="muted">(${escapeHtml(t.decidedBy[s.decidedBy])})</span>`
    : `<strong>${escapeHtml(t.undecided)}</strong>: ${s.candidates.map((c) => `${escapeHtml(t.cellNames[c])} <code>${escapeHtml(c)}</code>`).join(' · ')}`;
  const rows = [
    row(t.format, escapeHtml(s.format)),
    row(t.cell, cell),
    row(t.convention, escapeHtml(s.convention)),
    // Whose layout the rows follow (PyTorch i f g o, Keras i f c o, ONNX i o f c): the loader's decision.
    ...(s.gateOrder ? [row(t.gateOrder, `<code>${escapeHtml(s.gateOrder.join(', '))}</code> <span class="muted">(${CONVENTION_NAMES[s.convention]})</span>`)] : []),
    row(t.inputSize, fmt(s.inputSize)),
    ...(s.embedding ? [row(t.embedding, `<code>${escapeHtml(s.embedding.name)}</code> ${fmt(s.embedding.vocabSize)} × ${fmt(s.embedding.dim)}, ${escapeHtml(t.embeddingFolded)}`)] : []),
    row(t.hiddenSize, fmt(s.hiddenSize)),
    row(t.projection, s.projSize ? fmt(s.projSize) : escapeHtml(t.none)),
    row(t.layers, fmt(s.numLayers)),
    row(t.directions, escapeHtml(s.bidirectional ? t.bidirectional : t.forward)),
    row(t.parameters, fmt(s.parameterCount)),
    row(t.decoder, s.hasDecoder ? `${fmt(s.vocabSize ?? 0)} ${escapeHtml(t.tokens)}${s.onnx?.decoder ? ` <span class="muted">(${escapeHtml(s.onnx.decoder)})</span>` : ''}` : escapeHtml(t.none)),
    row(t.vocabulary, s.hasVocab ? `${fmt(s.vocabSize ?? 0)} ${escapeHtml(t.tokens)}` : escapeHtml(t.none)),
  ];
  if (s.onnx) {
    rows.push(row(t.onnxGraph, `${escapeHtml(s.onnx.producer || '?')}, opset ${s.onnx.opset}, IR ${s.onnx.irVersion}: ${s.onnx.nodes.map((n) => `<code>${escapeHtml(n.op)}</code> ${escapeHtml(n.name)}`).join(' → ')}`));
    const inputs = [...s.onnx.initialStateInputs.h, ...s.onnx.initialStateInputs.c];
    rows.push(row(t.initialState, inputs.length ? `${escapeHtml(t.initialStateInputs)} ${inputs.map((n) => `<code>${escapeHtml(n)}</code>`).join(', ')}` : escapeHtml(t.initialStateInside)));
  }
  return `<table>${rows.join('')}</table>`;
}

function list(title: string, items: string[], cls: string): string {
  if (!items.length) return '';
  return `<section class="${cls}" aria-label="${escapeHtml(title)}"><h2>${escapeHtml(title)}</h2><ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul></section>`;
}

function goldenSection(r: GoldenReport, t: ModelViewStrings): string {
  const num = (v: number) => (Number.isFinite(v) ? v.toExponential(2) : '∞');
  const rows = r.tensors
    .map((x) => `<tr class="${x.ok ? 'ok' : 'bad'}"><td><code>${escapeHtml(x.name)}</code></td><td>${num(x.maxAbsErr)}</td><td>${num(x.maxScaledErr)}</td><td>${x.ok ? '✓' : '✗'}</td></tr>`)
    .join('');
  const verdict = r.passed ? t.goldenPassed : t.goldenFailed;
  const cause = r.diagnosis ? `<p><strong>${escapeHtml(t.likelyCause)}</strong> ${escapeHtml(r.diagnosis.likelyCause ?? t.noCauseFound)}</p>` : '';
  const missing = r.missing.length ? `<p>${escapeHtml(t.missing)} ${r.missing.map((m) => `<code>${escapeHtml(m)}</code>`).join(', ')}</p>` : '';
  return (
    `<section class="golden" aria-label="${escapeHtml(t.goldenTitle)}"><h2>${escapeHtml(t.goldenTitle)} <span class="muted">${escapeHtml(r.reference)}</span></h2>` +
    `<p class="${r.passed ? 'verdict-ok' : 'verdict-bad'}" role="status">${escapeHtml(verdict)} (tolerance ${r.tolerance})</p>${cause}${missing}` +
    `<table><tr><th scope="col">${escapeHtml(t.tensor)}</th><th scope="col">${escapeHtml(t.maxAbsErr)}</th><th scope="col">${escapeHtml(t.maxScaledErr)}</th><th scope="col"></th></tr>${rows}</table></section>`
  );
}

export function buildModelViewHtml(p: ModelViewPage): string {
  const t = p.strings;
  const csp = [`default-src 'none'`, `style-src ${p.cspSource} 'unsafe-inline'`, `script-src 'nonce-${p.nonce}'`].join('; ');
  let body: string;
  if (p.summary) {
    const s = p.summary;
    body =
      `<h1>${escapeHtml(t.title)} <span class="muted">${escapeHtml(p.fileName)}</span></h1>` +
      summaryTable(s, t) +
      list(t.ambiguous, s.ambiguities, 'ambiguous') +
      list(t.warnings, s.warnings, 'warnings') +
      `<p class="actions"><button id="visualize" type="button">${escapeHtml(t.visualize)}</button>` +
      (s.candidates.length > 1 ? ` <button id="chooseCell" type="button" class="secondary">${escapeHtml(t.chooseCell)}</button>` : '') +
      ` <button id="golden" type="button" class="secondary">${escapeHtml(t.golden)}</button>` +
      `</p>` +
      (p.golden ? goldenSection(p.golden, t) : '');
  } else {
    body = `<h1>${escapeHtml(t.title)} <span class="muted">${escapeHtml(p.fileName)}</span></h1><p class="error" role="alert">${escapeHtml(t.couldNotRead)} ${escapeHtml(p.error ?? '')}</p>`;
  }
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(p.fileName)}</title>
<style>
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 1em 2em; max-width: 60em; }
h1 { font-size: 1.4em; font-weight: 600; } h2 { font-size: 1.1em; }
.muted { color: var(--vscode-descriptionForeground); font-weight: normal; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { text-align: left; padding: 0.3em 1.2em 0.3em 0; border-bottom: 1px solid var(--vscode-widget-border, transparent); vertical-align: top; }
th { font-weight: 600; white-space: nowrap; }
code { font-family: var(--vscode-editor-font-family), monospace; color: var(--vscode-textPreformat-foreground, inherit); background: var(--vscode-textPreformat-background, var(--vscode-textCodeBlock-background)); padding: 0 0.2em; }
body.vscode-high-contrast code, body.vscode-high-contrast-light code { color: inherit; background: transparent; outline: 1px solid var(--vscode-contrastBorder, currentColor); }
.ambiguous h2 { color: var(--vscode-editorWarning-foreground); }
.warnings h2, .error { color: var(--vscode-errorForeground); }
button { font: inherit; color: var(--vscode-button-foreground); background: var(--vscode-button-background); border: 1px solid var(--vscode-button-border, transparent); padding: 0.4em 1em; cursor: pointer; }
button:hover { background: var(--vscode-button-hoverBackground); }
button:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 2px; }
button.secondary { color: var(--vscode-button-secondaryForeground); background: var(--vscode-button-secondaryBackground); }
.verdict-ok { color: var(--vscode-testing-iconPassed, var(--vscode-foreground)); } .verdict-bad, tr.bad td { color: var(--vscode-testing-iconFailed, var(--vscode-errorForeground)); }
</style>
</head>
<body>
${body}
<script nonce="${p.nonce}">
(function () {
  const vscode = acquireVsCodeApi();
  for (const id of ['visualize', 'chooseCell', 'golden']) {
    const b = document.getElementById(id);
    if (b) b.addEventListener('click', () => vscode.postMessage({ type: id }));
  }
})();
</script>
</body>
</html>`;
}

/** What the page may send; anything else is ignored (webview input is untrusted). */
export type ModelViewMessage = { type: 'visualize' } | { type: 'chooseCell' } | { type: 'golden' };

export function isModelViewMessage(m: unknown): m is ModelViewMessage {
  const type = typeof m === 'object' && m !== null ? (m as { type?: unknown }).type : undefined;
  return type === 'visualize' || type === 'chooseCell' || type === 'golden';
}
