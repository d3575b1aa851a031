/**
 * Webview entry: handshake, layout, and the bridge between host messages and the one state store.
 * Every view follows `store`; its persisted part goes to setState so hiding or reloading keeps it.
 */
import type { HostToWebview, InitMessage, RenderReport, TraceSummary, WebviewStrings } from '../src/protocol/messages';
import { parsePersistedState, persistableSource, sameSourceText, unpackTokens } from '../src/protocol/messages';
import { tokenLabel } from '../src/panel/sequence';
import { readTheme } from './colors';
import { TraceData } from './data';
import { el } from './dom';
import { getState, onHostMessage, post, setState } from './host';
import { Store } from './state';
import { ChainView } from './views/chain';
import { DiagramView } from './views/diagram';
import type { CellShape } from './diagrams';
import { TracePainter } from './views/painter';
import { binaryIndex, breakReason, nextBreak, TimelineView } from './views/timeline';
import { ToolbarView } from './views/toolbar';
import { AnalysisPanel } from './analysis/panel';

/**
 * Timeline marks for scripts/bench-firstframe.js (and DevTools' Performance panel): each carries Date.now()
 * as its detail, so the bench can compare it with the workbench's own clock. Once per document.
 */
/** While playing, the host hears the current step at most this often (ms); see postStep. */
const STEP_POST_MS = 100;
const marked = new Set<string>();
function mark(name: string): void {
  if (marked.has(name)) return;
  marked.add(name);
  try {
    performance.mark(`unroll:${name}`, { detail: Date.now() });
  } catch { /* no User Timing here (jsdom): nothing to measure */ }
}

/** Runs `fn` once the frame drawn now has been painted (two animation frames later). */
function afterPaint(fn: () => void): void {
  if (typeof requestAnimationFrame !== 'function') return void setTimeout(fn, 0);
  requestAnimationFrame(() => requestAnimationFrame(fn));
}

/** requestAnimationFrame, or a 16 ms timer where there is none. */
function nextFrame(fn: (ts: number) => void): number {
  if (typeof requestAnimationFrame === 'function') return requestAnimationFrame(fn);
  return setTimeout(() => fn(performance.now()), 16) as unknown as number;
}

function cancelFrame(id: number): void {
  if (typeof requestAnimationFrame !== 'function') clearTimeout(id);
  else if (typeof cancelAnimationFrame === 'function') cancelAnimationFrame(id);
}

function markPainted(name: string): void {
  if (marked.has(`~${name}`)) return;
  marked.add(`~${name}`);
  afterPaint(() => mark(name));
}
mark('script');

export class App {
  readonly store = new Store();
  readonly data = new TraceData((m) => post(m));
  private strings: WebviewStrings | undefined;
  private init: InitMessage | undefined;
  private tokens: string[] = [];
  private labels: string[] = [];
  private chain: ChainView | undefined;
  private painter: TracePainter | undefined;
  private diagram: DiagramView | undefined;
  private timeline: TimelineView | undefined;
  private toolbar: ToolbarView | undefined;
  private analysis: AnalysisPanel | undefined;
  private progress: HTMLElement | undefined;
  private message = '';
  /** Playback's animation frame, and its clock: the first frame's time and the steps played since. */
  private playFrame = 0;
  private playClock: { start: number; done: number } | undefined;
  /** Bumped when playback starts, stops or changes speed: an advance queued before then is dropped. */
  private playRun = 0;
  private scanId = 0;
  private exactTimer: ReturnType<typeof setTimeout> | undefined;
  private assets: Promise<void> = Promise.resolve();
  private persistTimer: ReturnType<typeof setTimeout> | undefined;
  /** First trace window arrived: the next chain draw is the first with painted heat strips. */
  private dataArrived = false;
  /** Mermaid's load (and the diagram's first render) has started; see startAssets. */
  private assetsStarted = false;
  private assetTimer: ReturnType<typeof setTimeout> | undefined;
  /** The cell kind to draw once the assets start. */
  private cellShape: CellShape | undefined;
  /** The last step told to the host (`layer/direction/step`), when, and the pending throttled one. */
  private stepPosted = '';
  private stepPostedAt = -Infinity;
  private stepTimer: ReturnType<typeof setTimeout> | undefined;
  /** A trace the analysis views have not been given yet (see onTrace). */
  private analysisSummary: TraceSummary | undefined;

