/**
 * Gate saturation scatter: one point per unit at (fraction of steps < 0.1, fraction > 0.9) of a sigmoid
 * gate — left- vs right-saturated units stand apart. SVG (at most ~1,000 points); clicking a point selects
 * the unit (the panel then jumps to its most saturated step).
 */
import type { UnitStatsMessage } from '../../src/protocol/messages';

const NS = 'http://www.w3.org/2000/svg';
export const SCATTER_SIZE = 180;
const PAD = 28;

function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** Point of a unit in plot coordinates (x: low fraction, y: high fraction, origin bottom-left). */
export function scatterPoint(low: number, high: number): [number, number] {
  return [PAD + low * (SCATTER_SIZE - PAD - 6), SCATTER_SIZE - PAD - high * (SCATTER_SIZE - PAD - 6)];
}

export class SaturationScatter {
  readonly svg: SVGSVGElement;
  onUnit: (unit: number) => void = () => undefined;

  constructor(label: string, private readonly xLabel: string, private readonly yLabel: string) {
    this.svg = svgEl('svg', { viewBox: `0 0 ${SCATTER_SIZE} ${SCATTER_SIZE}`, width: SCATTER_SIZE, height: SCATTER_SIZE, role: 'img', 'aria-label': label, class: 'scatter' });
    this.svg.addEventListener('click', (e) => {
      const u = (e.target as Element).getAttribute?.('data-unit');
      if (u !== null && u !== undefined) this.onUnit(Number(u));
    });
  }

  private shown: { stats: UnitStatsMessage | undefined; selected: number } | undefined;

  render(stats: UnitStatsMessage | undefined, selected: number, unitLabel: string): void {
    // Playback changes the step, not these: rebuilding ~1,000 points per frame would be wasted work.
    if (this.shown && this.shown.stats === stats && this.shown.selected === selected) return;
    if (this.shown && this.shown.stats === stats && stats) {
      // Only the selection moved: restyle two points instead of rebuilding ~1,000 nodes.
      this.mark(this.shown.selected, false);
      this.mark(selected, true);
      this.shown = { stats, selected };
      return;
    }
    this.shown = { stats, selected };
    const axis = svgEl('g', { class: 'axis' });
    const [x0, y0] = scatterPoint(0, 0);
    const [x1, y1] = scatterPoint(1, 1);
    axis.append(svgEl('line', { x1: x0, y1: y0, x2: x1, y2: y0 }), svgEl('line', { x1: x0, y1: y0, x2: x0, y2: y1 }));
    const text = (x: number, y: number, s: string, anchor = 'middle', rotate = false) => {
      const t = svgEl('text', { x, y, 'text-anchor': anchor, ...(rotate ? { transform: `rotate(-90 ${x} ${y})` } : {}) });
      t.textContent = s;
      return t;
    };
    axis.append(text((x0 + x1) / 2, SCATTER_SIZE - 6, this.xLabel), text(10, (y0 + y1) / 2, this.yLabel, 'middle', true),
      text(x0, y0 + 11, '0'), text(x1, y0 + 11, '1'), text(x0 - 8, y1 + 4, '1'));
    const points = svgEl('g', { class: 'points' });
    let sel: SVGCircleElement | undefined;
    if (stats) {
      for (let u = 0; u < stats.mean.length; u++) {
        const [cx, cy] = scatterPoint(stats.low[u], stats.high[u]);
        const c = svgEl('circle', { cx: cx.toFixed(1), cy: cy.toFixed(1), r: u === selected ? 5 : 3, 'data-unit': u, class: u === selected ? 'point selected' : 'point' });
        const title = svgEl('title', {});
        title.textContent = `${unitLabel} ${u}: < 0.1 ${(stats.low[u] * 100).toFixed(1)}%, > 0.9 ${(stats.high[u] * 100).toFixed(1)}%`;
        c.append(title);
        if (u === selected) sel = c;
        else points.append(c);
      }
      if (sel) points.append(sel); // drawn last: on top
    }
    this.svg.replaceChildren(axis, points);
  }

  private mark(unit: number, selected: boolean): void {
    const c = this.svg.querySelector(`circle[data-unit="${unit}"]`);
    if (!c) return;
    c.setAttribute('r', selected ? '5' : '3');
    c.setAttribute('class', selected ? 'point selected' : 'point');
    if (selected) c.parentNode?.append(c); // drawn last: on top
  }
}
