/**
 * The analysis views under the core views: a units × time heatmap (sortable, level of detail, crosshair,
 * tooltips), the text coloured by the selected unit, the gate-saturation scatter, predictions with the
 * per-step loss strip, exports, and the screen-reader table. Everything follows the one Store (step,
 * layer, direction, unit, gate); the panel keeps only its own view choices (sort, reduction, zoom).
 */
import { mostVariable, sortUnits, type SortKey } from '../../src/analysis/stats';
import type { Reduce } from '../../src/analysis/aggregate';
import { legendText, type RangeMode } from '../../src/analysis/colorRange';
import { css, diverging, viridis, type Rgb } from '../../src/analysis/colorScales';
import type { AnalysisStrings } from '../../src/analysis/strings';
import type { AnalysisToWebview, TraceSummary, WebviewStrings, WebviewToHost } from '../../src/protocol/messages';
import { readTheme } from '../colors';
import { clearCssCache, cssVar } from '../cssCache';
import type { TraceData } from '../data';
import { el } from '../dom';
import type { Store } from '../state';
import { AnalysisData } from './data';
import { heatmapSvg } from './exportImage';
import { HeatmapCanvas, hitTest, rowsFor } from './heatmap';
import { PredictionsView } from './predictions';
import { SaturationScatter } from './scatter';
import { FocusTable, summaryRows } from './table';
import { TextByUnitView } from './text';

const SIGMOID = ['f', 'i', 'o', 'z', 'r'];
const HEATMAP_MAX_HEIGHT = 192;
const CHANNEL_ORDER = ['c', 'h', 'f', 'i', 'g', 'o', 'r', 'z', 'n', 'm'];
/** How often the predictions and the table refresh during playback (always at once when paused). */
const DETAILS_MS_WHILE_PLAYING = 250;

export class AnalysisPanel {
  readonly root: HTMLElement;
  readonly data: AnalysisData;
  readonly heat: HeatmapCanvas;
  readonly text: TextByUnitView;
  readonly scatter: SaturationScatter;
  readonly predictions: PredictionsView;
  readonly table: FocusTable;
  readonly channelSelect: HTMLSelectElement;
  readonly sortSelect: HTMLSelectElement;
  readonly reduceSelect: HTMLSelectElement;
  readonly rangeSelect: HTMLSelectElement;
  /** The heatmap's colour scale and range, in words ("±2.9, clipped; max 36.1"). */
  readonly legend: HTMLElement;
  private readonly legendSwatch: HTMLElement;
  private legendShown = '';
  rangeMode: RangeMode = 'robust';
  readonly status: HTMLElement;
  private readonly tooltip: HTMLElement;
  private readonly heatWrap: HTMLElement;
  private summary: TraceSummary | undefined;
  private tokens: readonly string[] = [];
  /** Steps shown by the heatmap: [viewStart, viewStart + viewCount). */
  viewStart = 0;
  viewCount = 0;
  sortKey: SortKey = 'index';
  reduce: Reduce = 'mean';
  private frame = 0;
  private jumpToSaturated = false;
  private exportId = 0;
  private background: Rgb = [30, 30, 30];
  private orderCache: { stats: unknown; key: SortKey; units: number; order: Uint32Array } | undefined;
  /** Width of the views, px, from the ResizeObserver: reading clientWidth in a frame forces a layout. */
  private width = 0;
  private detailsAt = -Infinity;
  /** The statistics the most-variable picks were computed from (a sort of every unit: not per frame). */
  private picksFrom: unknown;

