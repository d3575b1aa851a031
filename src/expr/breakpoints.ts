/**
 * Breakpoints over a trace: on a step, on a token, on a condition, with hit counts and log messages.
 *
 * Firing is a pure function of the trace: a breakpoint's hits are the steps (in step order from 0) where
 * its place matches and its condition holds; its hit condition picks which hits fire. So playing
 * forward, stepping back, reverse-continuing and the timeline's marks all agree. Steps are scanned
 * lazily, in blocks, only as far as a question needs (the next stop, or every mark for the timeline).
 */
import { compileCondition, type CompileOptions, type CompiledCondition } from './compile';
import { msg } from '../l10n/format';
import { ExprError } from './errors';
import { parseHitCondition, type HitTest } from './hitCondition';
import { compileLogTemplate, type LogTemplate } from './logTemplate';
import type { BoundsCondition } from './bounds';
import { MAYBE, NO, YES } from './interval';
import { screenFor, visitSteps } from './scan';
import type { StepSource } from './source';
import type { StepValues } from './values';

export type BreakpointPlace =
  /** every step */
  | { kind: 'any' }
  /** these steps only (a step clicked on the timeline, the tokens of an editor line) */
  | { kind: 'steps'; steps: readonly number[] }
  /** every step whose token text equals this */
  | { kind: 'token'; text: string };

export interface BreakpointDef {
  id: number;
  place: BreakpointPlace;
  /** Expression that must be true at the step (docs/expressions.md). */
  condition?: string;
  /** Which hits fire: 10, %10, ==3, >5 (see hitCondition.ts). */
  hitCondition?: string;
  /** Log instead of stopping: a template such as "f.mean = {f.mean}". */
  logMessage?: string;
  /** Layer/direction that unqualified names read. */
  scope?: Pick<CompileOptions, 'layer' | 'dir'>;
}

export interface BreakpointStatus {
  id: number;
  verified: boolean;
  /** Why it is not verified: which part failed and the column ("condition, column 3: …"). */
  message?: string;
}

export interface Fire {
  step: number;
  id: number;
  /** 1-based hit number at this step. */
  hit: number;
  /** The log line (logpoints only). */
  log?: string;
}

interface Compiled {
  def: BreakpointDef;
  stepSet?: Set<number>;
  condition?: CompiledCondition;
  /** The condition over enclosures (scan.ts); absent without a condition. */
  screen?: BoundsCondition;
  hitTest?: HitTest;
  log?: LogTemplate;
  hits: number;
  /** A runtime error (e.g. a computed index out of range) disables the breakpoint. */
  error?: string;
}

function describePart(part: 'condition' | 'hit count' | 'log message', e: unknown): string {
  if (!(e instanceof ExprError)) return `${part}: ${String((e as Error)?.message ?? e)}`;
  // One template per part, so each is translated whole.
  return part === 'condition' ? msg('condition, {0}', e.message) : part === 'hit count' ? msg('hit count, {0}', e.message) : msg('log message, {0}', e.message);
}

/** Steps screened per pass in a screened scan. */
const SCREEN_SPAN = 4096;

export class BreakpointSet {
  private list: Compiled[] = [];
  private fires: Fire[] = [];
  private scannedTo = 0;
  /** Union of the vectors every breakpoint reads (the scan fills in only these). */
  private reads = new Set<string>();
  private screened = false;
  /** Runtime errors met while scanning, each reported once: "breakpoint 3 disabled: …". */
  readonly errors: string[] = [];

  constructor(private readonly source: StepSource, private readonly blockSize = 1024) {}

