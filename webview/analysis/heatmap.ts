/**
 * Units × time heatmap of one channel on Canvas 2D. The host bins steps into at most one column per
 * pixel (min, max and mean of the 8-bit codes); units are binned into rows here when there are more
 * units than rows, in the order the sort chose. The selected step and unit are crosshaired; hovering
 * shows the value (≈ from the codes, exact once the step's exact values arrive). Signed channels are
 * coloured on a range from the shown codes (colorRange.ts: robust, largest value or per unit).
 *
 * The crosshair is two overlay elements moved by a compositor transform, not strokes on the canvas: during
 * playback the step moves every frame, and redrawing (and re-uploading) the whole canvas for a 1 px line
 * cost a paint and a texture upload per frame. The canvas is redrawn only when its pixels change.
 */
import { binUnits, type Reduce } from '../../src/analysis/aggregate';
import { fineDiverging, fineIndex, robustRange, rowLimits, type ColourRange, type RangeMode } from '../../src/analysis/colorRange';
import { channelLut, scaleKind, type Rgb } from '../../src/analysis/colorScales';
import { dequantize } from '../../src/engine/quantize';
import type { HeatmapMessage } from '../../src/protocol/messages';
import { el } from '../dom';

export interface HeatmapGeometry {
  /** Steps shown: [start, start + count). */
  start: number;
  count: number;
  width: number;
  height: number;
  /** Pixel rows (≤ units); each covers a run of units in `order`. */
  rows: number;
}

/** Rows to draw `units` units in `maxHeight` px: one row per unit when it fits at ≥ 2 px, else binned. */
export function rowsFor(units: number, maxHeight: number): { rows: number; rowPx: number } {
  if (units * 2 <= maxHeight) return { rows: units, rowPx: Math.min(12, Math.floor(maxHeight / units)) };
  return { rows: Math.max(1, Math.min(units, Math.floor(maxHeight))), rowPx: 1 };
}

/** Step and unit under a point of the canvas (CSS px), given the order units are drawn in. */
export function hitTest(x: number, y: number, g: HeatmapGeometry, order: ArrayLike<number>): { step: number; unit: number } | undefined {
  if (x < 0 || y < 0 || x >= g.width || y >= g.height || g.count <= 0) return undefined;
  const step = g.start + Math.min(g.count - 1, Math.floor((x / g.width) * g.count));
  const row = Math.min(g.rows - 1, Math.floor((y / g.height) * g.rows));
  const first = Math.floor((row * order.length) / g.rows);
  return { step, unit: order[first] };
}

export class HeatmapCanvas {
  readonly canvas: HTMLCanvasElement;
  geometry: HeatmapGeometry = { start: 0, count: 0, width: 0, height: 0, rows: 0 };
  private off: HTMLCanvasElement | undefined;
  private cacheKey: { m: HeatmapMessage; order: ArrayLike<number>; reduce: Reduce; bg: Rgb; rows: number; mode: RangeMode } | undefined;
  /** The colour range of the pixels drawn last (the legend says it); undefined before the first answer. */
  shown: { kind: 'sequential' | 'diverging'; lo: number; hi: number; range: ColourRange; mode: RangeMode } | undefined;
  /** The selected step's column and the selected unit's row, over the canvas (place them in its wrapper). */
  readonly stepLine: HTMLElement;
  readonly unitBox: HTMLElement;
  /** What the canvas shows now: it is redrawn only when this changes. */
  private drawn = '';
  private drawnImage: unknown;
  private placed = { step: '', unit: '', focus: '' };

  constructor(label: string) {
    this.canvas = el('canvas', { class: 'heatmap-canvas', role: 'img', 'aria-label': label, tabindex: '0' });
    const overlay = (cls: string) => {
      const e = el('div', { class: cls, 'aria-hidden': 'true' });
      const st = e.style;
      st.position = 'absolute';
      // The canvas has a 1 px border: its pixels start at (1, 1) in the wrapper.
      st.left = st.top = '1px';
      st.pointerEvents = 'none';
      st.boxSizing = 'border-box';
      st.willChange = 'transform';
      st.display = 'none';
      return e;
    };
    this.stepLine = overlay('heatmap-step');
    this.unitBox = overlay('heatmap-unit');
  }

