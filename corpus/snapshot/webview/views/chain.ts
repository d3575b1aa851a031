/**
 * The unrolled chain: one column per time step, left to right, virtualised. Detailed DOM cells when
 * zoomed in (few dozen on screen), a Canvas 2D strip of compact columns when zoomed out (thousands).
 * Cell contents (gates, C, h) are drawn by a `CellPainter` so the trace can plug in without this file
 * knowing its layout.
 */
import { el } from '../dom';
import { scrollToShow, visibleRange, VisibleRange, zoomScroll } from '../lod';
import type { Store } from '../state';

export interface CellPainter {
  /** Fills a detailed cell's body for `step` (called when the cell is (re)built or data arrives). */
  paintCell(body: HTMLElement, step: number): void;
  /** Draws compact columns for steps [first, end) onto the canvas, x = (step - first) * w - offset. */
  paintColumns(ctx: CanvasRenderingContext2D, first: number, end: number, stepWidth: number, offsetX: number, height: number): void;
  /** Rows the detailed body needs (px) for layout. */
  bodyHeight(): number;
}

export class ChainView {
  readonly root: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly cellLayer: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly cells = new Map<number, HTMLElement>();
  private labels: string[] = [];
  private range: VisibleRange = { mode: 'empty', first: 0, end: 0 };
  private frame = 0;
  painter: CellPainter | undefined;

  constructor(private readonly store: Store, ariaLabel: string, private readonly stepLabel: string) {
    this.spacer = el('div', { class: 'chain-spacer' });
    this.cellLayer = el('div', { class: 'chain-cells', role: 'list' });
    this.canvas = el('canvas', { class: 'chain-canvas', 'aria-hidden': 'true' });
    this.spacer.append(this.cellLayer);
    this.scroller = el('div', { class: 'chain-scroller', tabindex: '0', 'aria-label': ariaLabel }, this.canvas, this.spacer);
    this.root = el('section', { class: 'chain', 'aria-label': ariaLabel }, this.scroller);
    this.scroller.addEventListener('scroll', () => this.schedule(), { passive: true });
    this.scroller.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    this.cellLayer.addEventListener('click', (e) => {
      const cell = (e.target as HTMLElement).closest<HTMLElement>('[data-step]');
      if (cell) this.store.update({ step: Number(cell.dataset.step), playing: false });
    });
    this.canvas.addEventListener('click', (e) => {
      const s = this.store.get();
      const x = e.offsetX + this.scroller.scrollLeft;
      this.store.update({ step: Math.floor(x / s.stepWidth), playing: false });
    });
    store.subscribe((state, changed) => {
      if (changed.has('stepWidth')) this.rebuild();
      if (changed.has('step')) {
        this.reveal(state.step);
        this.markCurrent();
      }
      this.schedule();
    });
    if (typeof ResizeObserver !== 'undefined') new ResizeObserver(() => this.schedule()).observe(this.scroller);
  }

  setLabels(labels: string[]): void {
    this.labels = labels;
    this.rebuild();
  }

  /** Repaints everything visible (new data arrived). */
  refresh(): void {
    for (const [step, cell] of this.cells) this.fillCell(cell, step);
    this.schedule();
  }

  /** Current visible range (for window requests and reports). */
  visible(): VisibleRange {
    return this.range;
  }

  /** Labels of detailed cells currently in the DOM, in step order. */
  renderedLabels(): string[] {
    return [...this.cells.keys()].sort((a, b) => a - b).map((s) => this.cells.get(s)!.querySelector('.token')!.textContent ?? '');
  }

  private rebuild(): void {
    for (const c of this.cells.values()) c.remove();
    this.cells.clear();
    this.spacer.style.width = `${this.labels.length * this.store.get().stepWidth}px`;
    this.schedule();
  }

  private reveal(step: number): void {
    const w = this.store.get().stepWidth;
    const left = scrollToShow(step, w, this.scroller.scrollLeft, this.scroller.clientWidth || 600);
    if (left !== this.scroller.scrollLeft) this.scroller.scrollLeft = left;
  }

