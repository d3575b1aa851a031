/**
 * The cell diagram: mermaid draws the cell kind's graph ONCE (per kind and theme); each step only
 * rewrites the value line of every node and its fill colour in the existing SVG. Clicking a node selects
 * its gate in the other views.
 */
import type { Mermaid } from 'mermaid';
import { channelKind, readTheme, textOn, toCss, valueColor, type ThemeColors } from '../colors';
import { diagramFor, mermaidSource, nodeValueText, type CellShape, type DiagramSpec, type Values } from '../diagrams';
import { button, el } from '../dom';
import { DiagramFlow, STAGE_MS } from './diagramFlow';
import type { Store } from '../state';

type MermaidApi = Pick<Mermaid, 'initialize' | 'render' | 'parse'>;

let mermaidPromise: Promise<MermaidApi> | undefined;

/**
 * Fetches dist/mermaid.js without running it: the download starts with the panel, so it is over long
 * before the window could be reloaded (a fetch still pending in VS Code's webview service worker then
 * delays the next webview by seconds), while parsing and running it wait until the chain is painted.
 */
function preloadMermaid(src: string, nonce: string): void {
  if (!src || mermaidPromise || document.querySelector('link[data-mermaid-preload]')) return;
  const link = document.createElement('link');
  link.rel = 'preload';
  link.as = 'script';
  link.href = src;
  link.nonce = nonce;
  link.dataset.mermaidPreload = '';
  document.head.append(link);
}

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

export type Direction = 'LR' | 'TD';
/** A rendered diagram's natural size (its viewBox), px. */
export interface Size { w: number; h: number }

/** Largest and smallest scale the diagram is drawn at (12 px mermaid text → 15 px … 6 px). */
export const MAX_SCALE = 1.25;
export const MIN_HEIGHT = 240;

/**
 * Picks the layout that shows the whole diagram largest inside a `box` (the panel's width and the height
 * left below the chain): a tall narrow panel gets top-down, a wide short one left-to-right. The current
 * direction is kept unless the other is clearly (5 %) larger, so a resize by a few pixels never flips it.
 */
export function chooseLayout(box: Size, sizes: Record<Direction, Size>, current?: Direction): { direction: Direction; scale: number } {
  const scaleOf = (d: Direction) => Math.min(box.w / sizes[d].w, box.h / sizes[d].h, MAX_SCALE);
  const td = scaleOf('TD');
  const lr = scaleOf('LR');
  let direction: Direction = lr >= td ? 'LR' : 'TD';
  if (current && current !== direction && scaleOf(current) >= 0.95 * Math.max(td, lr)) direction = current;
  return { direction, scale: Math.max(0.01, scaleOf(direction)) };
}

