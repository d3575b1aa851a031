/**
 * What a hover over a visualized token says, as Markdown. Pure (no `vscode`): the provider passes the
 * step's values in, so the content is unit-tested in Node.
 * The C_t / h_t heat strip is an SVG data URI: an image renders the same in every theme, and its
 * neutral grey midpoint and outlined cells stay legible on light and dark backgrounds.
 */
import { ColourScheme, colourOf } from './colours';

export interface HoverStepData {
  /** 0-based step index (shown 1-based, like the visualizer's counter). */
  step: number;
  steps: number;
  /** Visible token label (⏎ for a newline). */
  token: string;
  /** The token fell back to the model's unknown id. */
  unknown: boolean;
  family: 'rnn' | 'lstm' | 'gru';
  /** "LSTM", "GRU (reset after)", … */
  cellLabel: string;
  /** "seeded random, untrained (mulberry32, seed 42)" */
  modelLabel: string;
  /** "layer 2 of 2, forward" when the network has more than one layer or direction. */
  scopeLabel?: string;
  /** C_t (LSTM family). */
  c?: Float32Array;
  h: Float32Array;
  /** Mean of each gate over the units at this step, in display order. */
  gateMeans: { name: string; mean: number }[];
  /** Most active units by |h_t|, largest first. */
  topUnits: { unit: number; value: number }[];
  /** Top predicted next tokens (only when the model has a decoder). */
  nextTokens?: { token: string; p: number }[];
  /** The text changed since the run. */
  stale: boolean;
  /** Values are 8-bit display codes (≈), not exact float32. */
  approximate: boolean;
}

/** Commands a hover may run; the provider enables exactly these in `isTrusted.enabledCommands`. */
export const HOVER_COMMANDS = ['unroll.showStep', 'unroll.colourTextByUnit', 'unroll.rerun'] as const;

export function commandLink(title: string, command: (typeof HOVER_COMMANDS)[number], args: unknown): string {
  return `[${title}](command:${command}?${encodeURIComponent(JSON.stringify([args]))} "${title}")`;
}

/** Markdown inline code that survives backticks, and shows spaces/newlines visibly. */
export function inlineCode(s: string): string {
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`;
}

/** Every visible word of a hover; the provider passes the localised ones ({0}, {1} are placeholders). */
export interface HoverStrings {
  stepOf: string;
  unknown: string;
  staleTitle: string;
  stale: string;
  rerun: string;
  legend: string;
  scaledBy: string;
  gateMeans: string;
  mostActive: string;
  predictedNext: string;
  showStep: string;
  colourByUnit: string;
  units: string;
  gates: Record<string, string>;
}

export const ENGLISH_HOVER_STRINGS: HoverStrings = {
  stepOf: 'step {0} (0–{1})',
  unknown: '(unknown → <unk>)',
  staleTitle: 'Stale',
  stale: 'the text changed since this run; these values are for the old text.',
  rerun: 'Re-run',
  legend: 'blue < 0 < orange',
  scaledBy: '{0} scaled by 1/{1}',
  gateMeans: 'Gate means',
  mostActive: 'Most active units',
  predictedNext: 'Predicted next',
  showStep: 'Show step {0}',
  colourByUnit: 'Colour text by unit {0}',
  units: '{0} of {1} units',
  gates: { f: 'forget', i: 'input', o: 'output', g: 'candidate', r: 'reset', z: 'update', n: 'candidate' },
};

const fill = (s: string, ...args: (string | number)[]) => s.replace(/\{(\d)\}/g, (_, k) => String(args[Number(k)]));

/** Largest |v| rounded up for the strip's scale: C_t may exceed 1; the strip says by how much it is scaled. */
function scaleOf(v: Float32Array): number {
  let m = 0;
  for (const x of v) if (Number.isFinite(x)) m = Math.max(m, Math.abs(x));
  return Math.max(1, m);
}

/** An SVG heat strip (one row per vector, one cell per unit) as a data URI. */
export function heatStripDataUri(rows: { label: string; values: Float32Array }[], scheme: ColourScheme = 'blueOrange'): string {
  const units = Math.max(...rows.map((r) => r.values.length));
  const cw = Math.max(2, Math.min(10, Math.floor(320 / Math.max(1, units))));
  const ch = 12;
  const lw = 18;
  const w = lw + units * cw + 1;
  const h = rows.length * (ch + 2) + 1;
  let body = '';
  rows.forEach((r, k) => {
    const y = k * (ch + 2) + 1;
    const s = scaleOf(r.values);
    body += `<text x="0" y="${y + ch - 2}" font-size="10" font-family="sans-serif" fill="#8c8c8c">${r.label}</text>`;
    for (let u = 0; u < r.values.length; u++) {
      body += `<rect x="${lw + u * cw}" y="${y}" width="${cw}" height="${ch}" fill="${colourOf('diverging', r.values[u] / s, scheme)}"/>`;
    }
    body += `<rect x="${lw - 0.5}" y="${y - 0.5}" width="${r.values.length * cw + 1}" height="${ch + 1}" fill="none" stroke="#8c8c8c" stroke-width="1"/>`;
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">${body}</svg>`;
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

// A typographic minus like the panel's diagram; markdown collapses the space that used to pad positives, leaving "h[3] =-0.76".
const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(2).replace('-', '−') : String(v));

