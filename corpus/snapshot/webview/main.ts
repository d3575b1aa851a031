/**
 * Webview entry: handshake, layout, and the bridge between host messages and the shared state store.
 * Everything the user sees follows `store`; the persisted part goes to setState so hide/reload keeps it.
 */
import type { HostToWebview, InitMessage, RenderReport, WebviewStrings } from '../src/protocol/messages';
import { parsePersistedState } from '../src/protocol/messages';
import { tokenLabel } from '../src/panel/sequence';
import { el } from './dom';
import { getState, onHostMessage, post, setState } from './host';
import { Store } from './state';
import { ChainView } from './views/chain';

export class App {
  readonly store = new Store();
  private strings: WebviewStrings | undefined;
  private init: InitMessage | undefined;
  private chain: ChainView | undefined;
  private counter: HTMLElement | undefined;
  private message = '';

  constructor(private readonly root: HTMLElement) {
    this.store.subscribe((_s, changed) => {
      if (!this.init) return;
      const persist = [...changed].some((k) => k !== 'playing');
      if (persist) setState({ source: this.init.source, view: this.store.viewState() });
      if (changed.has('step') || changed.has('layer') || changed.has('direction')) {
        const s = this.store.get();
        post({ type: 'stepChanged', step: s.step, layer: s.layer, direction: s.direction });
      }
      this.updateCounter();
    });
  }

  start(): void {
    onHostMessage((m) => this.onMessage(m));
    document.addEventListener('keydown', (e) => this.onKey(e));
    post({ type: 'ready' });
  }

  /** Arrows step, Home/End jump. Keys typed into inputs are left alone. */
  onKey(e: KeyboardEvent): void {
    const t = e.target as HTMLElement | null;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA')) return;
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const n = this.store.getLimits().steps;
    const jump = e.shiftKey ? 10 : 1;
    switch (e.key) {
      case 'ArrowRight': this.store.update({ step: this.store.get().step + jump, playing: false }); break;
      case 'ArrowLeft': this.store.update({ step: this.store.get().step - jump, playing: false }); break;
      case 'Home': this.store.update({ step: 0, playing: false }); break;
      case 'End': this.store.update({ step: n - 1, playing: false }); break;
      default: return;
    }
    e.preventDefault();
  }

  onMessage(m: HostToWebview): void {
    switch (m.type) {
      case 'init': return this.onInit(m);
      case 'renderReportRequest': return post(this.report(m.id));
      case 'setStep': return this.store.update({ step: m.step, playing: false });
      case 'error':
        this.message = m.message;
        this.root.querySelector('.message')?.replaceChildren(m.message);
        return;
      default:
        return;
    }
  }

  private onInit(m: InitMessage): void {
    this.init = m;
    this.strings = m.strings;
    const restored = parsePersistedState(getState());
    // A reloaded webview keeps its own view state when it still shows the same text.
    const sameText = restored.source?.text === m.source.text;
    const view = { ...(m.view ?? {}), ...(sameText ? restored.view : {}) };
    const labels = m.tokens.map(tokenLabel);
    this.layout(m, labels);
    this.store.setLimits({ steps: labels.length, layers: 1, directions: 1, units: 1, gates: [] });
    this.store.update({ ...view, playing: false });
    setState({ source: m.source, view: this.store.viewState() });
    this.updateCounter();
    this.chain?.draw();
  }

  private layout(m: InitMessage, labels: string[]): void {
    const s = m.strings;
    this.message = labels.length === 0 ? s.emptySelection : '';
    const header = el('header', { class: 'header' },
      el('h1', { text: s.title }), el('span', { class: 'source', text: m.source.label }));
    const notices = el('div', { class: 'notices', role: 'status' }, ...m.notices.map((n) => el('p', { class: 'notice', text: n })));
    const message = el('p', { class: 'message', role: 'alert', text: this.message });
    this.counter = el('span', { class: 'counter', 'aria-live': 'polite' });
    this.chain = new ChainView(this.store, s.chain, s.step);
    this.chain.setLabels(labels);
    this.root.replaceChildren(header, notices, message, el('div', { class: 'toolbar' }, this.counter), this.chain.root);
    this.root.dataset.empty = String(labels.length === 0);
  }

  private updateCounter(): void {
    if (!this.counter || !this.init || !this.strings) return;
    this.counter.textContent = this.counterText();
  }

  private counterText(): string {
    const n = this.init?.tokens.length ?? 0;
    if (!n || !this.strings) return '';
    const s = this.store.get();
    return `${this.strings.step} ${s.step + 1} / ${n} · ${this.strings.token} “${tokenLabel(this.init!.tokens[s.step])}”`;
  }

  report(id: number): RenderReport {
    this.chain?.draw();
    const range = this.chain?.visible();
    return {
      type: 'renderReport', id,
      stepCount: this.init?.tokens.length ?? 0,
      tokens: (this.chain?.renderedLabels() ?? []).slice(0, 200).map((t) => t.slice(0, 64)),
      notices: (this.init?.notices ?? []).slice(0, 20),
      message: this.message.slice(0, 1000),
      step: this.store.get().step,
      mode: range?.mode ?? 'empty',
      counter: this.counterText().slice(0, 200),
      diagramValues: {},
    };
  }
}

// Boot only inside a webview page (tests import App directly and drive it).
const root = typeof document !== 'undefined' ? document.getElementById('app') : null;
if (root) new App(root).start();