  constructor(private readonly store: Store, private readonly trace: TraceData, private readonly s: AnalysisStrings, private readonly w: WebviewStrings, private readonly send: (m: WebviewToHost) => void) {
    this.data = new AnalysisData(send);
    this.data.onData = (_kind, m) => this.onData(m);
    const select = (label: string, options: [string, string][], onChange: (v: string) => void) => {
      const sel = el('select', { 'aria-label': label, title: label }, ...options.map(([v, t]) => el('option', { value: v, text: t })));
      sel.addEventListener('change', () => onChange(sel.value));
      return sel;
    };
    this.channelSelect = select(s.channel, [], (v) => store.update({ gate: v }));
    this.sortSelect = select(s.sortBy, [['index', s.sortIndex], ['variance', s.sortVariance], ['mean', s.sortMean], ['saturation', s.sortSaturation], ['bracket', s.sortBracket]], (v) => {
      this.sortKey = v as SortKey;
      this.schedule();
    });
    this.reduceSelect = select(s.reduce, [['mean', s.reduceMean], ['max', s.reduceMax], ['min', s.reduceMin]], (v) => {
      this.reduce = v as Reduce;
      this.schedule();
    });
    this.rangeSelect = select(s.rangeMode, [['robust', s.rangeRobust], ['full', s.rangeFull], ['unit', s.rangeUnit]], (v) => {
      this.rangeMode = v as RangeMode;
      this.schedule();
    });
    const btn = (label: string, text: string, fn: () => void) => {
      const b = el('button', { type: 'button', 'aria-label': label, title: label, text });
      b.addEventListener('click', fn);
      return b;
    };
    this.status = el('span', { class: 'analysis-status', role: 'status' });
    const controls = el('div', { class: 'analysis-controls' },
      el('label', { text: `${s.channel} ` }, this.channelSelect), el('label', { text: `${s.sortBy} ` }, this.sortSelect),
      el('label', { text: `${s.reduce} ` }, this.reduceSelect), el('label', { text: `${s.rangeMode} ` }, this.rangeSelect),
      btn(s.exportPng, 'PNG', () => this.saveImage('png')), btn(s.exportSvg, 'SVG', () => this.saveImage('svg')),
      btn(s.exportCsv, 'CSV', () => this.exportTensor('csv')), btn(s.exportNpy, 'NPY', () => this.exportTensor('npy')), this.status);
    this.heat = new HeatmapCanvas(`${s.heatmap}. ${s.zoomHint}`);
    this.tooltip = el('div', { class: 'heatmap-tooltip', role: 'tooltip', hidden: '' });
    this.heatWrap = el('div', { class: 'heatmap-wrap', title: s.zoomHint }, this.heat.canvas, this.heat.stepLine, this.heat.unitBox, this.tooltip);
    this.heat.canvas.addEventListener('click', (e) => this.onHeatClick(e));
    this.heat.canvas.addEventListener('mousemove', (e) => this.onHover(e));
    this.heat.canvas.addEventListener('mouseleave', () => { this.tooltip.hidden = true; });
    this.heat.canvas.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    this.heat.canvas.addEventListener('keydown', (e) => this.onKey(e));
    this.legendSwatch = el('span', { class: 'heatmap-legend-swatch', 'aria-hidden': 'true' });
    const sw = this.legendSwatch.style;
    sw.display = 'inline-block';
    sw.width = '96px';
    sw.height = '10px';
    sw.marginRight = '6px';
    sw.verticalAlign = 'middle';
    sw.border = '1px solid var(--unroll-border, transparent)';
    this.legend = el('div', { class: 'heatmap-legend muted' });
    this.text = new TextByUnitView(s.textByUnit, s.mostVariable);
    this.text.onStep = (step) => store.update({ step, playing: false });
    this.text.onUnit = (unit) => store.update({ unit });
    this.scatter = new SaturationScatter(`${s.saturation}. ${s.saturationHelp}`, s.belowAxis, s.aboveAxis);
    this.scatter.onUnit = (unit) => {
      this.jumpToSaturated = true;
      store.update({ unit, gate: this.scatterGate() ?? store.get().gate, playing: false });
    };
    this.predictions = new PredictionsView(s);
    this.predictions.onStep = (step) => store.update({ step, playing: false });
    this.table = new FocusTable({ ...s, channel: s.channel });
    const sat = el('section', { class: 'analysis-scatter' }, el('h3', { text: s.saturation }), el('p', { class: 'muted', text: s.saturationHelp }), this.scatter.svg);
    this.root = el('section', { class: 'analysis', 'aria-label': s.analysis },
      el('h2', { text: s.analysis }), controls, el('h3', { text: s.heatmap }), this.heatWrap, this.legend,
      el('div', { class: 'analysis-row' }, this.text.root, sat), this.predictions.root, this.table.root);
    // Each part paints in its own layer: a change in one (the table's numbers, the current token) re-records
    // that part's paint only, not the ~1,000-point scatter and the rest of the page.
    for (const part of [this.root, this.text.root, sat, this.predictions.root, this.table.root]) part.style.contain = 'layout paint';
    store.subscribe((st, changed) => {
      if (changed.has('step') && this.summary) this.follow(st.step);
      this.schedule();
    });
    if (typeof ResizeObserver !== 'undefined') {
      new ResizeObserver(() => {
        // Layout is clean inside the callback: this read is free.
        this.width = Math.floor(this.heatWrap.clientWidth);
        this.schedule();
      }).observe(this.heatWrap);
    }
  }