export function buildHoverMarkdown(d: HoverStepData, scheme: ColourScheme = 'blueOrange', S: HoverStrings = ENGLISH_HOVER_STRINGS): string {
  const out: string[] = [];
  const approx = d.approximate ? '≈' : '=';
  out.push(`**Unroll** · ${fill(S.stepOf, d.step, d.steps - 1)} · ${inlineCode(d.token)}${d.unknown ? ` *${S.unknown}*` : ''}`);
  if (d.stale) {
    out.push(`$(warning) **${S.staleTitle}:** ${S.stale} ${commandLink(S.rerun, 'unroll.rerun', {})}`);
  }
  out.push(`${d.cellLabel} · ${d.modelLabel}${d.scopeLabel ? ` · ${d.scopeLabel}` : ''}`);
  const rows = [...(d.c ? [{ label: 'C', values: d.c }] : []), { label: 'h', values: d.h }];
  const scales = rows.map((r) => ({ label: r.label, s: scaleOf(r.values) })).filter((r) => r.s > 1);
  out.push(`![${fill(S.units, rows.map((r) => `${r.label}_t`).join(' & '), d.h.length)}](${heatStripDataUri(rows, scheme)})`);
  out.push(`*${[S.legend, ...scales.map((r) => fill(S.scaledBy, r.label, r.s.toFixed(2)))].join('; ')}*`);
  if (d.gateMeans.length) {
    out.push(`${S.gateMeans}: ` + d.gateMeans.map((g) => `${S.gates[g.name] ?? g.name} ${g.name} ${approx} ${g.mean.toFixed(2)}`).join(' · '));
  }
  if (d.topUnits.length) {
    out.push(`${S.mostActive}: ` + d.topUnits.map((u) => `h[${u.unit}] ${approx} ${fmt(u.value)}`).join(', '));
  }
  if (d.nextTokens?.length) {
    out.push(`${S.predictedNext}: ` + d.nextTokens.map((n) => `${inlineCode(n.token)} ${(n.p * 100).toFixed(1)}%`).join(', '));
  }
  const links = [commandLink(fill(S.showStep, d.step), 'unroll.showStep', { step: d.step })];
  if (d.topUnits.length) links.push(commandLink(fill(S.colourByUnit, d.topUnits[0].unit), 'unroll.colourTextByUnit', { unit: d.topUnits[0].unit, channel: 'h' }));
  out.push(links.join(' · '));
  return out.join('\n\n');
}
