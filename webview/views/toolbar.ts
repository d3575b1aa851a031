/** Layer / direction / unit pickers and the colour legends. */
import type { TraceSummary, WebviewStrings } from '../../src/protocol/messages';
import { divergingLut, readTheme, sequentialLut } from '../colors';
import { el } from '../dom';
import type { Store } from '../state';

export class ToolbarView {
  readonly root: HTMLElement;
  private readonly layer: HTMLSelectElement;
  private readonly direction: HTMLSelectElement;
  private readonly unit: HTMLInputElement;
  private readonly sig: HTMLCanvasElement;
  private readonly div: HTMLCanvasElement;
  readonly model: HTMLElement;
  /** Buttons for the units the model's metadata says mean something (e.g. "inside a string or comment"). */
  readonly notable: HTMLElement;

  constructor(private readonly store: Store, private readonly s: WebviewStrings) {
    this.layer = el('select', { 'aria-label': s.layer, title: s.layer });
    this.direction = el('select', { 'aria-label': s.direction, title: s.direction });
    this.unit = el('input', { type: 'number', min: '0', value: '0', 'aria-label': s.unit, title: s.unit, class: 'unit' });
    this.layer.addEventListener('change', () => store.update({ layer: Number(this.layer.value) }));
    this.direction.addEventListener('change', () => store.update({ direction: Number(this.direction.value) }));
    this.unit.addEventListener('change', () => store.update({ unit: Number(this.unit.value) }));
    this.unit.addEventListener('keydown', (e) => e.stopPropagation());
    this.sig = el('canvas', { class: 'legend-bar', width: '128', height: '10', 'aria-hidden': 'true' });
    this.div = el('canvas', { class: 'legend-bar', width: '128', height: '10', 'aria-hidden': 'true' });
    this.model = el('span', { class: 'model' });
    this.notable = el('span', { class: 'notable-units' });
    this.root = el('div', { class: 'toolbar' },
      el('label', { text: `${s.layer} ` }, this.layer),
      el('label', { text: `${s.direction} ` }, this.direction),
      el('label', { text: `${s.unit} ` }, this.unit),
      el('span', { class: 'legend', title: s.sigmoidLegend }, '0 ', this.sig, ' 1 ', el('span', { class: 'legend-name', text: s.sigmoidLegend })),
      el('span', { class: 'legend', title: s.tanhLegend }, '−1 ', this.div, ' +1 ', el('span', { class: 'legend-name', text: s.tanhLegend })),
      this.model, this.notable);
    store.subscribe(() => this.sync());
  }

  setSummary(sum: TraceSummary | undefined): void {
    const opts = (sel: HTMLSelectElement, labels: string[]) => sel.replaceChildren(...labels.map((l, i) => el('option', { value: String(i), text: l })));
    const layers = sum?.numLayers ?? 1;
    opts(this.layer, Array.from({ length: layers }, (_, k) => String(k)));
    opts(this.direction, sum && sum.numDirections === 2 ? [this.s.forward, this.s.reverse] : [this.s.forward]);
    this.layer.disabled = layers < 2;
    this.direction.disabled = !sum || sum.numDirections < 2;
    this.unit.max = String(Math.max(0, (sum?.hiddenSize ?? 1) - 1));
    this.model.textContent = sum ? `${sum.cellName} · H=${sum.hiddenSize}${sum.numLayers > 1 ? ` × ${sum.numLayers}` : ''}${sum.numDirections === 2 ? ' · bi' : ''} · ${sum.modelSource}` : '';
    this.notable.replaceChildren(...(sum?.notableUnits ?? []).map((n) => {
      const b = el('button', { class: 'notable-unit', type: 'button', text: n.label, title: n.label });
      b.addEventListener('click', () => this.store.update({ unit: n.unit, gate: n.channel, playing: false }));
      return b;
    }));
    this.sync();
    this.paintLegends();
  }

  sync(): void {
    const st = this.store.get();
    // Runs at every step of playback: a field is written only when its value changed.
    if (this.layer.value !== String(st.layer)) this.layer.value = String(st.layer);
    if (this.direction.value !== String(st.direction)) this.direction.value = String(st.direction);
    if (document.activeElement !== this.unit && this.unit.value !== String(st.unit)) this.unit.value = String(st.unit);
  }

  paintLegends(): void {
    const theme = readTheme(getComputedStyle(document.body));
    for (const [c, lut] of [[this.sig, sequentialLut(theme)], [this.div, divergingLut(theme)]] as const) {
      const ctx = c.getContext?.('2d');
      if (!ctx) continue;
      const img = new ImageData(256, 1);
      img.data.set(lut);
      const off = document.createElement('canvas');
      off.width = 256;
      off.height = 1;
      off.getContext('2d')!.putImageData(img, 0, 0);
      ctx.drawImage(off, 0, 0, c.width, c.height);
    }
  }
}
