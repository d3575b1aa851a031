/**
 * The unrolled chain: time steps left to right, virtualised. A Canvas 2D layer paints the heat strips
 * for whatever is visible (cost follows pixels, not steps); when zoomed in far enough, detailed DOM cells
 * sit on top of it with the token, the step number, focus and the animated flow of the current step.
 */
import { el } from '../dom';
import { scrollToShow, visibleRange, VisibleRange, zoomScroll } from '../lod';
import type { Store } from '../state';
import type { TracePainter } from './painter';

/** Vertical layout of the chain, px. */
const TOP = 6;
const FOOT = 38;
/** Cells of the next page built per idle period while playing. */
const AHEAD_CELLS = 6;

export class ChainView {
  readonly root: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly cellLayer: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly labelsCol: HTMLElement;
  private readonly cells = new Map<number, HTMLElement>();
  private labels: string[] = [];
  private range: VisibleRange = { mode: 'empty', first: 0, end: 0 };
  private frame = 0;
  /** Step to bring into view at the next draw (read scroll geometry once per frame, not per store update). */
  private revealStep: number | undefined;
  /** What the band labels were last built from: they are rebuilt only when it changes. */
  private labelsKey = '';
  /**
   * The scroller's size and scroll position as last read where layout is clean (ResizeObserver and scroll
   * callbacks) or as last written: reading them inside a frame after other views' writes forces a layout.
   */
  private size = { width: 0, height: 0 };
  private scrollX = 0;
  /**
   * The current step's outline: an overlay moved by a compositor transform. Playback moves the step every
   * frame; the canvas is repainted (and re-uploaded) only when what it shows changes (`drawn`).
   */
  private readonly marker: HTMLElement;
  private markerAt = '';
  private drawn = '';
  /**
   * While playing, the next page's cells are built (and its heat columns rendered) in idle time before
   * playback turns to it: cells exist up to this step. 0 when nothing was built ahead.
   */
  private aheadEnd = 0;
  private aheadTask = 0;
  /** Called after each draw with the visible range (data requests follow it). */
  onVisible: (r: VisibleRange) => void = () => undefined;

  constructor(private readonly store: Store, private readonly painter: TracePainter, ariaLabel: string, private readonly stepLabel: string) {
    this.spacer = el('div', { class: 'chain-spacer' });
    this.cellLayer = el('div', { class: 'chain-cells', role: 'list', 'aria-label': ariaLabel });
    this.canvas = el('canvas', { class: 'chain-canvas', 'aria-hidden': 'true' });
    this.spacer.append(this.cellLayer);
    this.marker = el('div', { class: 'chain-current', 'aria-hidden': 'true' });
    const ms = this.marker.style;
    ms.position = 'absolute';
    ms.top = ms.left = '0';
    ms.boxSizing = 'border-box';
    ms.border = '2px solid var(--unroll-current, #0078d4)';
    ms.pointerEvents = 'none';
    ms.willChange = 'transform';
    ms.display = 'none';
    this.scroller = el('div', { class: 'chain-scroller', tabindex: '0', 'aria-label': ariaLabel }, this.canvas, this.marker, this.spacer);
    this.labelsCol = el('div', { class: 'band-labels', 'aria-hidden': 'true' });
    this.root = el('section', { class: 'chain' }, this.labelsCol, this.scroller);
    this.scroller.addEventListener('scroll', () => {
      this.scrollX = this.scroller.scrollLeft;
      this.schedule();
    }, { passive: true });
    this.scroller.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    this.scroller.addEventListener('click', (e) => this.onClick(e));
    store.subscribe((state, changed) => {
      if (changed.has('stepWidth')) this.relayout();
      if (changed.has('step')) {
        this.revealStep = state.step;
        this.markCurrent();
      }
      this.schedule();
    });
    if (typeof ResizeObserver !== 'undefined') {
      new ResizeObserver(() => {
        this.size = { width: this.scroller.clientWidth, height: this.scroller.clientHeight };
        this.schedule();
      }).observe(this.scroller);
    }
  }

  setLabels(labels: string[]): void {
    this.labels = labels;
    this.rebuild();
  }

  /** Repaints (new data or theme). */
  refresh(): void {
    this.drawn = '';
    this.schedule();
  }

  visible(): VisibleRange {
    return this.range;
  }

  /** Labels of the detailed cells in view, in step order (not those built ahead for playback). */
  renderedLabels(): string[] {
    const { first, end } = this.range;
    return [...this.cells.keys()].filter((s) => s >= first && s < end).sort((a, b) => a - b).map((s) => this.cells.get(s)!.querySelector('.token')!.textContent ?? '');
  }

