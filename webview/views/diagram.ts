/**
 * The cell diagram: mermaid draws the cell kind's graph ONCE (per kind and theme); each step only
 * rewrites the value line of every node and its fill colour in the existing SVG. Clicking a node selects
 * its gate in the other views.
 */
import type { Mermaid } from 'mermaid';
import { channelKind, readTheme, textOn, toCss, valueColor, type ThemeColors } from '../colors';
import { diagramFor, mermaidSource, nodeValueText, type CellShape, type DiagramSpec, type Values } from '../diagrams';
import { button, el } from '../dom';
import type { Store } from '../state';

type MermaidApi = Pick<Mermaid, 'initialize' | 'render' | 'parse'>;

let mermaidPromise: Promise<MermaidApi> | undefined;

/** Loads dist/mermaid.js once, with the page's nonce (CSP allows nothing else). */
function loadMermaid(src: string, nonce: string): Promise<MermaidApi> {
  mermaidPromise ??= new Promise<MermaidApi>((resolve, reject) => {
    const w = window as unknown as { unrollMermaid?: MermaidApi };
    if (w.unrollMermaid) return resolve(w.unrollMermaid);
    const s = document.createElement('script');
    s.src = src;
    s.nonce = nonce;
    s.onload = () => (w.unrollMermaid ? resolve(w.unrollMermaid) : reject(new Error('mermaid did not load')));
    s.onerror = () => reject(new Error('mermaid could not be loaded'));
    document.head.append(s);
  });
  return mermaidPromise;
}

/**
 * Where a node's value line lives: mermaid writes labels as HTML (`<p>name<br>value</p>` in a
 * foreignObject) or, without HTML labels, as SVG rows. Returns a setter for the last line.
 */
function valueSlot(g: SVGGElement): ((text: string) => void) | undefined {
  const brs = g.querySelectorAll('br');
  if (brs.length) {
    const br = brs[brs.length - 1];
    return (text) => {
      while (br.nextSibling) br.nextSibling.remove();
      br.after(text);
    };
  }
  const rows = g.querySelectorAll<SVGElement>('text > tspan');
  if (rows.length > 1) {
    const last = rows[rows.length - 1];
    return (text) => { last.textContent = text; };
  }
  return undefined;
}

/** Top-down in narrow panels, left-to-right otherwise. */
export function layoutDirection(): 'LR' | 'TD' {
  return (window.innerWidth || 1000) < 600 ? 'TD' : 'LR';
}

export function themeName(): 'dark' | 'default' {
  const b = document.body.classList;
  return b.contains('vscode-light') || b.contains('vscode-high-contrast-light') ? 'default' : 'dark';
}

export class DiagramView {
  readonly root: HTMLElement;
  private readonly host: HTMLElement;
  private readonly error: HTMLElement;
  private spec: DiagramSpec | undefined;
  private nodes = new Map<string, { g: SVGGElement; value: ((text: string) => void) | undefined; shape: SVGElement | undefined; label: HTMLElement | SVGElement | undefined }>();
  private renderSeq = 0;
  private rendered = '';
  private values: Values | undefined;
  private token = '';
  private theme: ThemeColors | undefined;
  /** What is currently written on the nodes, by node id (reports and tests read it). */
  readonly shown: Record<string, string> = {};
  onCopy: (text: string) => void = () => undefined;