  constructor(private readonly root: HTMLElement) {
    this.store.subscribe((st, changed) => {
      if (!this.init) return;
      if ([...changed].some((k) => k !== 'playing')) this.persist();
      if (changed.has('step') || changed.has('layer') || changed.has('direction')) {
        this.postStep(st.playing);
        this.requestExact();
      } else if (changed.has('playing') && !st.playing) this.postStep(false, true);
      if (changed.has('playing') || changed.has('speed')) this.schedulePlay();
      // While playing, the per-step CSS flow on the current chain cell would repaint the page every step.
      // On the panel's root, not <body>: body's class attribute is the theme's (its observer re-renders).
      if (changed.has('playing')) this.root.classList.toggle('playing', st.playing);
      // The editor recolours its text by this unit when (and only when) it already shows a colouring.
      if (changed.has('unit') || changed.has('gate')) post({ type: 'unitSelected', unit: st.unit, channel: st.gate || 'h' });
    });
    this.data.onData = (kind) => {
      if (kind === 'window') {
        mark('window');
        this.dataArrived = true;
        this.chain?.refresh();
      }
      else this.showExact();
    };
  }

  /**
   * Tells the host the step (its status bar, the debugger following the timeline). While playing that is at
   * most every STEP_POST_MS, with the step shown at the moment it is sent: 60–120 round trips a second
   * queued behind each other on a busy extension host and made the status bar trail the panel. Paused
   * (also the step playback stops at), it is sent at once; `onlyIfNew` skips a step the host already has.
   */
  private postStep(playing: boolean, onlyIfNew = false): void {
    const now = performance.now();
    if (playing && now - this.stepPostedAt < STEP_POST_MS) {
      this.stepTimer ??= setTimeout(() => {
        this.stepTimer = undefined;
        this.postStep(false, true);
      }, STEP_POST_MS - (now - this.stepPostedAt));
      return;
    }
    if (this.stepTimer) clearTimeout(this.stepTimer);
    this.stepTimer = undefined;
    const { step, layer, direction } = this.store.get();
    const key = `${layer}/${direction}/${step}`;
    if (onlyIfNew && key === this.stepPosted) return;
    this.stepPosted = key;
    this.stepPostedAt = now;
    post({ type: 'stepChanged', step, layer, direction });
  }

  /**
   * setState serialises the whole source text (up to 100k characters): during playback it is done at
   * most every 250 ms, not at every step.
   */
  private persist(): void {
    if (this.persistTimer) return;
    this.persistTimer = setTimeout(() => {
      this.persistTimer = undefined;
      if (this.init) setState({ source: persistableSource(this.init.source), view: this.store.viewState() });
    }, this.store.get().playing ? 250 : 0);
  }

