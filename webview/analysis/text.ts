/**
 * The input text with each token's background coloured by the selected unit (Karpathy-style), plus the
 * scale and the most variable units to pick from.
 *
 * Virtualised: the tokens are laid out once into fixed-height rows (a line-break token ends a row; a row
 * wraps before a token that would pass the width) and only the rows inside the scroll viewport, plus a
 * few either side, are in the DOM. A 10,000-token run kept ~1,600 spans in the DOM, and every style change
 * (the current step moving at 120 steps/s) re-recorded the paint of all of them; now a frame touches two
 * spans. The view follows the current step; clicking a token moves to its step; the scroller is
 * focusable so the keyboard scrolls it (← → stay the App's step keys); the focus table is the
 * screen-reader summary of the selection.
 */
import { css, scaleKind, textColour, valueColour, type Rgb } from '../../src/analysis/colorScales';
import { dequantize } from '../../src/engine/quantize';
import type { UnitSeriesMessage } from '../../src/protocol/messages';
import { labelColumns } from '../columns';
import { el } from '../dom';

export { labelColumns };

/** Height of a text row, px (set inline so the row arithmetic cannot drift from the stylesheet). */
export const ROW_PX = 20;
/** style.css .text-by-unit: max-height 180px, padding 4px — used until the scroller has been measured. */
const DEFAULT_VIEW_PX = 180;
const PAD_PX = 4;
const DEFAULT_COLS = 80;
/** Rows kept in the DOM above and below the viewport (a wheel tick scrolls ~3 rows). */
const OVERSCAN = 3;

/** Display form of a token inside running text: line breaks stay visible as ↵ and end the row. */
export function textLabel(token: string): string {
  return token === '\n' || token === '\r\n' ? '↵' : token === '\t' ? '→' : token;
}

function isBreak(token: string): boolean {
  return token === '\n' || token === '\r\n';
}

/** First token of every row when the text is `cols` columns wide. */
export function layoutRows(tokens: readonly string[], cols: number): Int32Array {
  const starts: number[] = tokens.length ? [0] : [];
  let used = 0;
  for (let t = 0; t < tokens.length; t++) {
    const w = labelColumns(textLabel(tokens[t]));
    if (used > 0 && used + w > cols) {
      starts.push(t);
      used = 0;
    }
    used += w;
    if (isBreak(tokens[t]) && t + 1 < tokens.length) {
      starts.push(t + 1);
      used = 0;
    }
  }
  return Int32Array.from(starts);
}

/** Row holding token `step` (starts ascending, starts[0] = 0). */
export function rowOf(starts: Int32Array, step: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= step) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Rows [first, end) to keep in the DOM for a scroll position (scrollTop counts the top padding). */
export function rowWindow(rows: number, scrollTop: number, viewPx: number, overscan = OVERSCAN): [number, number] {
  const first = Math.max(0, Math.floor((scrollTop - PAD_PX) / ROW_PX) - overscan);
  const end = Math.min(rows, Math.max(0, Math.ceil((scrollTop - PAD_PX + viewPx) / ROW_PX) + overscan));
  return [Math.min(first, end), end];
}

/**
 * scrollTop that shows `row`: unchanged while it is fully visible (unless `always`); otherwise the row goes
 * a third of the way down, so playback reads ahead and scrolls once per page rather than once per row.
 * Clamped to the content.
 */
export function followRow(row: number, rows: number, scrollTop: number, viewPx: number, always = false): number {
  const top = PAD_PX + row * ROW_PX;
  if (!always && top >= scrollTop && top + ROW_PX <= scrollTop + viewPx) return scrollTop;
  const max = Math.max(0, rows * ROW_PX + 2 * PAD_PX - viewPx);
  return Math.max(0, Math.min(max, Math.round(top - viewPx / 3)));
}

/** Background, text colour and value of each of the 256 codes of a series. */
interface Palette { series: UnitSeriesMessage; background: Rgb; bg: string[]; fg: string[]; value: Float32Array }