  constructor(private readonly store: Store, private readonly mermaidSrc: string, private readonly nonce: string, title: string, copyLabel: string, loadingText = '', private readonly copiedText = '') {
    this.host = el('div', { class: 'diagram-svg', role: 'img', 'aria-label': title }, el('p', { class: 'loading', text: loadingText }));
    this.error = el('p', { class: 'diagram-error', role: 'alert' });
    const copy = button(copyLabel, copyLabel, () => {
      this.copy();
      // Brief confirmation in place of the label, then back.
      if (this.copiedText) {
        copy.textContent = this.copiedText;
        setTimeout(() => { copy.textContent = copyLabel; }, 1200);
      }
    }, 'copy-mermaid');
    this.root = el('section', { class: 'diagram', 'aria-label': title }, el('div', { class: 'diagram-head' }, el('h2', { text: title }), copy), this.error, this.host);
    store.subscribe((_s, changed) => {
      if (changed.has('unit') || changed.has('gate')) this.patch();
    });
    // A narrow side panel reads better top-down: re-render only when the layout direction flips.
    let resizeTimer: ReturnType<typeof setTimeout> | undefined;
    window.addEventListener('resize', () => {
      if (resizeTimer) clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => void this.render(), 150);
    });
  }

  /**
   * Starts loading mermaid right away (not when the trace arrives), and resolves once it has loaded or
   * failed. Reports wait for it, so a panel closed after its report leaves no resource fetch behind in
   * VS Code's webview service worker (a pending fetch there delays the next webview by many seconds).
   */
  preload(timeoutMs = 2000): Promise<void> {
    return Promise.race([this.whenLoaded(), new Promise<void>((r) => setTimeout(r, timeoutMs))]);
  }

  /** Resolves when mermaid has loaded or failed to (no timeout). */
  whenLoaded(): Promise<void> {
    if (!this.mermaidSrc) return Promise.resolve();
    return loadMermaid(this.mermaidSrc, this.nonce).then(() => undefined, () => undefined);
  }

  /** Shows the diagram of a cell kind (renders only when the kind or theme changed). */
  async show(cell: CellShape): Promise<void> {
    this.spec = diagramFor(cell);
    await this.render();
  }

  /** Theme changed: mermaid's colours are baked into its SVG, so render again. */
  async onThemeChange(): Promise<void> {
    this.theme = undefined;
    this.rendered = '';
    await this.render();
  }

  /** New exact values for the current step. */
  update(values: Values | undefined, token: string): void {
    this.values = values;
    this.token = token;
    // Playback delivers values up to twice per step at 120 steps/s: patch the SVG once per animation frame.
    if (!this.store.get().playing || typeof requestAnimationFrame !== 'function') return this.patch();
    if (this.patchFrame) return;
    this.patchFrame = requestAnimationFrame(() => {
      this.patchFrame = 0;
      this.patch();
    });
  }

  private patchFrame = 0;

  private async render(): Promise<void> {
    const spec = this.spec;
    if (!spec) return;
    const direction = layoutDirection();
    const key = `${spec.kind}/${themeName()}/${direction}`;
    if (key === this.rendered) return this.patch();
    const seq = ++this.renderSeq;
    try {
      const mermaid = await loadMermaid(this.mermaidSrc, this.nonce);
      mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: themeName(), flowchart: { curve: 'basis' }, fontFamily: 'var(--vscode-font-family)' });
      const text = mermaidSource(spec, undefined, direction);
      const { svg } = await mermaid.render(`unroll-diagram-${seq}`, text);
      if (seq !== this.renderSeq) return; // a newer render started: drop this one
      this.host.innerHTML = svg;
      this.error.textContent = '';
      this.rendered = key;
      this.index(spec);
      this.patch();
    } catch (e) {
      if (seq === this.renderSeq) this.error.textContent = String((e as Error).message ?? e);
    }
  }

  /** Finds each node's group, value line and shape in mermaid's SVG and wires clicks. */
  private index(spec: DiagramSpec): void {
    this.nodes.clear();
    const groups = [...this.host.querySelectorAll<SVGGElement>('g.node')];
    for (const n of spec.nodes) {
      const g = groups.find((x) => new RegExp(`(^|-)flowchart-${n.id}-\\d+$`).test(x.id));
      if (!g) continue;
      const shape = g.querySelector<SVGElement>('.label-container') ?? g.querySelector<SVGElement>('rect, circle, polygon, path');
      this.nodes.set(n.id, { g, value: valueSlot(g), shape: shape ?? undefined, label: g.querySelector<HTMLElement>('.nodeLabel') ?? g.querySelector<SVGElement>('text') ?? undefined });
      g.dataset.node = n.id;
      if (n.channel) {
        g.classList.add('selectable');
        g.setAttribute('tabindex', '0');
        g.setAttribute('role', 'button');
        g.setAttribute('aria-label', n.name);
        const select = () => this.store.update({ gate: n.channel! });
        g.addEventListener('click', select);
        g.addEventListener('keydown', (e) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            e.stopPropagation();
            select();
          }
        });
      }
    }
  }

  /** Writes the current values and colours into the rendered SVG (no mermaid call). */
  private patch(): void {
    const spec = this.spec;
    if (!spec) return;
    this.theme ??= readTheme(getComputedStyle(document.body));
    const s = this.store.get();
    const a = { values: this.values, unit: s.unit, token: this.token };
    for (const n of spec.nodes) {
      const text = nodeValueText(n, this.values ? a : { unit: s.unit, token: this.token });
      this.shown[n.id] = this.values || n.id === 'x' ? text : '';
      const found = this.nodes.get(n.id);
      if (!found) continue;
      if (found.value && (this.values || n.id === 'x')) found.value(text);
      found.g.classList.toggle('selected', !!n.channel && n.channel === s.gate);
      const v = this.values && n.value ? n.value(this.values, s.unit) : undefined;
      if (found.shape && v !== undefined && n.scale !== 'none') {
        const fill = valueColor(v, n.scale === 'sigmoid' ? 'sigmoid' : channelKind(n.channel ?? 'g'), this.theme);
        found.shape.style.fill = toCss(fill);
        if (found.label) {
          found.label.style.fill = textOn(fill);
          found.label.style.color = textOn(fill);
        }
      }
    }
  }

  /** The annotated diagram (current values and fills) as mermaid text. */
  annotatedSource(): string {
    if (!this.spec) return '';
    const theme = this.theme ?? readTheme(getComputedStyle(document.body));
    const s = this.store.get();
    const fills: Record<string, string> = {};
    if (this.values) {
      for (const n of this.spec.nodes) {
        const v = n.value?.(this.values, s.unit);
        if (v === undefined || n.scale === 'none') continue;
        const [r, g, b] = valueColor(v, n.scale === 'sigmoid' ? 'sigmoid' : 'diverging', theme);
        fills[n.id] = `#${[r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
      }
    }
    return mermaidSource(this.spec, { values: this.values, unit: s.unit, token: this.token, fills });
  }

  private copy(): void {
    this.onCopy(this.annotatedSource());
  }
}
