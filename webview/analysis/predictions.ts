/**
 * Predictions of a decoder model: the top-k next tokens at the current step with probability bars, the
 * actual next token's probability and loss, and the per-step loss as a strip (max per pixel when zoomed out).
 */
import type { PredictionsMessage } from '../../src/protocol/messages';
import { el } from '../dom';
import { textLabel } from './text';

/** Max of `loss` over each of `width` pixel columns (NaN where no step falls). */
export function lossColumns(loss: Float32Array, width: number): Float32Array {
  const out = new Float32Array(width).fill(NaN);
  const n = loss.length;
  for (let x = 0; x < width; x++) {
    const a = Math.floor((x * n) / width);
    const b = Math.max(a + 1, Math.floor(((x + 1) * n) / width));
    let m = NaN;
    for (let t = a; t < Math.min(n, b); t++) if (!(loss[t] <= m)) m = Number.isNaN(loss[t]) ? m : loss[t];
    out[x] = m;
  }
  return out;
}

export class PredictionsView {
  readonly root: HTMLElement;
  private readonly list: HTMLElement;
  private readonly actual: HTMLElement;
  readonly strip: HTMLCanvasElement;
  /** The current step on the strip: an overlay moved by a compositor transform (no canvas redraw per step). */
  private readonly marker: HTMLElement;
  private shown: PredictionsMessage | undefined | null = null;
  /** What the strip canvas shows: the bars are drawn once per (loss, width, colour). */
  private bars: { loss: Float32Array; width: number; colour: string } | undefined;
  private markerAt = '';
  onStep: (step: number) => void = () => undefined;

  constructor(private readonly s: { predictions: string; nextToken: string; actualNext: string; lossStrip: string; noDecoder: string }) {
    this.list = el('ol', { class: 'top-k', 'aria-label': s.nextToken });
    this.actual = el('p', { class: 'actual' });
    this.strip = el('canvas', { class: 'loss-strip', height: '24', role: 'img', 'aria-label': s.lossStrip, title: s.lossStrip });
    this.strip.addEventListener('click', (e) => {
      const r = this.strip.getBoundingClientRect();
      const n = Number(this.strip.dataset.steps ?? 0);
      if (n > 0 && r.width > 0) this.onStep(Math.min(n - 1, Math.floor(((e.clientX - r.left) / r.width) * n)));
    });
    this.marker = el('div', { class: 'loss-marker', 'aria-hidden': 'true' });
    const ms = this.marker.style;
    ms.position = 'absolute';
    ms.left = ms.top = '1px'; // inside the strip's 1 px border
    ms.width = '2px';
    ms.height = `${this.strip.height}px`;
    ms.pointerEvents = 'none';
    ms.willChange = 'transform';
    ms.display = 'none';
    const wrap = el('div', { class: 'loss-strip-wrap' }, this.strip, this.marker);
    wrap.style.position = 'relative';
    this.root = el('section', { class: 'analysis-predictions' }, el('h3', { text: s.predictions }), this.list, this.actual, wrap);
  }

  /** `width`: the strip's width in CSS px (the panel's, measured by its ResizeObserver). */
  render(m: PredictionsMessage | undefined, strip: Float32Array | undefined, step: number, colours: { bar: string; marker: string }, width: number): void {
    if (m?.unavailable) {
      if (this.shown !== m) {
        this.list.replaceChildren();
        this.actual.textContent = this.s.noDecoder;
      }
      this.shown = m;
      if (!this.strip.hidden) this.strip.hidden = true;
      this.marker.style.display = 'none';
      this.markerAt = '';
      return;
    }
    if (this.strip.hidden !== !strip) this.strip.hidden = !strip;
    if (!strip && this.markerAt) {
      this.marker.style.display = 'none';
      this.markerAt = '';
    }
    if (strip) this.paintStrip(strip, step, colours, width);
    // Playback asks for every step's predictions: the list is rebuilt only when an answer arrives.
    if (m === this.shown) return;
    this.shown = m;
    this.list.replaceChildren(...(m?.top ?? []).map((p) => {
      const bar = el('span', { class: 'prob-bar' });
      bar.style.width = `${Math.max(1, Math.round(p.prob * 100))}%`;
      return el('li', {}, el('code', { text: textLabel(p.token) }), el('span', { class: 'prob', text: `${(p.prob * 100).toFixed(1)}%` }), bar);
    }));
    this.actual.textContent = m?.actual ? `${this.s.actualNext}: “${textLabel(m.actual.token)}” p = ${(m.actual.prob * 100).toFixed(1)}%, −ln p = ${m.actual.loss.toFixed(3)}` : '';
  }

  private paintStrip(loss: Float32Array, step: number, colours: { bar: string; marker: string }, cssWidth: number): void {
    const width = Math.max(50, Math.round(cssWidth - 2)); // inside the 1 px border
    if (this.strip.width !== width) this.strip.width = width;
    const steps = String(loss.length);
    if (this.strip.dataset.steps !== steps) this.strip.dataset.steps = steps;
    const ctx = this.strip.getContext?.('2d');
    if (!ctx) return;
    const b = this.bars;
    if (!b || b.loss !== loss || b.width !== width || b.colour !== colours.bar) {
      drawBars(ctx, loss, width, this.strip.height, colours.bar);
      this.bars = { loss, width, colour: colours.bar };
    }
    const at = `${Math.floor(((step + 0.5) / loss.length) * width)}/${colours.marker}`;
    if (at !== this.markerAt) {
      this.markerAt = at;
      const ms = this.marker.style;
      ms.display = 'block';
      ms.background = colours.marker;
      ms.transform = `translateX(${at.slice(0, at.indexOf('/'))}px)`;
    }
  }
}

/** The per-pixel maximum losses as bars, `width` × `h`. */
function drawBars(ctx: CanvasRenderingContext2D, loss: Float32Array, width: number, h: number, colour: string): void {
  ctx.clearRect(0, 0, width, h);
  const cols = lossColumns(loss, width);
  let max = 0;
  for (const v of cols) if (v > max) max = v;
  ctx.fillStyle = colour;
  cols.forEach((v, x) => {
    if (!Number.isNaN(v) && max > 0) {
      const bh = Math.max(1, (v / max) * (h - 2));
      ctx.fillRect(x, h - bh, 1, bh);
    }
  });
}
