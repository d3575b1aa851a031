/**
 * Timeline controls: jump/step/play, scrub, speed, step counter with the token, breakpoint marks and the
 * condition input. Holds no state of its own beyond the breakpoints: the step lives in the store.
 */
import type { WebviewStrings } from '../../src/protocol/messages';
import { cssVar } from '../cssCache';
import { button, el, icon, iconButton } from '../dom';
import type { Store } from '../state';

export const SPEEDS = [1, 2, 4, 8, 15, 30, 60, 120];

export interface Breakpoints {
  /** Steps clicked on the timeline. */
  steps: Set<number>;
  /** Token texts to stop at. */
  tokens: Set<string>;
  /** Condition text and its hits (ascending) once scanned. */
  condition: string;
  conditionHits: number[];
  /** Logpoint: a log line per condition hit; playback prints them instead of stopping. */
  conditionLogs?: string[];
}

/** Next step after `from` (exclusive) where any breakpoint fires, or -1. */
export function nextBreak(bp: Breakpoints, tokens: readonly string[], from: number): number {
  let best = -1;
  for (const s of bp.steps) if (s > from && (best < 0 || s < best)) best = s;
  const hits = bp.conditionLogs ? [] : bp.conditionHits;
  let lo = 0;
  let hi = hits.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (hits[mid] <= from) lo = mid + 1;
    else hi = mid;
  }
  if (lo < hits.length && (best < 0 || hits[lo] < best)) best = hits[lo];
  if (bp.tokens.size) {
    const limit = best < 0 ? tokens.length : best;
    for (let t = from + 1; t < limit; t++) if (bp.tokens.has(tokens[t])) return t;
  }
  return best;
}

/** Why step t stops playback (for the "breakpoint hit" line). */
export function breakReason(bp: Breakpoints, tokens: readonly string[], t: number): string {
  const why: string[] = [];
  if (bp.steps.has(t)) why.push(`step ${t}`);
  if (bp.tokens.has(tokens[t])) why.push(`token “${tokens[t]}”`);
  if (bp.condition && !bp.conditionLogs && binaryHas(bp.conditionHits, t)) why.push(bp.condition);
  return why.join(', ');
}

/** Index of x in the ascending array a, or -1. */
export function binaryIndex(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const m = (lo + hi) >> 1;
    if (a[m] === x) return m;
    if (a[m] < x) lo = m + 1;
    else hi = m - 1;
  }
  return -1;
}

function binaryHas(a: readonly number[], x: number): boolean {
  return binaryIndex(a, x) >= 0;
}

export class TimelineView {
  readonly root: HTMLElement;
  readonly counter: HTMLElement;
  readonly status: HTMLElement;
  private readonly scrub: HTMLInputElement;
  private readonly playBtn: HTMLButtonElement;
  private readonly tokenBp: HTMLButtonElement;
  private readonly marks: HTMLCanvasElement;
  /** The current step on the marks: an overlay moved by a compositor transform (the canvas is redrawn only when breakpoints change). */
  private readonly markCurrent: HTMLElement;
  private markAt = '';
  readonly conditionInput: HTMLInputElement;
  readonly hitInput: HTMLInputElement;
  readonly logInput: HTMLInputElement;
  readonly bp: Breakpoints = { steps: new Set(), tokens: new Set(), condition: '', conditionHits: [] };
  onScan: (expression: string, hitCondition: string, logMessage: string) => void = () => undefined;
  onZoom: (factor: number) => void = () => undefined;