  private onWheel(e: WheelEvent): void {
    if (!e.ctrlKey) {
      // Vertical wheel scrolls time horizontally: the chain has no vertical overflow worth scrolling.
      if (Math.abs(e.deltaY) > Math.abs(e.deltaX)) {
        this.scroller.scrollLeft += e.deltaY;
        e.preventDefault();
      }
      return;
    }
    e.preventDefault();
    this.zoomBy(Math.exp(-e.deltaY * 0.002), e.clientX - this.scroller.getBoundingClientRect().left);
  }

  /** Zooms by `factor`, keeping the step under `anchorX` (px from the left edge) in place. */
  zoomBy(factor: number, anchorX?: number): void {
    const s = this.store.get();
    const before = s.stepWidth;
    this.store.update({ stepWidth: before * factor });
    const after = this.store.get().stepWidth;
    if (after === before) return;
    const anchor = anchorX ?? (s.step + 0.5) * before - this.scroller.scrollLeft;
    this.scroller.scrollLeft = zoomScroll(anchor, this.scroller.scrollLeft, before, after);
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

  /** Synchronous draw (tests and reports call it to avoid waiting for a frame). */
  draw(): void {
    const s = this.store.get();
    const width = this.scroller.clientWidth || 600;
    this.range = visibleRange(this.labels.length, s.stepWidth, this.scroller.scrollLeft, width);
    this.root.dataset.mode = this.range.mode;
    if (this.range.mode === 'detailed') {
      this.canvas.hidden = true;
      this.drawCells();
    } else {
      for (const c of this.cells.values()) c.remove();
      this.cells.clear();
      this.canvas.hidden = this.range.mode === 'empty';
      if (this.range.mode === 'compact') this.drawCanvas(width);
    }
  }

  private drawCells(): void {
    const { first, end } = this.range;
    const s = this.store.get();
    for (const [step, cell] of this.cells) {
      if (step < first || step >= end) {
        cell.remove();
        this.cells.delete(step);
      }
    }
    for (let step = first; step < end; step++) {
      let cell = this.cells.get(step);
      if (!cell) {
        cell = el('div', { class: 'cell', role: 'listitem', 'data-step': String(step) });
        cell.style.left = `${step * s.stepWidth}px`;
        cell.style.width = `${s.stepWidth}px`;
        this.fillCell(cell, step);
        this.cellLayer.append(cell);
        this.cells.set(step, cell);
      }
    }
    this.markCurrent();
  }

  /** Highlights the current step's cell right away (stepping must not wait for a frame). */
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

  private fillCell(cell: HTMLElement, step: number): void {
    const label = this.labels[step] ?? '';
    cell.setAttribute('aria-label', `${this.stepLabel} ${step}: ${label}`);
    cell.replaceChildren();
    const body = el('div', { class: 'cell-body' });
    this.painter?.paintCell(body, step);
    cell.append(body, el('div', { class: 'token', text: label }), el('div', { class: 'step-no', text: String(step) }));
  }

  private drawCanvas(width: number): void {
    const s = this.store.get();
    const dpr = (typeof devicePixelRatio === 'number' && devicePixelRatio) || 1;
    const height = this.scroller.clientHeight || 160;
    // The canvas is as wide as the viewport and moves with the scroll: drawing cost depends on pixels, not steps.
    this.canvas.style.left = `${this.scroller.scrollLeft}px`;
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    if (this.canvas.width !== Math.round(width * dpr)) this.canvas.width = Math.round(width * dpr);
    if (this.canvas.height !== Math.round(height * dpr)) this.canvas.height = Math.round(height * dpr);
    const ctx = this.canvas.getContext?.('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const { first, end } = this.range;
    const offsetX = this.scroller.scrollLeft - first * s.stepWidth;
    const css = getComputedStyle(this.root);
    if (this.painter) this.painter.paintColumns(ctx, first, end, s.stepWidth, offsetX, height);
    else {
      ctx.fillStyle = css.getPropertyValue('--unroll-cell-bg') || '#888';
      for (let t = first; t < end; t++) ctx.fillRect((t - first) * s.stepWidth - offsetX, 8, Math.max(1, s.stepWidth - 1), height - 16);
    }
    if (s.step >= first && s.step < end) {
      ctx.strokeStyle = css.getPropertyValue('--unroll-current') || '#f80';
      ctx.lineWidth = 2;
      ctx.strokeRect((s.step - first) * s.stepWidth - offsetX, 1, Math.max(2, s.stepWidth), height - 2);
    }
  }
}