  setTokens(tokens: readonly string[]): void {
    this.tokens = tokens;
    this.schedule();
  }

  setSummary(summary: TraceSummary): void {
    this.summary = summary;
    this.data.reset(summary.runId);
    this.viewStart = 0;
    this.viewCount = summary.steps;
    const chans = CHANNEL_ORDER.filter((c) => summary.channels.includes(c));
    this.channelSelect.replaceChildren(...chans.map((c) => el('option', { value: c, text: c === 'c' ? 'C' : c === 'g' ? 'C̃' : c })));
    this.onThemeChange();
  }

  onMessage(m: AnalysisToWebview): void {
    this.data.onMessage(m);
  }

  /** Exact values of a step arrived (tooltip and table use them). */
  onExact(): void {
    this.schedule();
  }

  onThemeChange(): void {
    // The App's theme observer can run before the cache's own: forget stale colours first.
    clearCssCache();
    const bg = readTheme({ getPropertyValue: (name) => cssVar(name, '') }).background;
    // A new array only when the colour changed: caches compare it by identity.
    if (bg.some((v, i) => v !== this.background[i])) this.background = bg;
    this.schedule();
  }

  /** The heatmap's channel: the selected gate when this run records it, else C (LSTM) or h. */
  channel(): string {
    const sum = this.summary;
    const g = this.store.get().gate;
    if (!sum) return g || 'h';
    return g && sum.channels.includes(g) ? g : sum.channels.includes('c') ? 'c' : 'h';
  }

  /** The gate the scatter shows: the selected channel if it is a sigmoid gate, else f (LSTM) / z (GRU). */
  scatterGate(): string | undefined {
    const ch = this.channel();
    if (SIGMOID.includes(ch)) return ch;
    return SIGMOID.find((g) => this.summary?.channels.includes(g));
  }

  /** Unit order of the heatmap (identity until the statistics arrive). */
  order(): Uint32Array {
    const sum = this.summary;
    const st = this.store.get();
    const units = sum ? (this.channel() === 'h' ? sum.outputSize : sum.hiddenSize) : 0;
    const stats = this.sortKey === 'index' ? undefined : this.data.statsOf(st.layer, st.direction, this.channel());
    const use = stats && stats.mean.length === units ? stats : undefined;
    // The same array while nothing changed, so the heatmap's cached pixels stay valid.
    const c = this.orderCache;
    if (c && c.stats === use && c.key === this.sortKey && c.units === units) return c.order;
    const order = use ? sortUnits({ ...use, units }, this.sortKey) : Uint32Array.from({ length: units }, (_, i) => i);
    this.orderCache = { stats: use, key: this.sortKey, units, order };
    return order;
  }

  /** Keeps the current step inside the heatmap's window (scrolls by whole windows' quarters). */
  private follow(step: number): void {
    if (step >= this.viewStart && step < this.viewStart + this.viewCount) return;
    const T = this.summary!.steps;
    this.viewStart = Math.max(0, Math.min(T - this.viewCount, step - Math.floor(this.viewCount / 4)));
  }

  /** Zooms the heatmap by `factor` around the step under `anchor` (0..1 of the width). */
  zoom(factor: number, anchor = 0.5): void {
    const T = this.summary?.steps ?? 0;
    if (!T) return;
    const count = Math.max(Math.min(T, 16), Math.min(T, Math.round(this.viewCount / factor)));
    const at = this.viewStart + anchor * this.viewCount;
    this.viewStart = Math.max(0, Math.min(T - count, Math.round(at - anchor * count)));
    this.viewCount = count;
    this.schedule();
  }

  scroll(steps: number): void {
    const T = this.summary?.steps ?? 0;
    this.viewStart = Math.max(0, Math.min(T - this.viewCount, Math.round(this.viewStart + steps)));
    this.schedule();
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    const r = this.heat.canvas.getBoundingClientRect();
    if (e.ctrlKey) this.zoom(Math.exp(-e.deltaY * 0.002), r.width ? (e.clientX - r.left) / r.width : 0.5);
    else this.scroll(((Math.abs(e.deltaX) > Math.abs(e.deltaY) ? e.deltaX : e.deltaY) / Math.max(1, r.width)) * this.viewCount);
  }