  constructor(private readonly store: Store, private readonly s: WebviewStrings, private tokens: readonly string[], private readonly counterText: () => string) {
    const jump = (step: number) => store.update({ step, playing: false });
    this.playBtn = iconButton(s.play, 'play', () => store.update({ playing: !store.get().playing }), 'play');
    this.scrub = el('input', { type: 'range', min: '0', max: String(Math.max(0, tokens.length - 1)), value: '0', 'aria-label': s.timeline, class: 'scrub' });
    this.scrub.addEventListener('input', () => store.update({ step: Number(this.scrub.value), playing: false }));
    const speed = el('select', { 'aria-label': s.speed, title: s.speed, class: 'speed' });
    for (const v of SPEEDS) speed.append(el('option', { value: String(v), text: `${v}/s` }));
    speed.value = String(nearest(store.get().speed));
    speed.addEventListener('change', () => store.update({ speed: Number(speed.value) }));
    this.counter = el('span', { class: 'counter', 'aria-live': 'polite' });
    this.marks = el('canvas', { class: 'marks', 'aria-label': s.breakpointMarks, title: s.breakpointMarks });
    this.marks.addEventListener('click', (e) => this.toggleStepAt(e));
    if (typeof ResizeObserver !== 'undefined') {
      new ResizeObserver(() => {
        // Layout is clean inside the callback: the size read there is free, unlike inside a frame.
        this.marksSize = { w: this.marks.clientWidth, h: this.marks.clientHeight };
        this.scheduleMarks();
        this.placeCurrent();
      }).observe(this.marks);
    }
    this.conditionInput = el('input', { type: 'text', class: 'condition', placeholder: s.conditionPlaceholder, 'aria-label': s.condition, spellcheck: 'false' });
    this.hitInput = el('input', { type: 'text', class: 'hit-count', placeholder: s.hitCountPlaceholder, 'aria-label': s.hitCount, spellcheck: 'false' });
    this.logInput = el('input', { type: 'text', class: 'log-message', placeholder: s.logMessagePlaceholder, 'aria-label': s.logMessage, spellcheck: 'false' });
    for (const input of [this.conditionInput, this.hitInput, this.logInput]) {
      input.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          this.apply();
        }
        e.stopPropagation(); // typing must not step or play
      });
    }
    this.markCurrent = el('div', { class: 'marks-current', 'aria-hidden': 'true' });
    const ms = this.markCurrent.style;
    ms.position = 'absolute';
    ms.top = ms.left = '0';
    ms.width = '2px';
    ms.height = '100%';
    ms.background = 'var(--vscode-focusBorder, #0078d4)';
    ms.pointerEvents = 'none';
    ms.willChange = 'transform';
    const marksWrap = el('div', { class: 'marks-wrap' }, this.marks, this.markCurrent);
    marksWrap.style.position = 'relative';
    marksWrap.style.lineHeight = '0';
    this.status = el('pre', { class: 'bp-status', role: 'status' });
    const tokenBp = (this.tokenBp = button(s.tokenBreakpointAdd.replace('{0}', '…'), '◆', () => this.toggleToken(), 'token-bp'));
    this.root = el('section', { class: 'timeline', 'aria-label': s.timeline },
      el('div', { class: 'controls' },
        iconButton(s.jumpStart, 'first', () => jump(0)),
        iconButton(s.stepBack, 'prev', () => store.update({ step: store.get().step - 1, playing: false })),
        this.playBtn,
        iconButton(s.stepForward, 'next', () => store.update({ step: store.get().step + 1, playing: false })),
        iconButton(s.jumpEnd, 'last', () => jump(this.tokens.length - 1)),
        speed,
        button(`${s.zoom} −`, '−', () => this.onZoom(1 / 1.5)),
        button(`${s.zoom} +`, '+', () => this.onZoom(1.5)),
        tokenBp,
        this.counter),
      el('div', { class: 'scrub-row' }, this.scrub, marksWrap),
      el('div', { class: 'condition-row' },
        el('label', { text: s.condition }, this.conditionInput),
        el('label', { text: s.hitCount }, this.hitInput),
        el('label', { text: s.logMessage }, this.logInput),
        this.status),
      el('p', { class: 'keys-help', text: s.keyboardHelp }));
    // The counter and scrub change at every step: their paint stays inside the timeline's own layer.
    this.root.style.contain = 'layout paint';
    store.subscribe(() => this.sync());
    this.sync();
    this.scheduleMarks();
  }

  setTokens(tokens: readonly string[]): void {
    this.tokens = tokens;
    this.scrub.max = String(Math.max(0, tokens.length - 1));
    this.scheduleMarks();
    this.sync();
  }

  sync(): void {
    const st = this.store.get();
    this.scrub.value = String(st.step);
    this.counter.textContent = this.counterText();
    const want = st.playing ? 'pause' : 'play';
    if (this.playBtn.dataset.icon !== want) {
      this.playBtn.dataset.icon = want;
      this.playBtn.replaceChildren(icon(want));
    }
    const label = st.playing ? this.s.pause : this.s.play;
    if (this.playBtn.title !== label) {
      this.playBtn.setAttribute('aria-label', label);
      this.playBtn.title = label;
    }
    this.placeCurrent();
    this.labelTokenBp();
  }

  /**
   * The ◆ button says what a click does for the current token (set or remove its breakpoint at every
   * step with that token); the attributes are written only when that text changes, not at every step.
   */
  private labelTokenBp(): void {
    const tok = this.tokens[this.store.get().step];
    const on = tok !== undefined && this.bp.tokens.has(tok);
    const shown = tok === undefined ? '…' : `“${tok.replace(/\n/g, '↵').replace(/\t/g, '→')}”`;
    const label = (on ? this.s.tokenBreakpointRemove : this.s.tokenBreakpointAdd).replace('{0}', shown);
    if (this.tokenBp.title === label) return;
    this.tokenBp.title = label;
    this.tokenBp.setAttribute('aria-label', label);
    this.tokenBp.setAttribute('aria-pressed', String(on));
  }

  /** Moves the current-step line (a style write only when its position changes). */
  private placeCurrent(): void {
    const n = this.tokens.length;
    const w = this.marksSize.w || 300;
    const x = n <= 1 ? 0 : Math.round((this.store.get().step / (n - 1)) * (w - 2));
    const at = String(x);
    if (at === this.markAt) return;
    this.markAt = at;
    this.markCurrent.style.transform = `translateX(${x}px)`;
  }

  /**
   * Playback updates the step up to 120 times a second: the marks are drawn once per animation frame,
   * not once per store update, so the width read never follows other views' DOM writes in the same task.
   */
  private marksFrame = 0;
  private marksSize = { w: 0, h: 0 };
  private scheduleMarks(): void {
    if (this.marksFrame) return;
    if (typeof requestAnimationFrame !== 'function') return this.drawMarks();
    this.marksFrame = requestAnimationFrame(() => {
      this.marksFrame = 0;
      this.drawMarks();
    });
  }

  /** Sends the condition, hit count and log message for scanning (Enter in any of them). */
  apply(): void {
    this.onScan(this.conditionInput.value.trim(), this.hitInput.value.trim(), this.logInput.value);
  }

  setConditionResult(expression: string, hits: number[] | undefined, error: string | undefined, logs?: string[]): void {
    this.bp.condition = error || !hits ? '' : expression || '*';
    this.bp.conditionHits = error ? [] : hits ?? [];
    this.bp.conditionLogs = error ? undefined : logs;
    const what = logs ? `${this.s.logMessage}: ${expression || '*'}` : expression;
    this.status.textContent = error ?? (hits ? `${hits.length} × ${what}` : '');
    this.status.classList.toggle('error', !!error);
    this.drawMarks();
  }

  private toggleToken(): void {
    const tok = this.tokens[this.store.get().step];
    if (tok === undefined) return;
    if (this.bp.tokens.has(tok)) this.bp.tokens.delete(tok);
    else this.bp.tokens.add(tok);
    this.labelTokenBp();
    this.drawMarks();
  }

  private toggleStepAt(e: MouseEvent): void {
    const n = this.tokens.length;
    if (!n) return;
    const rect = this.marks.getBoundingClientRect();
    const step = Math.max(0, Math.min(n - 1, Math.round(((e.clientX - rect.left) / Math.max(1, rect.width)) * (n - 1))));
    if (this.bp.steps.has(step)) this.bp.steps.delete(step);
    else this.bp.steps.add(step);
    this.drawMarks();
  }

  /** One tick per breakpoint hit along the whole sequence; the current step as a line. */
  private drawMarks(): void {
    const c = this.marks;
    if (!this.marksSize.w) this.marksSize = { w: c.clientWidth, h: c.clientHeight };
    const w = this.marksSize.w || 300;
    const h = this.marksSize.h || 10;
    if (c.width !== w) c.width = w;
    if (c.height !== h) c.height = h;
    const ctx = c.getContext?.('2d');
    const n = this.tokens.length;
    if (!ctx || !n) return;
    ctx.clearRect(0, 0, w, h);
    const x = (t: number) => (n === 1 ? 0 : (t / (n - 1)) * (w - 2)) + 1;
    // Logpoints in the log colour, stopping hits in the breakpoint colour.
    ctx.fillStyle = this.bp.conditionLogs ? cssVar('--vscode-charts-blue', '#3794ff') : cssVar('--vscode-debugIcon-breakpointForeground', '#e51400');
    for (const t of this.bp.conditionHits) ctx.fillRect(x(t) - 0.5, 2, 1.5, h - 4);
    ctx.fillStyle = cssVar('--vscode-debugIcon-breakpointForeground', '#e51400');
    for (const t of this.bp.steps) ctx.fillRect(x(t) - 2, 0, 4, h);
    if (this.bp.tokens.size) for (let t = 0; t < n; t++) if (this.bp.tokens.has(this.tokens[t])) ctx.fillRect(x(t) - 1, 0, 2, h);
  }
}

function nearest(v: number): number {
  return SPEEDS.reduce((a, b) => (Math.abs(b - v) < Math.abs(a - v) ? b : a), SPEEDS[0]);
}