  /** Replace all breakpoints; invalid ones are kept out and reported unverified with the reason. */
  set(defs: readonly BreakpointDef[]): BreakpointStatus[] {
    const statuses: BreakpointStatus[] = [];
    this.list = [];
    for (const def of defs) {
      const c: Compiled = { def, hits: 0 };
      let message: string | undefined;
      const opts = { layer: def.scope?.layer, dir: def.scope?.dir };
      try {
        if (def.condition !== undefined && def.condition.trim() !== '') c.condition = compileCondition(def.condition, this.source.meta, opts);
      } catch (e) {
        message = describePart('condition', e);
      }
      try {
        if (!message && def.hitCondition !== undefined && def.hitCondition.trim() !== '') c.hitTest = parseHitCondition(def.hitCondition);
      } catch (e) {
        message = describePart('hit count', e);
      }
      try {
        if (!message && def.logMessage !== undefined && def.logMessage !== '') c.log = compileLogTemplate(def.logMessage, this.source.meta, opts);
      } catch (e) {
        message = describePart('log message', e);
      }
      if (!message && def.place.kind === 'steps') {
        const valid = def.place.steps.filter((t) => Number.isInteger(t) && t >= 0 && t < this.source.steps);
        if (valid.length === 0) message = msg('no step of this sequence is there (it has {0} steps)', this.source.steps);
        c.stepSet = new Set(valid);
      }
      statuses.push({ id: def.id, verified: !message, ...(message ? { message } : {}) });
      if (!message) this.list.push(c);
    }
    // Screen steps from the store only when every condition can be screened (then none can fail at run time).
    this.screened = this.source.bounds !== undefined;
    for (const c of this.list) {
      if (!c.condition) continue;
      c.screen = screenFor(this.source, c.def.condition!, { layer: c.def.scope?.layer, dir: c.def.scope?.dir });
      if (!c.screen) this.screened = false;
    }
    this.reads = new Set();
    for (const c of this.list) for (const r of [...(c.condition?.reads ?? []), ...(c.log?.reads ?? [])]) this.reads.add(r);
    this.fires = [];
    this.scannedTo = 0;
    this.errors.length = 0;
    return statuses;
  }

  get scannedSteps(): number {
    return this.scannedTo;
  }

  /** Scan forward until step `upTo` (exclusive) has been seen. */
  private scanTo(upTo: number): void {
    const end = Math.min(upTo, this.source.steps);
    if (this.scannedTo >= end || this.list.length === 0) {
      if (this.list.length === 0) this.scannedTo = Math.max(this.scannedTo, end);
      return;
    }
    if (this.screened) this.scanScreened(this.scannedTo, end);
    else this.source.forEachStep(this.scannedTo, end, (s) => this.visit(s), this.reads);
    this.scannedTo = end;
  }

  /**
   * Like visiting every step, but each breakpoint's condition is first screened from the store: exact
   * values are recomputed only for steps some condition leaves undecided and for logpoint hits (their
   * messages print exact values). Hits are then counted in step order exactly as `visit` does.
   */
  private scanScreened(a: number, end: number): void {
    const n = this.list.length;
    const tokenAt = this.source.bounds!.tokenAt;
    for (let s0 = a; s0 < end; s0 += SCREEN_SPAN) {
      const s1 = Math.min(end, s0 + SCREEN_SPAN);
      const tri = new Uint8Array((s1 - s0) * n);
      const exact: number[] = [];
      for (let t = s0; t < s1; t++) {
        let need = false;
        for (let i = 0; i < n; i++) {
          const c = this.list[i];
          const place = c.def.place;
          let v: number = YES;
          if (c.error || (place.kind === 'steps' && !c.stepSet!.has(t)) || (place.kind === 'token' && tokenAt(t) !== place.text)) v = NO;
          else if (c.screen) v = c.screen.test(t);
          if (v === MAYBE || (v === YES && c.log)) need = true;
          tri[(t - s0) * n + i] = v;
        }
        if (need) exact.push(t);
      }
      const logs = new Map<number, string | Error>();
      visitSteps(this.source, exact, (s) => {
        for (let i = 0; i < n; i++) {
          const k = (s.t - s0) * n + i;
          const c = this.list[i];
          if (tri[k] === MAYBE) tri[k] = c.condition!.test(s) ? YES : NO;
          if (tri[k] === YES && c.log) {
            try {
              logs.set(k, c.log(s));
            } catch (e) {
              logs.set(k, e instanceof Error ? e : new Error(String(e)));
            }
          }
        }
      }, this.reads);
      for (let t = s0; t < s1; t++) {
        for (let i = 0; i < n; i++) {
          const k = (t - s0) * n + i;
          const c = this.list[i];
          if (tri[k] !== YES || c.error) continue;
          const hit = ++c.hits;
          if (c.hitTest && !c.hitTest(hit)) continue;
          const log = logs.get(k);
          if (log instanceof Error) {
            // The same step where visiting would have met the error: disabled from here on.
            c.error = log.message;
            this.errors.push(`breakpoint ${c.def.id} disabled: ${c.error}`);
            continue;
          }
          this.fires.push({ step: t, id: c.def.id, hit, ...(c.log ? { log: log ?? '' } : {}) });
        }
      }
    }
  }