/** viewBox width and height of a mermaid SVG string. */
export function svgSize(svg: string): Size | undefined {
  const m = /viewBox="\s*[-\d.e]+[\s,]+[-\d.e]+[\s,]+([\d.e]+)[\s,]+([\d.e]+)\s*"/.exec(svg);
  return m ? { w: Number(m[1]), h: Number(m[2]) } : undefined;
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
  /** Both layouts of the rendered kind and theme (render once; a resize only picks one and scales it). */
  private layouts: Partial<Record<Direction, { svg: string; size: Size }>> = {};
  private direction: Direction | undefined;
  private fitFrame = 0;
  private readonly flow = new DiagramFlow();
  /** Step/layer/direction whose flow was last animated ('' until the first values are shown). */
  private flowKey = '';
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
    preloadMermaid(mermaidSrc, nonce);
    this.root = el('section', { class: 'diagram', 'aria-label': title }, el('div', { class: 'diagram-head' }, el('h2', { text: title }), copy), this.error, this.host);
    store.subscribe((_s, changed) => {
      if (changed.has('unit') || changed.has('gate')) this.patch();
    });
    // The diagram fits the height left below the chain: refit when the panel or anything above it resizes.
    window.addEventListener('resize', () => this.scheduleFit());
    if (typeof ResizeObserver !== 'undefined') new ResizeObserver(() => this.scheduleFit()).observe(document.body);
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
    this.layouts = {};
    await this.render();
  }

  /** New exact values for the current step. */
  update(values: Values | undefined, token: string): void {
    this.values = values;
    this.token = token;
    if (values) this.valuesStep = String(this.store.get().step);
    this.animateFlow();
    // Playback delivers values up to twice per step at 120 steps/s: patch the SVG once per animation frame.
    if (!this.store.get().playing || typeof requestAnimationFrame !== 'function') return this.patch();
    if (this.patchFrame) return;
    this.patchFrame = requestAnimationFrame(() => {
      this.patchFrame = 0;
      this.patch();
    });
  }

  private patchFrame = 0;
  /** The step whose values `values` are (the store may already be on the next one). */
  private valuesStep = '';

  /** A new step's values: run the flow once (not on the first values shown, nor again for the same step). */
  private animateFlow(): void {
    if (!this.values) return;
    const s = this.store.get();
    const key = `${s.step}/${s.layer}/${s.direction}`;
    if (key === this.flowKey) return;
    const first = this.flowKey === '';
    this.flowKey = key;
    if (first) return;
    // Playing: the whole flow fits into one step's time (too fast to follow → skipped by play()).
    this.flow.play(s.playing ? Math.min(STAGE_MS, 1000 / s.speed / (this.flow.ranks + 1)) : STAGE_MS);
  }

  private async render(): Promise<void> {
    const spec = this.spec;
    if (!spec) return;
    const key = `${spec.kind}/${themeName()}`;
    if (key === this.rendered) return this.patch();
    const seq = ++this.renderSeq;
    try {
      const mermaid = await loadMermaid(this.mermaidSrc, this.nonce);
      // Tight spacing and 12 px text: the classic LSTM graph has 8 ranks, and at mermaid's defaults
      // (16 px, 50 px gaps) it was 920 × 960 px (now 620 × 290 left-to-right), so a side panel showed it at half size and cut off C_t and h_t.
      mermaid.initialize({
        startOnLoad: false, securityLevel: 'strict', theme: themeName(), fontFamily: 'var(--vscode-font-family)',
        themeVariables: { fontSize: '12px' },
        flowchart: { curve: 'basis', nodeSpacing: 12, rankSpacing: 16, padding: 4, diagramPadding: 4, useMaxWidth: false },
      });
      const layouts: typeof this.layouts = {};
      for (const d of ['TD', 'LR'] as const) {
        const { svg } = await mermaid.render(`unroll-diagram-${seq}-${d}`, mermaidSource(spec, undefined, d));
        if (seq !== this.renderSeq) return; // a newer render started: drop this one
        layouts[d] = { svg, size: svgSize(svg) ?? { w: 600, h: 600 } };
      }
      this.layouts = layouts;
      this.direction = undefined;
      this.error.textContent = '';
      this.rendered = key;
      this.fit();
    } catch (e) {
      if (seq === this.renderSeq) this.error.textContent = String((e as Error).message ?? e);
    }
  }

  private scheduleFit(): void {
    if (this.fitFrame || typeof requestAnimationFrame !== 'function') return;
    this.fitFrame = requestAnimationFrame(() => {
      this.fitFrame = 0;
      this.fit();
    });
  }

  /**
   * Shows the layout that is largest in the panel's width × the height left below the chain (at least
   * MIN_HEIGHT, else the page scrolls), and scales it to that box. Swapping layouts reuses the rendered SVGs.
   */
  private fit(): void {
    const spec = this.spec;
    const { TD, LR } = this.layouts;
    if (!spec || !TD || !LR) return;
    const width = this.host.clientWidth;
    if (!width) return; // hidden
    const top = this.host.getBoundingClientRect().top + window.scrollY;
    const pad = parseFloat(getComputedStyle(document.body).paddingBottom) || 0;
    const height = Math.max(MIN_HEIGHT, window.innerHeight - top - pad - 2);
    const { direction, scale } = chooseLayout({ w: width, h: height }, { TD: TD.size, LR: LR.size }, this.direction);
    if (direction !== this.direction) {
      this.direction = direction;
      this.host.innerHTML = this.layouts[direction]!.svg;
      this.host.dataset.direction = direction;
      this.index(spec);
      const svgEl = this.host.querySelector('svg');
      if (svgEl) this.flow.attach(svgEl, spec, this.nodes);
      this.patch();
    }
    const svg = this.host.querySelector('svg');
    if (!svg) return;
    const { w, h } = this.layouts[direction]!.size;
    const cssW = `${Math.floor(w * scale)}px`;
    const cssH = `${Math.floor(h * scale)}px`;
    if (svg.style.width !== cssW) svg.style.width = cssW;
    if (svg.style.height !== cssH) svg.style.height = cssH;
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
    const a = { values: this.values, unit: s.unit, token: this.token, live: true };
    // The token is written at once, the numbers only when the step's exact values arrive from the host:
    // data-step names the step the numbers are from, aria-busy says they are not the current step's yet.
    const busy = this.values ? 'false' : 'true';
    if (this.host.getAttribute('aria-busy') !== busy) this.host.setAttribute('aria-busy', busy);
    if (this.values && this.host.dataset.step !== this.valuesStep) this.host.dataset.step = this.valuesStep;
    for (const n of spec.nodes) {
      const text = nodeValueText(n, this.values ? a : { unit: s.unit, token: this.token, live: true });
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