export class TextByUnitView {
  readonly root: HTMLElement;
  readonly body: HTMLElement;
  readonly caption: HTMLElement;
  readonly picks: HTMLElement;
  private readonly spacer: HTMLElement;
  private tokens: readonly string[] = [];
  private starts: Int32Array = new Int32Array(0);
  /** Rendered rows by row index; a row's children are its tokens' spans in order. */
  private readonly rows = new Map<number, HTMLElement>();
  private cols = DEFAULT_COLS;
  private viewPx = DEFAULT_VIEW_PX;
  private scrollTop = 0;
  private step = -1;
  private palette: Palette | undefined;
  private captionKey: [string, UnitSeriesMessage | undefined, Rgb | undefined] = ['', undefined, undefined];
  private picked: readonly number[] = [];
  private frame = 0;
  onStep: (step: number) => void = () => undefined;
  onUnit: (unit: number) => void = () => undefined;

  constructor(title: string, private readonly mostVariableLabel: string) {
    this.caption = el('div', { class: 'text-caption' });
    this.picks = el('div', { class: 'unit-picks', role: 'group', 'aria-label': mostVariableLabel });
    this.spacer = el('div', { class: 'text-rows' });
    this.spacer.style.position = 'relative';
    this.body = el('div', { class: 'text-by-unit', role: 'list', 'aria-label': title, tabindex: '0' }, this.spacer);
    this.body.addEventListener('click', (e) => {
      const t = (e.target as HTMLElement).closest?.('[data-step]') as HTMLElement | null;
      if (t) this.onStep(Number(t.dataset.step));
    });
    this.body.addEventListener('scroll', () => {
      // Scroll events come at the start of a frame, before this frame's writes: the read is cheap.
      this.scrollTop = this.body.scrollTop;
      this.schedule();
    }, { passive: true });
    if (typeof ResizeObserver !== 'undefined') new ResizeObserver(() => this.measure()).observe(this.body);
    this.root = el('section', { class: 'analysis-text' }, el('h3', { text: title }), this.caption, this.picks, this.body);
  }

  /** Buttons for the most variable units (a click selects that unit); rebuilt only when the list changes. */
  setPicks(units: number[], unitLabel: string): void {
    if (units.length === this.picked.length && units.every((u, i) => u === this.picked[i])) return;
    this.picked = units;
    this.picks.replaceChildren(el('span', { class: 'muted', text: `${this.mostVariableLabel}: ` }),
      ...units.map((u) => {
        const b = el('button', { type: 'button', class: 'unit-pick', 'aria-label': `${unitLabel} ${u}`, text: String(u) });
        b.addEventListener('click', () => this.onUnit(u));
        return b;
      }));
  }

  /**
   * Shows `tokens` with the current step marked and kept in view, coloured by `series` (when undefined,
   * the colours already shown stay until the new unit's values arrive). Cheap when only the step moved.
   */
  render(tokens: readonly string[], step: number, series: UnitSeriesMessage | undefined, background: Rgb, captionText: string): void {
    if (tokens !== this.tokens) {
      this.tokens = tokens;
      this.relayout();
    }
    if (series && (series !== this.palette?.series || background !== this.palette.background)) {
      this.palette = paletteOf(series, background);
      for (const [r, row] of this.rows) this.styleRow(r, row);
      this.body.dataset.series = this.shownSeries();
    }
    // The caption already names the newly selected unit; until its values arrive the old colours stay,
    // dimmed and marked busy (screen readers, and the e2e waits on data-series, not on the caption).
    const busy = series === undefined && this.tokens.length > 0 ? 'true' : 'false';
    if (this.body.getAttribute('aria-busy') !== busy) this.body.setAttribute('aria-busy', busy);
    const [text, s, bg] = this.captionKey;
    if (text !== captionText || s !== series || bg !== background) {
      this.captionKey = [captionText, series, background];
      const kind = series ? scaleKind(series.channel) : 'diverging';
      const [lo, hi] = series ? unitScale(series) : [0, 1];
      this.caption.replaceChildren(captionText, ...(series ? [' · ', ...legend(kind, lo, hi, background)] : []));
    }
    if (step !== this.step) {
      this.spanOf(this.step)?.classList.remove('current');
      this.spanOf(this.step)?.removeAttribute('aria-current');
      this.step = step;
      this.follow();
    }
    this.syncRows();
  }

  /** Unit and channel whose values colour the text ('' before any), for tests and the e2e. */
  shownSeries(): string {
    const s = this.palette?.series;
    return s ? `${s.channel}/${s.unit}` : '';
  }

  private relayout(): void {
    this.starts = layoutRows(this.tokens, this.cols);
    for (const row of this.rows.values()) row.remove();
    this.rows.clear();
    this.spacer.style.height = `${this.starts.length * ROW_PX}px`;
    this.follow(true);
  }