  /** Zooms by `factor`, keeping the step under `anchorX` (px from the left edge) in place. */
  zoomBy(factor: number, anchorX?: number): void {
    const s = this.store.get();
    const before = s.stepWidth;
    const left = this.scroller.scrollLeft;
    const anchor = anchorX ?? Math.max(0, (s.step + 0.5) * before - left);
    this.store.update({ stepWidth: before * factor });
    const after = this.store.get().stepWidth;
    if (after === before) return;
    this.scrollTo(zoomScroll(anchor, left, before, after));
    this.schedule();
  }

  /** Zoom: the same cells move and resize (rebuilding them on every wheel tick cost a full DOM rebuild). */
  private relayout(): void {
    const w = this.store.get().stepWidth;
    this.spacer.style.width = `${this.labels.length * w}px`;
    for (const [step, cell] of this.cells) {
      cell.style.left = `${step * w}px`;
      cell.style.width = `${w}px`;
    }
    this.schedule();
  }

  private rebuild(): void {
    for (const c of this.cells.values()) c.remove();
    this.cells.clear();
    this.spacer.style.width = `${this.labels.length * this.store.get().stepWidth}px`;
    this.schedule();
  }

  private onWheel(e: WheelEvent): void {
    if (e.ctrlKey) {
      e.preventDefault();
      this.zoomBy(Math.exp(-e.deltaY * 0.002), e.clientX - this.scroller.getBoundingClientRect().left);
    } else if (Math.abs(e.deltaY) > Math.abs(e.deltaX)) {
      // The chain has no vertical overflow: the wheel scrolls time.
      this.scroller.scrollLeft += e.deltaY;
      e.preventDefault();
    }
  }

  private onClick(e: MouseEvent): void {
    const rect = this.scroller.getBoundingClientRect();
    const x = e.clientX - rect.left + this.scroller.scrollLeft;
    const y = e.clientY - rect.top;
    const step = Math.floor(x / this.store.get().stepWidth);
    if (step < 0 || step >= this.labels.length) return;
    const hit = this.painter.hit(y);
    this.store.update({ step, playing: false, ...(hit ? { unit: hit.unit, gate: hit.channel, direction: hit.dir } : {}) });
  }