  /**
   * Paints the answer `m` (its bins cover [m.start, m.start + m.count)) in the current geometry; columns
   * outside the answer's steps stay empty until the next answer arrives.
   */
  paint(m: HeatmapMessage | undefined, order: ArrayLike<number>, reduce: Reduce, background: Rgb, cross: { step: number; unit: number } | undefined, focus: string, mode: RangeMode = 'robust'): void {
    const g = this.geometry;
    const dpr = (typeof devicePixelRatio === 'number' && devicePixelRatio) || 1;
    // An unchanged style write still invalidates style: write only changes.
    if (this.canvas.style.width !== `${g.width}px`) this.canvas.style.width = `${g.width}px`;
    if (this.canvas.style.height !== `${g.height}px`) this.canvas.style.height = `${g.height}px`;
    const cw = Math.max(1, Math.round(g.width * dpr));
    const ch = Math.max(1, Math.round(g.height * dpr));
    if (this.canvas.width !== cw) this.canvas.width = cw;
    if (this.canvas.height !== ch) this.canvas.height = ch;
    this.place(cross, order, focus);
    const ctx = this.canvas.getContext?.('2d');
    if (!ctx) return;
    const usable = m && g.count > 0 && order.length === m.width && g.rows > 0 ? m : undefined;
    if (usable) this.image(usable, order, reduce, background, g.rows, mode);
    else this.shown = undefined;
    const key = `${g.start}/${g.count}/${cw}/${ch}/${g.rows}/${usable ? `${usable.start}/${usable.count}` : '-'}`;
    if (key === this.drawn && this.drawnImage === (usable && this.cacheKey)) return;
    this.drawn = key;
    this.drawnImage = usable && this.cacheKey;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, g.width, g.height);
    if (usable) {
      ctx.imageSmoothingEnabled = false;
      // The answer may be for a slightly different window (scrolling): place it where its steps are now.
      const x0 = ((usable.start - g.start) / g.count) * g.width;
      const w = (usable.count / g.count) * g.width;
      ctx.drawImage(this.off!, 0, 0, usable.bins, g.rows, x0, 0, w, g.height);
    }
  }

  /** The answer's pixels (one per bin and row), rebuilt only when the answer, order, reduction or theme change. */
  private image(m: HeatmapMessage, order: ArrayLike<number>, reduce: Reduce, background: Rgb, rows: number, mode: RangeMode): HTMLCanvasElement {
    const key = this.cacheKey;
    if (this.off && key && key.m === m && key.order === order && key.reduce === reduce && key.bg === background && key.rows === rows && key.mode === mode) return this.off;
    const codes = binUnits(reduce === 'min' ? m.min : reduce === 'max' ? m.max : m.mean, m.bins, m.width, order, rows, reduce);
    const kind = scaleKind(m.channel);
    // The range comes from the means whatever the reduction: switching min/mean/max keeps the legend.
    const range = robustRange(m.mean, m.lo, m.hi, mode);
    this.shown = { kind, lo: m.lo, hi: m.hi, range, mode };
    const img = new ImageData(m.bins, rows);
    const px = img.data;
    if (kind === 'sequential') {
      const lut = channelLut(kind, m.lo, m.hi, background);
      for (let k = 0; k < m.bins; k++) {
        for (let r = 0; r < rows; r++) {
          const q = codes[k * rows + r] * 4;
          const o = (r * m.bins + k) * 4;
          px[o] = lut[q];
          px[o + 1] = lut[q + 1];
          px[o + 2] = lut[q + 2];
          px[o + 3] = 255;
        }
      }
    } else {
      const lut = fineDiverging(background);
      const limits = mode === 'unit' ? rowLimits(codes, m.bins, rows, m.lo, m.hi) : undefined;
      const step = (m.hi - m.lo) / 255;
      for (let k = 0; k < m.bins; k++) {
        for (let r = 0; r < rows; r++) {
          const q = fineIndex(m.lo + codes[k * rows + r] * step, limits ? limits[r] : range.limit) * 3;
          const o = (r * m.bins + k) * 4;
          px[o] = lut[q];
          px[o + 1] = lut[q + 1];
          px[o + 2] = lut[q + 2];
          px[o + 3] = 255;
        }
      }
    }
    const off = (this.off ??= document.createElement('canvas'));
    off.width = m.bins;
    off.height = rows;
    off.getContext('2d')!.putImageData(img, 0, 0);
    this.cacheKey = { m, order, reduce, bg: background, rows, mode };
    return off;
  }

  /** Moves the crosshair overlays; each style is written only when it changes. */
  private place(cross: { step: number; unit: number } | undefined, order: ArrayLike<number>, focus: string): void {
    const g = this.geometry;
    let step = 'none';
    if (cross && cross.step >= g.start && cross.step < g.start + g.count) {
      const x = Math.round(((cross.step - g.start + 0.5) / g.count) * g.width);
      step = `${x}/${g.height}`;
    }
    let unit = 'none';
    let pos = -1;
    if (cross) for (let i = 0; i < order.length; i++) if (order[i] === cross.unit) pos = i;
    if (pos >= 0 && g.rows > 0) {
      const rh = g.height / g.rows;
      unit = `${Math.round(Math.floor((pos * g.rows) / order.length) * rh)}/${g.width}/${Math.max(2, Math.round(rh))}`;
    }
    const refocus = focus !== this.placed.focus;
    if (step !== this.placed.step || refocus) {
      const st = this.stepLine.style;
      if (step === 'none') st.display = 'none';
      else {
        const [x, h] = step.split('/');
        st.display = 'block';
        st.width = '1px';
        st.height = `${h}px`;
        st.background = focus;
        st.transform = `translateX(${x}px)`;
      }
    }
    if (unit !== this.placed.unit || refocus) {
      const st = this.unitBox.style;
      if (unit === 'none') st.display = 'none';
      else {
        const [y, w, h] = unit.split('/');
        st.display = 'block';
        st.width = `${w}px`;
        st.height = `${h}px`;
        st.border = `1px solid ${focus}`;
        st.transform = `translateY(${y}px)`;
      }
    }
    this.placed = { step, unit, focus };
  }

  /** Value of the code under the pointer (≈: 8-bit), for the tooltip. */
  static approxValue(m: HeatmapMessage, step: number, unit: number): number | undefined {
    if (step < m.start || step >= m.start + m.count) return undefined;
    const k = Math.min(m.bins - 1, Math.floor(((step - m.start) * m.bins) / m.count));
    return dequantize(m.mean[k * m.width + unit], m.lo, m.hi);
  }
}
