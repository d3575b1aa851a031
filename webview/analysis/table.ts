/**
 * Screen-reader alternative: a table of the focused step and unit — for each channel, the unit's exact
 * value and the mean, min and max over all units at that step. Its caption is a polite live region, so
 * the summary is read out as the selection changes.
 */
import { el } from '../dom';

export interface TableStrings {
  table: string;
  channel: string;
  valueOfUnit: string;
  meanOverUnits: string;
  minOverUnits: string;
  maxOverUnits: string;
}

/** Row of the table: [channel, unit value, mean, min, max] as text (exact float32 values, 4 decimals). */
export function summaryRows(values: Record<string, Float32Array>, unit: number, order: readonly string[]): string[][] {
  const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(4) : String(v));
  return order.filter((c) => values[c]).map((c) => {
    const a = values[c];
    let sum = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of a) {
      sum += v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    return [c, unit < a.length ? fmt(a[unit]) : '—', fmt(sum / a.length), fmt(lo), fmt(hi)];
  });
}

export class FocusTable {
  readonly root: HTMLElement;
  readonly caption: HTMLElement;
  private readonly body: HTMLTableSectionElement;

  constructor(private readonly s: TableStrings) {
    this.caption = el('caption', { 'aria-live': 'polite' });
    this.body = el('tbody');
    const head = el('thead', {}, el('tr', {}, ...[s.channel, s.valueOfUnit, s.meanOverUnits, s.minOverUnits, s.maxOverUnits].map((h) => el('th', { scope: 'col', text: h }))));
    this.root = el('section', { class: 'analysis-table' }, el('table', { class: 'focus-table' }, this.caption, head, this.body));
  }

  /** Playback renders every step: cells are rewritten in place, and only the texts that changed. */
  render(caption: string, rows: string[][]): void {
    if (this.caption.textContent !== caption) this.caption.textContent = caption;
    const trs = this.body.rows;
    const same = trs.length === rows.length && rows.every((r, i) => trs[i].cells.length === r.length && trs[i].cells[0].textContent === r[0]);
    if (!same) {
      this.body.replaceChildren(...rows.map((r) => el('tr', {}, el('th', { scope: 'row', text: r[0] }), ...r.slice(1).map((c) => el('td', { text: c })))));
      return;
    }
    rows.forEach((r, i) => r.forEach((text, k) => {
      const cell = trs[i].cells[k];
      if (cell.textContent !== text) cell.textContent = text;
    }));
  }
}