  private schedule(): void {
    if (this.frame) return;
    const raf = typeof requestAnimationFrame === 'function' ? requestAnimationFrame : (f: FrameRequestCallback) => setTimeout(() => f(0), 0) as unknown as number;
    this.frame = raf(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /** Synchronous draw (reports call it so they describe the current frame). */
  draw(): void {
    const s = this.store.get();
    // No layout reads here (sizes and scroll position are cached), so nothing forces a synchronous layout.
    if (!this.size.width) {
      this.size = { width: this.scroller.clientWidth, height: this.scroller.clientHeight };
      this.scrollX = this.scroller.scrollLeft;
    }
    const width = this.size.width || 600;
    const height = this.size.height || 220;
    if (this.revealStep !== undefined) {
      // Playing: turn a page when the step reaches the edge (a scroll per page, not a repaint per step).
      const left = scrollToShow(this.revealStep, s.stepWidth, this.scrollX, width, s.playing);
      this.revealStep = undefined;
      if (left !== this.scrollX) this.scrollTo(left);
    }
    const scrollLeft = this.scrollX;
    this.range = visibleRange(this.labels.length, s.stepWidth, scrollLeft, width);
    if (this.root.dataset.mode !== this.range.mode) this.root.dataset.mode = this.range.mode;
    const bands = this.painter.layout(TOP, height - TOP - FOOT);
    const key = bands.map((b) => `${b.label}:${b.y}:${b.h}:${s.gate === b.channel && s.direction === b.dir ? 1 : 0}`).join('|');
    if (key !== this.labelsKey) {
      this.labelsKey = key;
      this.labelsCol.replaceChildren(...bands.map((b) => {
        const l = el('span', { class: `band-label${s.gate === b.channel && s.direction === b.dir ? ' selected' : ''}`, text: b.label });
        l.style.top = `${b.y}px`;
        l.style.height = `${b.h}px`;
        return l;
      }));
    }
    if (this.range.mode === 'detailed') this.drawCells();
    else {
      for (const c of this.cells.values()) c.remove();
      this.cells.clear();
    }
    this.drawCanvas(width, height, scrollLeft);
    this.onVisible(this.range);
    if (s.playing) this.scheduleAhead();
  }

  /**
   * Builds the page after the visible one when the main thread is idle: its heat columns, then its cells
   * a few per idle period (21 new cells at once cost one frame a visible extra layout).
   */
  private scheduleAhead(): void {
    const { first, end, mode } = this.range;
    if (this.aheadTask || mode === 'empty' || end >= this.labels.length || this.aheadEnd >= 2 * end - first) return;
    const idle = (fn: () => void) => (typeof requestIdleCallback === 'function' ? requestIdleCallback(fn, { timeout: 100 }) : setTimeout(fn, 0) as unknown as number);
    this.aheadTask = idle(() => {
      this.aheadTask = 0;
      const s = this.store.get();
      const r = this.range;
      if (!s.playing || r.mode === 'empty') return;
      const next = Math.min(this.labels.length, 2 * r.end - r.first);
      this.painter.prepare(r.end, next); // columns already rendered are skipped
      const from = Math.max(r.end, this.aheadEnd);
      const to = r.mode === 'detailed' ? Math.min(next, from + AHEAD_CELLS) : next;
      for (let step = from; step < to; step++) this.addCell(step, s.stepWidth);
      this.aheadEnd = to;
      if (to < next) this.scheduleAhead();
    });
  }

  /** Scrolls to `left` (whole px, clamped like the browser does) and remembers it without reading it back. */
  private scrollTo(left: number): void {
    const max = Math.max(0, Math.floor(this.labels.length * this.store.get().stepWidth - (this.size.width || this.scroller.clientWidth)));
    const x = Math.max(0, Math.min(max, Math.round(left)));
    this.scroller.scrollLeft = x;
    this.scrollX = x;
  }

  private drawCells(): void {
    const { first, end } = this.range;
    const s = this.store.get();
    // Cells built ahead stay while playing (the next page); any other draw drops them.
    if (!s.playing) this.aheadEnd = 0;
    const keep = Math.max(end, this.aheadEnd);
    for (const [step, cell] of this.cells) {
      if (step < first || step >= keep) {
        cell.remove();
        this.cells.delete(step);
      }
    }
    for (let step = first; step < end; step++) this.addCell(step, s.stepWidth);
    this.markCurrent();
  }

  private addCell(step: number, stepWidth: number): void {
    if (this.cells.has(step)) return;
    const label = this.labels[step] ?? '';
    const cell = el('div', { class: 'cell', role: 'listitem', 'data-step': String(step), 'aria-label': `${this.stepLabel} ${step}: ${label}` },
      el('div', { class: 'token', text: label }), el('div', { class: 'step-no', text: String(step) }));
    cell.style.left = `${step * stepWidth}px`;
    cell.style.width = `${stepWidth}px`;
    this.cellLayer.append(cell);
    this.cells.set(step, cell);
  }

  /** Highlights the current step's cell right away, and restarts its flow animation. */
  private markCurrent(): void {
    const step = this.store.get().step;
    for (const [t, cell] of this.cells) {
      const current = t === step;
      if (cell.classList.contains('current') === current) continue;
      cell.classList.toggle('current', current);
      if (current) cell.setAttribute('aria-current', 'step');
      else cell.removeAttribute('aria-current');
    }
  }

  private drawCanvas(width: number, height: number, scrollLeft: number): void {
    const s = this.store.get();
    this.placeMarker(width, height);
    const { first, end, mode } = this.range;
    const key = `${width}/${height}/${scrollLeft}/${first}/${end}/${mode}/${s.stepWidth}/${s.layer}/${s.direction}/${s.gate}/${s.unit}/${this.painter.bands.length}`;
    if (key === this.drawn) return;
    this.drawn = key;
    const dpr = (typeof devicePixelRatio === 'number' && devicePixelRatio) || 1;
    // Viewport-sized and moved with the scroll: drawing cost depends on pixels, not on the number of steps.
    setStyle(this.canvas, 'left', `${scrollLeft}px`);
    setStyle(this.canvas, 'width', `${width}px`);
    setStyle(this.canvas, 'height', `${height}px`);
    const cw = Math.round(width * dpr);
    const ch = Math.round(height * dpr);
    if (this.canvas.width !== cw) this.canvas.width = cw;
    if (this.canvas.height !== ch) this.canvas.height = ch;
    const ctx = this.canvas.getContext?.('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    if (mode === 'empty') return;
    const offsetX = scrollLeft - first * s.stepWidth;
    this.painter.paint(ctx, first, end, s.stepWidth, offsetX, mode === 'detailed');
  }

  private placeMarker(width: number, height: number): void {
    const s = this.store.get();
    const x = s.step * s.stepWidth;
    // Only near the viewport: a transform far outside it would still grow the scrollable overflow.
    const at = this.range.mode !== 'empty' && x + s.stepWidth > this.scrollX - width && x < this.scrollX + 2 * width ? `${x}/${s.stepWidth}/${height}` : 'none';
    if (at === this.markerAt) return;
    this.markerAt = at;
    const ms = this.marker.style;
    if (at === 'none') {
      ms.display = 'none';
      return;
    }
    ms.display = 'block';
    ms.width = `${Math.max(2, s.stepWidth)}px`;
    ms.height = `${height}px`;
    ms.transform = `translateX(${x}px)`;
  }
}

/** Writes a style property only when it changes (an unchanged write still invalidates style). */
function setStyle(e: HTMLElement, prop: 'left' | 'width' | 'height', value: string): void {
  if (e.style[prop] !== value) e.style[prop] = value;
}
