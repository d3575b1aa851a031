/**
 * Paints trace values as heat strips: one band per channel (C on top like the conveyor belt, the gates
 * in the middle, h at the bottom), one pixel row per unit, one column per step. The same pixels serve
 * the compact and the detailed level of detail; only the column width and gaps change.
 */
import { channelKind, divergingLut, Lut, readTheme, sequentialLut, symmetricRemap, ThemeColors } from '../colors';
import { cssVar } from '../cssCache';
import type { TraceData } from '../data';
import type { Store } from '../state';

/** Columns kept rendered per band: more than a viewport holds at the narrowest step width (2 px). */
const RING = 2048;

export interface Band {
  channel: string;
  /** Direction whose values the band shows (bidirectional layers show both, aligned by input position). */
  dir: number;
  label: string;
  y: number;
  h: number;
  units: number;
}

const LABELS: Record<string, string> = { c: 'C', h: 'h', i: 'i', f: 'f', g: 'C̃', o: 'o', r: 'r', z: 'z', n: 'n', m: 'm' };

/** Display order: cell state first (the belt), gates, then the hidden state. */
export function bandOrder(channels: readonly string[]): string[] {
  const rank = (c: string) => (c === 'c' ? 0 : c === 'h' ? 3 : c === 'm' ? 2 : 1);
  const gateOrder = ['f', 'i', 'g', 'o', 'r', 'z', 'n'];
  return [...channels].sort((a, b) => rank(a) - rank(b) || gateOrder.indexOf(a) - gateOrder.indexOf(b));
}

/** Splits `height` px into bands with `gap` px between them; each band at least 4 px. */
export function layoutBands(channels: readonly string[], widths: Record<string, number>, top: number, height: number, gap = 4, directions = 1): Band[] {
  const order = bandOrder(channels);
  if (!order.length) return [];
  const rows = order.length * directions;
  // A wider gap separates the forward block from the reverse block.
  const h = Math.max(3, Math.floor((height - gap * (rows - 1) - (directions - 1) * gap * 2) / rows));
  const out: Band[] = [];
  for (let dir = 0; dir < directions; dir++) {
    const base = top + dir * (order.length * (h + gap) + gap * 2);
    const arrow = directions === 2 ? (dir === 0 ? '→' : '←') : '';
    order.forEach((channel, k) => out.push({ channel, dir, label: `${arrow}${LABELS[channel] ?? channel}`, y: base + k * (h + gap), h, units: widths[channel] ?? 1 }));
  }
  return out;
}

export class TracePainter {
  private theme: ThemeColors | undefined;
  private seqLut: Lut | undefined;
  private divLut: Lut | undefined;
  private offscreen: HTMLCanvasElement | undefined;
  /**
   * Rendered columns, per band, in a ring of RING columns indexed by step mod RING: scrolling and playing
   * only render the columns that came into view; the rest is copied by drawImage.
   */
  private rings = new Map<string, { canvas: HTMLCanvasElement; steps: Int32Array }>();
  /**
   * The run the rings were rendered from. A block arriving does not invalidate them (a step's codes never
   * change within a run, and columns rendered before their data arrived are not marked, so they are
   * retried): clearing them then re-rendered every visible column, a ~70 ms frame every 512 steps.
   */
  private ringRun = -1;
  bands: Band[] = [];

  constructor(private readonly data: TraceData, private readonly store: Store) {}

  /** Re-reads theme colours (call when the theme changes). */
  setTheme(theme: ThemeColors): void {
    this.theme = theme;
    this.seqLut = sequentialLut(theme);
    this.divLut = divergingLut(theme);
    this.rings.clear();
  }

  layout(top: number, height: number): Band[] {
    const s = this.data.summary;
    if (!s) return (this.bands = []);
    const widths: Record<string, number> = {};
    for (const c of s.channels) widths[c] = c === 'h' ? s.outputSize : s.hiddenSize;
    this.bands = layoutBands(s.channels, widths, top, height, 4, s.numDirections);
    return this.bands;
  }

  /** Band and unit under a y coordinate (for clicks). */
  hit(y: number): { channel: string; unit: number; dir: number } | undefined {
    for (const b of this.bands) {
      if (y >= b.y && y < b.y + b.h) return { channel: b.channel, dir: b.dir, unit: Math.min(b.units - 1, Math.floor(((y - b.y) / b.h) * b.units)) };
    }
    return undefined;
  }