  /** ↑/↓ move the unit in the sorted order; +/− zoom. (← → stay the App's step keys.) */
  private onKey(e: KeyboardEvent): void {
    if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      const order = [...this.order()];
      const i = order.indexOf(this.store.get().unit);
      const next = order[Math.max(0, Math.min(order.length - 1, i + (e.key === 'ArrowUp' ? -1 : 1)))];
      if (next !== undefined) this.store.update({ unit: next });
    } else if (e.key === '+' || e.key === '=') this.zoom(2);
    else if (e.key === '-') this.zoom(0.5);
    else return;
    e.preventDefault();
    e.stopPropagation();
  }

  private pointer(e: MouseEvent): { step: number; unit: number } | undefined {
    const r = this.heat.canvas.getBoundingClientRect();
    return hitTest(e.clientX - r.left, e.clientY - r.top, this.heat.geometry, this.order());
  }

  private onHeatClick(e: MouseEvent): void {
    const hit = this.pointer(e);
    if (hit) this.store.update({ step: hit.step, unit: hit.unit, gate: this.channel(), playing: false });
  }

  private onHover(e: MouseEvent): void {
    const hit = this.pointer(e);
    const m = this.data.heatmap;
    if (!hit || !m) {
      this.tooltip.hidden = true;
      return;
    }
    const st = this.store.get();
    const ch = this.channel();
    const exact = this.trace.exactValues(st.layer, st.direction, hit.step)?.[ch]?.[hit.unit];
    const approx = HeatmapCanvas.approxValue(m, hit.step, hit.unit);
    const value = exact !== undefined ? `${exact.toFixed(5)} (${this.s.exact})` : approx !== undefined ? `${approx.toFixed(3)} ${this.s.approx}` : '…';
    this.tooltip.textContent = `${this.w.step} ${hit.step} “${this.tokens[hit.step] ?? ''}” · ${this.w.unit} ${hit.unit} · ${ch} = ${value}`;
    this.tooltip.hidden = false;
    const r = this.heatWrap.getBoundingClientRect();
    this.tooltip.style.left = `${Math.min(r.width - 220, Math.max(0, e.clientX - r.left + 12))}px`;
    this.tooltip.style.top = `${e.clientY - r.top + 14}px`;
  }

  private onData(m: AnalysisToWebview): void {
    if (m.type === 'exportDone') {
      if (m.id === this.exportId) this.status.textContent = m.message;
      return;
    }
    if (m.type === 'unitSeries' && this.jumpToSaturated && m.saturatedSteps.length) {
      this.jumpToSaturated = false;
      this.store.update({ step: m.saturatedSteps[0], playing: false });
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.frame) return;
    const raf = typeof requestAnimationFrame === 'function' ? requestAnimationFrame : (f: FrameRequestCallback) => setTimeout(() => f(0), 0) as unknown as number;
    this.frame = raf(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /** Draws every analysis view for the current selection and asks for what is missing. */
  draw(): void {
    const sum = this.summary;
    if (!sum) return;
    const mark = typeof performance !== 'undefined' && typeof performance.mark === 'function';
    if (mark) performance.mark('unroll-analysis-start');
    const st = this.store.get();
    const ch = this.channel();
    if (this.channelSelect.value !== ch) this.channelSelect.value = ch;
    const order = this.order();
    if (!this.width) this.width = Math.floor(this.heatWrap.clientWidth);
    const width = Math.max(100, this.width || 600);
    const { rows, rowPx } = rowsFor(order.length, HEATMAP_MAX_HEIGHT);
    this.heat.geometry = { start: this.viewStart, count: this.viewCount, width, height: rows * rowPx, rows };
    this.data.requestHeatmap({ layer: st.layer, direction: st.direction, channel: ch, start: this.viewStart, count: this.viewCount, bins: Math.min(this.viewCount, width) });
    const h = this.data.heatmap;
    const heat = h && h.layer === st.layer && h.direction === st.direction && h.channel === ch ? h : undefined;
    const focus = cssVar('--vscode-focusBorder', '#ff00ff');
    this.heat.paint(heat, order, this.reduce, this.background, { step: st.step, unit: st.unit }, focus, this.rangeMode);
    this.showLegend(ch);
    // Text coloured by the selected unit of the heatmap's channel.
    this.data.requestSeries(st.layer, st.direction, ch, Math.min(st.unit, order.length - 1));
    const series = this.data.series?.channel === ch && this.data.series.layer === st.layer && this.data.series.direction === st.direction ? this.data.series : undefined;
    const dir = st.direction === 0 ? this.w.forward : this.w.reverse;
    this.text.render(this.tokens, st.step, series?.unit === st.unit ? series : undefined, this.background, `${this.w.unit} ${st.unit} · ${ch} · ${this.w.layer} ${st.layer} ${dir}`);
    const stats = this.data.statsOf(st.layer, st.direction, ch);
    if (stats && stats !== this.picksFrom) {
      this.picksFrom = stats;
      this.text.setPicks(mostVariable({ ...stats, units: stats.mean.length }, 8), this.w.unit);
    }
    const gate = this.scatterGate();
    this.scatter.svg.parentElement?.toggleAttribute('hidden', !gate);
    if (gate) this.scatter.render(this.data.statsOf(st.layer, st.direction, gate), st.unit, this.w.unit);
    // While playing, the numbers (top-k list, table) refresh a few times a second: nobody reads 120 a
    // second, a screen reader would announce every one, and each is a host round trip and a relayout.
    const now = typeof performance !== 'undefined' ? performance.now() : Date.now();
    const details = !st.playing || now - this.detailsAt >= DETAILS_MS_WHILE_PLAYING;
    if (details) {
      this.detailsAt = now;
      this.data.requestPredictions(st.step);
    }
    this.predictions.render(this.data.predictions, this.data.lossStrip, st.step, {
      bar: cssVar('--vscode-charts-purple', '#b180d7'), marker: focus,
    }, width);
    if (details) {
      const values = this.trace.exactValues(st.layer, st.direction, st.step);
      const caption = this.s.tableCaption.replace('{0}', String(st.step)).replace('{1}', this.tokens[st.step] ?? '').replace('{2}', String(st.unit)).replace('{3}', String(st.layer)).replace('{4}', dir);
      this.table.render(caption, values ? summaryRows(values, st.unit, CHANNEL_ORDER) : []);
    }
    if (mark) {
      performance.measure('unroll-analysis-draw', 'unroll-analysis-start');
      // The browser keeps every mark and measure: playback draws 60 a second, so keep them bounded.
      performance.clearMarks('unroll-analysis-start');
      if (++this.measured % 5000 === 0) performance.clearMeasures('unroll-analysis-draw');
    }
  }

  /** The legend under the heatmap: a swatch of the scale and its range; rewritten only when it changes. */
  private showLegend(channel: string): void {
    const shown = this.heat.shown;
    const words = shown ? legendText(shown.kind, shown.lo, shown.hi, shown.range, shown.mode, this.s) : undefined;
    const key = words ? `${channel}|${words.text}|${words.help}|${this.background.join()}` : '';
    if (key === this.legendShown) return;
    this.legendShown = key;
    if (!shown || !words) {
      this.legend.replaceChildren();
      return;
    }
    const stops = shown.kind === 'sequential' ? [0, 0.25, 0.5, 0.75, 1].map((x) => css(viridis(x))) : [-1, -0.5, 0, 0.5, 1].map((x) => css(diverging(x, this.background)));
    this.legendSwatch.style.background = `linear-gradient(to right, ${stops.join(', ')})`;
    this.legend.replaceChildren(this.legendSwatch, `${channel === 'c' ? 'C' : channel === 'g' ? 'C̃' : channel}: ${words.text}`);
    this.legend.title = words.help;
  }

  /** Draws measured so far (their measures are cleared every 5,000). */
  private measured = 0;

  private exportTensor(format: 'csv' | 'npy'): void {
    const st = this.store.get();
    if (!this.summary) return;
    this.exportId += 1;
    this.status.textContent = this.s.exporting;
    this.send({ type: 'exportTensor', id: this.exportId, runId: this.summary.runId, layer: st.layer, direction: st.direction, channel: this.channel(), format });
  }

  private saveImage(format: 'png' | 'svg'): void {
    const st = this.store.get();
    const url = this.heat.canvas.toDataURL?.('image/png') ?? '';
    const base64 = url.slice(url.indexOf(',') + 1);
    if (!base64) return;
    this.exportId += 1;
    const name = `heatmap-layer${st.layer}-${st.direction === 0 ? 'forward' : 'reverse'}-${this.channel()}.${format}`;
    const g = this.heat.geometry;
    const data = format === 'png' ? base64 : heatmapSvg(url, g.width, g.height, `${this.s.heatmap} · ${this.channel()} · ${this.w.layer} ${st.layer}`, this.viewStart, this.viewCount, this.legend.textContent ?? '');
    this.status.textContent = this.s.exporting;
    this.send({ type: 'saveImage', id: this.exportId, format, name, data });
  }
}
