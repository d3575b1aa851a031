/**
 * The input text with each token's background coloured by the selected unit (Karpathy-style), plus the
 * scale and the most variable units to pick from. Only a window of tokens around the current step is in
 * the DOM (a 10,000-token run stays light); clicking a token moves to its step.
 */
import { css, scaleKind, textColour, valueColour, type Rgb } from '../../src/analysis/colorScales';
import { dequantize } from '../../src/engine/quantize';
import type { UnitSeriesMessage } from '../../src/protocol/messages';
import { el } from '../dom';

/** Tokens kept in the DOM around the current step. */
export const TEXT_WINDOW = 1500;

/** Display form of a token inside running text: line breaks stay visible as ↵ and break the line. */
export function textLabel(token: string): string {
  return token === '\n' || token === '\r\n' ? '↵' : token === '\t' ? '→' : token;
}

/** [first, end) of the tokens shown around `step`. */
export function textWindow(steps: number, step: number, size = TEXT_WINDOW): [number, number] {
  if (steps <= size) return [0, steps];
  const first = Math.max(0, Math.min(steps - size, step - Math.floor(size / 2)));
  return [first, first + size];
}

export class TextByUnitView {
  readonly root: HTMLElement;
  readonly body: HTMLElement;
  readonly caption: HTMLElement;
  readonly picks: HTMLElement;
  private shown: [number, number] = [0, 0];
  private spans: HTMLElement[] = [];
  private styled: { series: UnitSeriesMessage | undefined; background: Rgb | undefined; step: number } = { series: undefined, background: undefined, step: -1 };
  onStep: (step: number) => void = () => undefined;
  onUnit: (unit: number) => void = () => undefined;

  constructor(title: string, private readonly mostVariableLabel: string) {
    this.caption = el('div', { class: 'text-caption' });
    this.picks = el('div', { class: 'unit-picks', role: 'group', 'aria-label': mostVariableLabel });
    this.body = el('div', { class: 'text-by-unit', role: 'list', 'aria-label': title });
    this.body.addEventListener('click', (e) => {
      const t = (e.target as HTMLElement).closest?.('[data-step]') as HTMLElement | null;
      if (t) this.onStep(Number(t.dataset.step));
    });
    this.root = el('section', { class: 'analysis-text' }, el('h3', { text: title }), this.caption, this.picks, this.body);
  }

  /** Buttons for the most variable units (a click selects that unit). */
  setPicks(units: number[], unitLabel: string): void {
    this.picks.replaceChildren(el('span', { class: 'muted', text: `${this.mostVariableLabel}: ` }),
      ...units.map((u) => {
        const b = el('button', { type: 'button', class: 'unit-pick', 'aria-label': `${unitLabel} ${u}`, text: String(u) });
        b.addEventListener('click', () => this.onUnit(u));
        return b;
      }));
  }

  /** Rebuilds the token spans (when the window moves) and colours them by `series`. */
  render(tokens: readonly string[], step: number, series: UnitSeriesMessage | undefined, background: Rgb, captionText: string): void {
    const [first, end] = textWindow(tokens.length, step);
    const rebuilt = first !== this.shown[0] || end !== this.shown[1];
    if (rebuilt) {
      this.spans = [];
      const frag = document.createDocumentFragment();
      for (let t = first; t < end; t++) {
        const s = el('span', { class: 'tok', role: 'listitem', 'data-step': String(t), text: textLabel(tokens[t]) });
        this.spans.push(s);
        frag.append(s);
        if (tokens[t] === '\n' || tokens[t] === '\r\n') frag.append(el('br'));
      }
      this.body.replaceChildren(frag);
      this.shown = [first, end];
    }
    const restyle = rebuilt || this.styled.series !== series || this.styled.background !== background;
    if (!restyle) {
      // Only the step moved: move the highlight.
      this.spans[this.styled.step - first]?.classList.remove('current');
      this.spans[step - first]?.classList.add('current');
      this.styled.step = step;
      return;
    }
    this.styled = { series, background, step };
    const kind = series ? scaleKind(series.channel) : 'diverging';
    // Scale: a gate's own 0..1; a signed value by this unit's largest |value|, so a unit that moves in a
    // small range still shows its pattern (the legend says which range).
    const [lo, hi] = series ? unitScale(series) : [0, 1];
    this.caption.replaceChildren(captionText, ...(series ? [' · ', ...legend(kind, lo, hi, background)] : []));
    for (let k = 0; k < this.spans.length; k++) {
      const t = first + k;
      const s = this.spans[k];
      if (series && t < series.codes.length) {
        const v = dequantize(series.codes[t], series.lo, series.hi);
        const bg = valueColour(kind, v, lo, hi, background);
        s.style.background = css(bg);
        s.style.color = textColour(bg);
        s.title = `${t}: ${v.toFixed(3)}`;
      }
      s.classList.toggle('current', t === step);
    }
  }
}

/** The colour range of a unit's series: [0, 1] for gates, ±max |value| (at least 1e-6) otherwise. */
export function unitScale(series: UnitSeriesMessage): [number, number] {
  if (scaleKind(series.channel) === 'sequential') return [0, 1];
  let m = 0;
  for (const q of series.codes) m = Math.max(m, Math.abs(dequantize(q, series.lo, series.hi)));
  m = Math.max(m, 1e-6);
  return [-m, m];
}

/** Swatches with their values: lo, middle, hi of the scale. */
function legend(kind: 'sequential' | 'diverging', lo: number, hi: number, background: Rgb): HTMLElement[] {
  const stops = [lo, (lo + hi) / 2, hi];
  return stops.map((v) => {
    const bg = valueColour(kind, v, lo, hi, background);
    const sw = el('span', { class: 'swatch', text: v.toFixed(Math.abs(v) >= 10 ? 1 : 2) });
    sw.style.background = css(bg);
    sw.style.color = textColour(bg);
    return sw;
  });
}