  /**
   * Draws steps [first, end): step t's column starts at (t − first)·w − offsetX. Detailed mode leaves a
   * gap between gate columns; the C and h bands stay continuous, like the belt and the wire in the diagrams.
   */
  paint(ctx: CanvasRenderingContext2D, first: number, end: number, w: number, offsetX: number, detailed: boolean): void {
    const s = this.store.get();
    if (!this.theme) this.setTheme(readTheme(getComputedStyle(document.body)));
    const n = end - first;
    if (n <= 0 || !this.bands.length) return;
    if (this.ringRun !== this.data.run) {
      this.rings.clear();
      this.ringRun = this.data.run;
    }
    for (const band of this.bands) {
      ctx.imageSmoothingEnabled = false;
      const continuous = !detailed || band.channel === 'c' || band.channel === 'h';
      const inset = continuous ? 0 : Math.min(4, Math.floor(w * 0.12));
      const ring = n <= RING ? this.ring(band, first, n, s.layer) : undefined;
      if (ring) {
        // Visible steps map onto at most two runs of ring slots (the ring wraps once).
        for (let k = 0; k < n;) {
          const slot = (first + k) % RING;
          const len = Math.min(n - k, RING - slot);
          if (inset === 0) ctx.drawImage(ring, slot, 0, len, band.units, k * w - offsetX, band.y, len * w, band.h);
          else for (let j = 0; j < len; j++) ctx.drawImage(ring, slot + j, 0, 1, band.units, (k + j) * w - offsetX + inset, band.y, w - 2 * inset, band.h);
          k += len;
        }
      } else {
        const img = this.bandImage(band, first, n, s.layer, band.dir);
        if (!img) continue;
        const off = (this.offscreen ??= document.createElement('canvas'));
        off.width = n;
        off.height = band.units;
        off.getContext('2d')!.putImageData(img, 0, 0);
        if (inset === 0) ctx.drawImage(off, 0, 0, n, band.units, -offsetX, band.y, n * w, band.h);
        else for (let k = 0; k < n; k++) ctx.drawImage(off, k, 0, 1, band.units, k * w - offsetX + inset, band.y, w - 2 * inset, band.h);
      }
      if (band.dir === s.direction && (s.gate === band.channel || (s.gate === '' && band.channel === 'c'))) this.markUnit(ctx, band, s.unit, n * w - offsetX);
    }
  }

  /**
   * Renders the columns of steps [first, end) into the rings ahead of need (playback's next page, in idle
   * time), so the frame that turns to them only copies pixels.
   */
  prepare(first: number, end: number): void {
    const n = Math.min(end, this.data.summary?.steps ?? 0) - first;
    if (n <= 0 || n > RING / 2 || !this.bands.length || !this.theme) return;
    if (this.ringRun !== this.data.run) {
      this.rings.clear();
      this.ringRun = this.data.run;
    }
    const layer = this.store.get().layer;
    for (const band of this.bands) this.ring(band, first, n, layer);
  }

  /** The band's ring with steps [first, first+n) rendered (columns without data stay transparent and are retried). */
  private ring(band: Band, first: number, n: number, layer: number): HTMLCanvasElement | undefined {
    const key = `${layer}/${band.dir}/${band.channel}`;
    let r = this.rings.get(key);
    if (!r) {
      // Other layers' rings are dropped rather than kept (each is RING × units × 4 bytes).
      if (this.rings.size >= 2 * this.bands.length) this.rings.clear();
      const canvas = document.createElement('canvas');
      canvas.width = RING;
      canvas.height = band.units;
      r = { canvas, steps: new Int32Array(RING).fill(-1) };
      this.rings.set(key, r);
    }
    const ctx = r.canvas.getContext('2d');
    if (!ctx) return undefined;
    for (let k = 0; k < n;) {
      if (r.steps[(first + k) % RING] === first + k) {
        k++;
        continue;
      }
      // A run of missing columns that is contiguous in the ring: rendered with one putImageData.
      let len = 1;
      while (k + len < n && (first + k + len) % RING !== 0 && r.steps[(first + k + len) % RING] !== first + k + len) len++;
      const img = this.bandImage(band, first + k, len, layer, band.dir, true);
      ctx.putImageData(img!, (first + k) % RING, 0);
      for (let j = 0; j < len; j++) if (this.data.codes(layer, band.dir, band.channel, first + k + j)) r.steps[(first + k + j) % RING] = first + k + j;
      k += len;
    }
    return r.canvas;
  }

  private markUnit(ctx: CanvasRenderingContext2D, band: Band, unit: number, right: number): void {
    if (unit >= band.units) return;
    const rowH = band.h / band.units;
    ctx.strokeStyle = cssVar('--vscode-focusBorder', '#0078d4');
    ctx.lineWidth = 1;
    ctx.strokeRect(0.5, band.y + unit * rowH + 0.5, Math.max(1, right) - 1, Math.max(1, rowH - 1));
  }

  /** RGBA pixels: column k = step first+k, row = unit; transparent where data has not arrived. */
  private bandImage(band: Band, first: number, n: number, layer: number, dir: number, always = false): ImageData | undefined {
    const lut = channelKind(band.channel) === 'sigmoid' ? this.seqLut! : this.divLut!;
    const img = new ImageData(n, band.units);
    const px = img.data;
    let any = false;
    let remap: Uint8Array | undefined;
    let remapKey = '';
    for (let k = 0; k < n; k++) {
      const col = this.data.codes(layer, dir, band.channel, first + k);
      if (!col) continue;
      any = true;
      let map: Uint8Array | undefined;
      if (channelKind(band.channel) === 'diverging') {
        const key = `${col.lo}/${col.hi}`;
        if (key !== remapKey) {
          remap = symmetricRemap(col.lo, col.hi);
          remapKey = key;
        }
        map = remap;
      }
      for (let u = 0; u < band.units; u++) {
        const q = map ? map[col.data[u]] : col.data[u];
        const o = (u * n + k) * 4;
        px[o] = lut[q * 4];
        px[o + 1] = lut[q * 4 + 1];
        px[o + 2] = lut[q * 4 + 2];
        px[o + 3] = 255;
      }
    }
    return any || always ? img : undefined;
  }
}