  private visit(s: StepValues): void {
    for (const c of this.list) {
      if (c.error) continue;
      const place = c.def.place;
      if (place.kind === 'steps' && !c.stepSet!.has(s.t)) continue;
      if (place.kind === 'token' && s.token !== place.text) continue;
      try {
        if (c.condition && !c.condition.test(s)) continue;
        const hit = ++c.hits;
        if (c.hitTest && !c.hitTest(hit)) continue;
        this.fires.push({ step: s.t, id: c.def.id, hit, ...(c.log ? { log: c.log(s) } : {}) });
      } catch (e) {
        c.error = e instanceof Error ? e.message : String(e);
        this.errors.push(`breakpoint ${c.def.id} disabled: ${c.error}`);
      }
    }
  }

  private isLogOnly(id: number): boolean {
    return this.list.some((c) => c.def.id === id && c.log !== undefined);
  }

  /**
   * The nearest step strictly after (direction 1) or before (−1) `from` where a stopping breakpoint
   * fires, with everything that fires there; undefined when none.
   */
  nextStop(from: number, direction: 1 | -1): { step: number; fires: Fire[] } | undefined {
    if (direction === -1) {
      this.scanTo(from);
      for (let k = this.lowerBound(from) - 1; k >= 0; k--) {
        if (!this.isLogOnly(this.fires[k].id)) return { step: this.fires[k].step, fires: this.firesAt(this.fires[k].step) };
      }
      return undefined;
    }
    let k = this.lowerBound(from + 1);
    for (;;) {
      for (; k < this.fires.length; k++) {
        if (!this.isLogOnly(this.fires[k].id)) {
          const step = this.fires[k].step;
          this.scanTo(step + 1); // make sure every breakpoint has looked at that step
          return { step, fires: this.firesAt(step) };
        }
      }
      if (this.scannedTo >= this.source.steps || this.list.length === 0) return undefined;
      this.scanTo(Math.max(this.scannedTo, from + 1) + this.blockSize);
    }
  }

  /** Everything that fires at one step. */
  firesAt(step: number): Fire[] {
    this.scanTo(step + 1);
    const out: Fire[] = [];
    for (let k = this.lowerBound(step); k < this.fires.length && this.fires[k].step === step; k++) out.push(this.fires[k]);
    return out;
  }

  /** Log lines of logpoints firing at steps in (from, to], in step order (what "passing over" prints). */
  logsBetween(from: number, to: number): Fire[] {
    this.scanTo(to + 1);
    const out: Fire[] = [];
    for (let k = this.lowerBound(from + 1); k < this.fires.length && this.fires[k].step <= to; k++) if (this.fires[k].log !== undefined) out.push(this.fires[k]);
    return out;
  }

  /** Every fire over the whole trace (timeline marks); scans everything. */
  allFires(): readonly Fire[] {
    this.scanTo(this.source.steps);
    return this.fires;
  }

  /** First index in `fires` whose step is ≥ t. */
  private lowerBound(t: number): number {
    let lo = 0, hi = this.fires.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.fires[mid].step < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