  start(): void {
    onHostMessage((m) => this.onMessage(m));
    document.addEventListener('keydown', (e) => this.onKey(e));
    // VS Code swaps the body's theme class in place: repaint colours, re-render mermaid's SVG.
    // Only a real change counts: any write of the attribute (even the same value) notifies the observer.
    let bodyClass = document.body.className;
    new MutationObserver(() => {
      if (document.body.className === bodyClass) return;
      bodyClass = document.body.className;
      this.onThemeChange();
    }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
    post({ type: 'ready' });
  }

  onMessage(m: HostToWebview): void {
    switch (m.type) {
      case 'init': return this.onInit(m);
      case 'traceReady': return this.onTrace(m.summary);
      case 'traceProgress':
        if (this.progress && this.strings) this.progress.textContent = `${this.strings.noModel} ${Math.round(m.progress * 100)}%`;
        return;
      case 'window': return this.data.onWindow(m);
      case 'exactStep': return this.data.onExact(m);
      case 'scanResult':
        if (m.id === this.scanId) this.timeline?.setConditionResult(this.timeline.conditionInput.value.trim(), m.hits, m.error, m.logs);
        return;
      case 'renderReportRequest':
        this.startAssets();
        this.startAnalysis();
        void this.assets.then(() => post(this.report(m.id)));
        return;
      case 'setStep': {
        // The debugger stepping into a layer or gate selects it here too.
        const where = { ...(m.layer !== undefined ? { layer: m.layer } : {}), ...(m.direction !== undefined ? { direction: m.direction } : {}), ...(m.gate !== undefined ? { gate: m.gate } : {}) };
        return this.store.update({ step: m.step, ...where, playing: false });
      }
      case 'heatmap': case 'unitStats': case 'unitSeries': case 'predictions': case 'exportDone':
        return this.analysis?.onMessage(m);
      case 'error':
        this.message = m.message;
        this.root.querySelector('.message')?.replaceChildren(m.message);
        // The run failed: nothing is being computed any more (the status said "Computing the network…").
        if (this.progress && !this.data.summary) this.progress.textContent = '';
        return;
    }
  }

  /** Arrows step (Shift: 10), Home/End jump, Space plays/pauses. Keys typed into fields are left alone. */
  onKey(e: KeyboardEvent): void {
    const t = e.target as HTMLElement | null;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA')) return;
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const st = this.store.get();
    const jump = e.shiftKey ? 10 : 1;
    switch (e.key) {
      case 'ArrowRight': this.store.update({ step: st.step + jump, playing: false }); break;
      case 'ArrowLeft': this.store.update({ step: st.step - jump, playing: false }); break;
      case 'Home': this.store.update({ step: 0, playing: false }); break;
      case 'End': this.store.update({ step: this.tokens.length - 1, playing: false }); break;
      case ' ':
        if (t && t.tagName === 'BUTTON') return; // the focused button's own click
        this.store.update({ playing: !st.playing });
        break;
      default: return;
    }
    e.preventDefault();
  }

  private onInit(m: InitMessage): void {
    mark('init');
    this.init = m;
    this.dataArrived = false;
    this.strings = m.strings;
    this.tokens = m.spans ? unpackTokens(m.source.text, m.spans) : m.tokens;
    this.labels = this.tokens.map(tokenLabel);
    this.data.reset(undefined);
    const restored = parsePersistedState(getState());
    // A reloaded webview keeps its own view state when it still shows the same text.
    const sameText = sameSourceText(restored.source, m.source);
    const view = { ...(m.view ?? {}), ...(sameText ? restored.view : {}) };
    this.layout(m);
    this.store.setLimits({ steps: this.tokens.length, layers: 64, directions: 2, units: 1024, gates: [] });
    this.store.update({ ...view, playing: false });
    setState({ source: persistableSource(m.source), view: this.store.viewState() });
    this.timeline?.sync();
    this.chain?.draw();
  }

  private layout(m: InitMessage): void {
    const s = m.strings;
    this.message = this.tokens.length === 0 ? s.emptySelection : '';
    const header = el('header', { class: 'header' }, el('h1', { text: s.title }), el('span', { class: 'source', text: m.source.label }));
    const notices = el('div', { class: 'notices', role: 'status' }, ...m.notices.map((n) => el('p', { class: 'notice', text: n })));
    const message = el('p', { class: 'message', role: 'alert', text: this.message });
    this.root.dataset.empty = String(this.tokens.length === 0);
    if (!this.tokens.length) {
      this.assets = Promise.resolve();
      this.root.dataset.assets = 'loaded';
      this.chain = undefined;
      this.timeline = undefined;
      this.analysis = undefined;
      this.root.replaceChildren(header, notices, message);
      return;
    }
    this.progress = el('p', { class: 'progress', role: 'status', text: s.noModel });
    this.painter = new TracePainter(this.data, this.store);
    this.chain = new ChainView(this.store, this.painter, s.chain, s.step);
    this.chain.onVisible = (r) => {
      if (r.mode !== 'empty') markPainted('first-frame');
      if (this.dataArrived) {
        markPainted('first-data-frame');
        if (!this.assetsStarted || this.analysisSummary) afterPaint(() => {
          this.startAssets();
          this.startAnalysis();
        });
      }
      if (this.data.summary) mark('window-request');
      const st = this.store.get();
      // Fetch a screen's width ahead on each side so scrolling finds data already there.
      const span = r.end - r.first;
      if (r.mode === 'empty') return;
      for (let d = 0; d < (this.data.summary?.numDirections ?? 1); d++) this.data.ensure(st.layer, d, r.first - span, r.end + span);
    };
    this.chain.setLabels(this.labels);
    this.timeline = new TimelineView(this.store, s, this.tokens, () => this.counterText());
    this.timeline.onZoom = (f) => this.chain?.zoomBy(f);
    this.timeline.onScan = (expression, hitCondition, logMessage) => this.scan(expression, hitCondition, logMessage);
    this.toolbar = new ToolbarView(this.store, s);
    const root = document.getElementById('app');
    const mermaidSrc = root?.dataset.mermaidSrc ?? '';
    const nonce = root?.dataset.nonce ?? '';
    this.diagram = new DiagramView(this.store, mermaidSrc, nonce, s.diagram, s.copyMermaid, s.loading, s.copied);
    this.diagram.onCopy = (text) => post({ type: 'copyText', text });
    // data-assets="loaded" tells end-to-end tests that no resource fetch is left in flight: VS Code's
    // webview service worker holds a pending fetch up to 30 s, delaying the next webview after a reload.
    this.root.dataset.assets = 'loading';
    this.assets = Promise.resolve();
    this.assetsStarted = false;
    this.cellShape = undefined;
    if (this.assetTimer) clearTimeout(this.assetTimer);
    this.assetTimer = setTimeout(() => this.startAssets(), 1500);
    // The cell diagram sits right under the chain so both are in view together (the whole diagram fits
    // a 1400×900 window's side panel); the breakpoint fields and key help follow it.
    // Still part of the timeline (its fields put the marks on the scrub bar), shown below the diagram.
    const breakpoints = el('section', { class: 'timeline breakpoints', 'aria-label': s.condition },
      ...this.timeline.root.querySelectorAll<HTMLElement>(':scope > .condition-row, :scope > .keys-help'));
    this.root.replaceChildren(header, notices, message, this.progress, this.toolbar.root, this.timeline.root, this.chain.root,
      el('div', { class: 'lower' }, this.diagram.root), breakpoints);
    this.analysis = new AnalysisPanel(this.store, this.data, s.analysis, s, (msg) => post(msg));
    this.analysis.setTokens(this.tokens);
    this.root.append(this.analysis.root);
  }

  /**
   * Mermaid (2.7 MB) is parsed and run on the webview's only thread: loading it at init delayed the first
   * painted trace frame by ~0.5 s. It starts once that frame is painted, when a report asks (so no fetch is
   * left in flight after a report), or 1.5 s after init, whichever comes first.
   */
  private startAssets(): void {
    const diagram = this.diagram;
    if (this.assetsStarted || !diagram) return;
    this.assetsStarted = true;
    if (this.assetTimer) clearTimeout(this.assetTimer);
    this.assets = diagram.preload();
    void diagram.whenLoaded().then(() => {
      mark('mermaid');
      if (this.diagram === diagram) this.root.dataset.assets = 'loaded';
    });
    if (this.cellShape) this.showDiagram(this.cellShape);
  }

  private startAnalysis(): void {
    const summary = this.analysisSummary;
    this.analysisSummary = undefined;
    if (summary) this.analysis?.setSummary(summary);
  }

  private showDiagram(cell: CellShape): void {
    void this.diagram?.show(cell).then(() => markPainted('diagram'));
  }

  private onTrace(summary: TraceSummary): void {
    mark('trace');
    this.dataArrived = false;
    this.data.reset(summary);
    this.store.setLimits({ steps: summary.steps, layers: summary.numLayers, directions: summary.numDirections, units: summary.hiddenSize, gates: summary.channels });
    if (this.progress) this.progress.textContent = '';
    this.toolbar?.setSummary(summary);
    // The analysis views ask the host for a heatmap, unit statistics and predictions over the whole run:
    // asked together with the chain's first window they delayed its answer. They start after its first frame.
    this.analysisSummary = summary;
    // Both directions stack in the chain: give it the height of two.
    this.root.style.setProperty('--unroll-chain-height', summary.numDirections === 2 ? '400px' : '240px');
    this.chain?.draw();
    this.cellShape = { family: summary.family, peephole: summary.peephole, coupling: summary.coupling, resetAfter: summary.resetAfter, nonlinearity: summary.cellName === 'rnn_relu' ? 'relu' : 'tanh' };
    if (this.assetsStarted) this.showDiagram(this.cellShape);
    this.requestExact(true);
    this.timeline?.apply();
  }

  /** Exact values for the diagram, asked after stepping settles (playback at 120/s must not flood the host). */
  private requestExact(now = false): void {
    if (this.exactTimer) clearTimeout(this.exactTimer);
    const go = () => {
      this.exactTimer = undefined;
      this.showExact();
    };
    if (now) go();
    else this.exactTimer = setTimeout(go, this.store.get().playing ? 0 : 30);
  }

  private showExact(): void {
    const st = this.store.get();
    if (!this.data.summary) return;
    const values = this.data.exactValues(st.layer, st.direction, st.step);
    this.diagram?.update(values, this.labels[st.step] ?? '');
    this.analysis?.onExact();
  }

  private scan(expression: string, hitCondition = '', logMessage = ''): void {
    this.scanId += 1;
    if (!this.data.summary || (!expression && !hitCondition && !logMessage)) {
      this.timeline?.setConditionResult('', undefined, undefined);
      return;
    }
    post({ type: 'scan', id: this.scanId, runId: this.data.summary.runId, expression, ...(hitCondition ? { hitCondition } : {}), ...(logMessage ? { logMessage } : {}) });
  }

  /**
   * Playback follows the display, not a timer per step: each animation frame works out how many steps
   * are due at the speed (from the frames' own timestamps) and, right after that frame is painted,
   * applies them as ONE store update. A timer per step (120/s = twice a frame) ran every view's update
   * twice per frame and fired at random points of the frame, delaying it.
   */
  private schedulePlay(): void {
    if (this.playFrame) cancelFrame(this.playFrame);
    this.playFrame = 0;
    this.playClock = undefined;
    const run = ++this.playRun;
    if (!this.store.get().playing) return;
    const onFrame = (ts: number) => {
      const st = this.store.get();
      if (run !== this.playRun || !st.playing) return;
      this.playFrame = 0;
      this.playFrame = nextFrame(onFrame);
      const clock = (this.playClock ??= { start: ts, done: 0 });
      const due = Math.floor(((ts - clock.start) * st.speed) / 1000) - clock.done;
      if (due <= 0) return;
      // After a stall (a hidden panel, a blocked thread) play on from here rather than race to catch up.
      const steps = Math.min(due, Math.max(1, Math.ceil(st.speed / 4)));
      clock.done += due;
      // Applied after this frame's rendering, so the next frame shows the new step in every view at once.
      setTimeout(() => run === this.playRun && this.advance(steps), 0);
    };
    this.playFrame = nextFrame(onFrame);
  }

  /** Moves playback `steps` on: stops at the end or at the next breakpoint on the way, saying which fired and why. */
  private advance(steps: number): void {
    const st = this.store.get();
    if (!st.playing || !this.timeline) return;
    const from = st.step;
    const last = this.tokens.length - 1;
    if (from >= last) return this.store.update({ playing: false });
    const to = Math.min(last, from + steps);
    const brk = nextBreak(this.timeline.bp, this.tokens, from);
    const stop = brk >= 0 && brk <= to ? brk : -1;
    // Logpoints print for every step passed, also the ones no frame showed.
    for (let t = from + 1; t <= (stop >= 0 ? stop - 1 : to); t++) this.printLogpoint(t);
    if (stop < 0) return this.store.update({ step: to });
    this.store.update({ step: stop, playing: false });
    this.timeline.status.textContent = `${this.strings?.breakpointHit ?? ''}: ${this.strings?.step ?? ''} ${stop} — ${breakReason(this.timeline.bp, this.tokens, stop)}`;
    post({ type: 'log', text: `[breakpoint] step ${stop} “${this.labels[stop]}”: ${breakReason(this.timeline.bp, this.tokens, stop)}` });
  }

  /** Logpoints print into the Unroll output channel as playback passes their hits. */
  private printLogpoint(step: number): void {
    const bp = this.timeline?.bp;
    if (!bp?.conditionLogs) return;
    const k = binaryIndex(bp.conditionHits, step);
    if (k >= 0) post({ type: 'log', text: `[logpoint] step ${step} “${this.labels[step]}”: ${bp.conditionLogs[k]}` });
  }

  private onThemeChange(): void {
    this.painter?.setTheme(readTheme(getComputedStyle(document.body)));
    this.toolbar?.paintLegends();
    this.analysis?.onThemeChange();
    this.chain?.refresh();
    void this.diagram?.onThemeChange();
  }

  private counterText(): string {
    const n = this.tokens.length;
    if (!n || !this.strings) return '';
    const st = this.store.get();
    // 0-based like the equations' t, the debugger, the hovers and the status bar; (0–T−1) gives the range.
    return `${this.strings.step} ${st.step} (0–${n - 1}) · ${this.strings.token} “${this.labels[st.step]}”`;
  }

  report(id: number): RenderReport {
    this.chain?.draw();
    const range = this.chain?.visible();
    return {
      type: 'renderReport', id,
      stepCount: this.tokens.length,
      tokens: (this.chain?.renderedLabels() ?? []).slice(0, 200).map((t) => t.slice(0, 64)),
      notices: (this.init?.notices ?? []).slice(0, 20),
      message: this.message.slice(0, 1000),
      step: this.store.get().step,
      mode: range?.mode ?? 'empty',
      counter: this.counterText().slice(0, 200),
      diagramValues: Object.fromEntries(Object.entries(this.diagram?.shown ?? {}).slice(0, 100)),
    };
  }
}

// Boot only inside a webview page (tests import App directly and drive it).
const root = typeof document !== 'undefined' ? document.getElementById('app') : null;
if (root) new App(root).start();