  /** Keeps the current step's row visible (one scroll write when it left the view, none otherwise). */
  private follow(force = false): void {
    if (this.step < 0 || !this.starts.length) return;
    const row = rowOf(this.starts, Math.min(this.step, this.tokens.length - 1));
    const top = followRow(row, this.starts.length, this.scrollTop, this.viewPx, force);
    if (top !== this.scrollTop) {
      this.body.scrollTop = top;
      this.scrollTop = top;
    }
  }

  /** Adds the rows that came into view, drops those that left, marks the current token. */
  private syncRows(): void {
    const [first, end] = rowWindow(this.starts.length, this.scrollTop, this.viewPx);
    for (const [r, row] of this.rows) {
      if (r < first || r >= end) {
        row.remove();
        this.rows.delete(r);
      }
    }
    for (let r = first; r < end; r++) if (!this.rows.has(r)) this.spacer.append(this.buildRow(r));
    const cur = this.spanOf(this.step);
    if (cur && !cur.classList.contains('current')) {
      cur.classList.add('current');
      cur.setAttribute('aria-current', 'true');
    }
  }

  private buildRow(r: number): HTMLElement {
    const row = el('div', { class: 'tok-row' });
    const st = row.style;
    st.position = 'absolute';
    st.left = st.right = '0';
    st.top = `${r * ROW_PX}px`;
    st.height = st.lineHeight = `${ROW_PX}px`;
    st.whiteSpace = 'pre';
    st.overflow = 'hidden';
    const end = r + 1 < this.starts.length ? this.starts[r + 1] : this.tokens.length;
    for (let t = this.starts[r]; t < end; t++) {
      row.append(el('span', { class: 'tok', role: 'listitem', 'data-step': String(t), 'aria-posinset': String(t + 1), 'aria-setsize': String(this.tokens.length), text: textLabel(this.tokens[t]) }));
    }
    this.styleRow(r, row);
    this.rows.set(r, row);
    return row;
  }

  private styleRow(r: number, row: HTMLElement): void {
    const p = this.palette;
    if (!p) return;
    const first = this.starts[r];
    const codes = p.series.codes;
    for (let k = 0; k < row.children.length; k++) {
      const t = first + k;
      if (t >= codes.length) break;
      const s = row.children[k] as HTMLElement;
      const q = codes[t];
      s.style.background = p.bg[q];
      s.style.color = p.fg[q];
      s.title = `${t}: ${p.value[q].toFixed(3)}`;
    }
  }

  private spanOf(step: number): HTMLElement | undefined {
    if (step < 0 || step >= this.tokens.length || !this.starts.length) return undefined;
    const r = rowOf(this.starts, step);
    return this.rows.get(r)?.children[step - this.starts[r]] as HTMLElement | undefined;
  }

  /** Size of the scroller and of a character, read in the ResizeObserver callback (layout is clean there). */
  private measure(): void {
    const probe = el('span', { text: 'MMMMMMMMMM', 'aria-hidden': 'true' });
    probe.style.position = 'absolute';
    probe.style.visibility = 'hidden';
    this.spacer.append(probe);
    const charPx = probe.getBoundingClientRect().width / 10;
    probe.remove();
    const width = this.body.clientWidth - 2 * PAD_PX;
    this.viewPx = this.body.clientHeight || DEFAULT_VIEW_PX;
    const cols = charPx > 0 && width > 0 ? Math.max(8, Math.floor(width / charPx)) : DEFAULT_COLS;
    if (cols !== this.cols) {
      this.cols = cols;
      this.relayout();
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.frame || typeof requestAnimationFrame !== 'function') return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.syncRows();
    });
  }
}

function paletteOf(series: UnitSeriesMessage, background: Rgb): Palette {
  const kind = scaleKind(series.channel);
  // Scale: a gate's own 0..1; a signed value by this unit's largest |value|, so a unit that moves in a
  // small range still shows its pattern (the legend says which range).
  const [lo, hi] = unitScale(series);
  const p: Palette = { series, background, bg: [], fg: [], value: new Float32Array(256) };
  for (let q = 0; q < 256; q++) {
    const v = dequantize(q, series.lo, series.hi);
    const c = valueColour(kind, v, lo, hi, background);
    p.bg.push(css(c));
    p.fg.push(textColour(c));
    p.value[q] = v;
  }
  return p;
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
