/**
 * "Find all": the steps where a condition holds. With enclosures from the source (bounds.ts) each step is
 * first screened from the 8-bit store: certain hits are kept, certain misses dropped, and exact float32
 * values are recomputed only for the undecided steps, a checkpoint chunk at a time. The hits are exactly
 * those of evaluating the condition on exact values at every step (the fallback when there is no screen).
 */
import { compileBounds, type BoundsCondition } from './bounds';
import { compileCondition, type CompileOptions, type CompiledCondition } from './compile';
import { MAYBE, NO, YES } from './interval';
import type { StepSource } from './source';
import type { StepValues } from './values';

/** Steps screened per pass: the undecided ones among them are recomputed together. */
const SPAN = 4096;

/** Visit exactly `steps` (ascending), recomputing each chunk they fall in once. */
export function visitSteps(source: StepSource, steps: readonly number[], visit: (s: StepValues) => void, reads?: ReadonlySet<string>): void {
  const K = source.chunkSteps ?? 1;
  for (let i = 0; i < steps.length; ) {
    const chunkEnd = (Math.floor(steps[i] / K) + 1) * K;
    let j = i;
    while (j + 1 < steps.length && steps[j + 1] < chunkEnd) j++;
    let p = i;
    source.forEachStep(steps[i], steps[j] + 1, (s) => {
      if (s.t === steps[p]) {
        visit(s);
        p++;
      }
    }, reads);
    i = j + 1;
  }
}

/** The screen for a condition over this source, when it has enclosures and the condition can use them. */
export function screenFor(source: StepSource, condition: string, opts: CompileOptions): BoundsCondition | undefined {
  const bounds = source.bounds;
  return bounds ? compileBounds(condition, source.meta, opts, bounds) : undefined;
}

/**
 * One condition compiled once (exactly and, when the source has enclosures, as a screen), scanned over
 * any ranges of steps in order: what the panel drives block by block between yields.
 */
export class ConditionScanner {
  private readonly cond: CompiledCondition;
  private readonly screen: BoundsCondition | undefined;

  /** Throws ExprError on bad input. */
  constructor(private readonly source: StepSource, condition: string, opts: CompileOptions = {}) {
    this.cond = compileCondition(condition, source.meta, opts);
    this.screen = screenFor(source, condition, opts);
  }

  /** Steps in [t0, t1) where the condition holds, at most `limit`, ascending. */
  scan(t0: number, t1: number, limit = Infinity): number[] {
    return this.scanUntil(t0, t1, limit, Infinity).hits;
  }

  /**
   * Like scan, but once `performance.now()` passes `deadline` it stops at the next chunk it would have to
   * recompute: `end` is where the answer stops (every step before it was decided), so the caller can
   * yield and go on from there. At least one chunk is done per call.
   */
  scanUntil(t0: number, t1: number, limit: number, deadline: number): { hits: number[]; end: number } {
    const { cond, screen, source } = this;
    const hits: number[] = [];
    if (!screen) {
      let end = t1;
      source.forEachStep(t0, t1, (s) => {
        if (cond.test(s)) hits.push(s.t);
        if (hits.length >= limit) end = s.t + 1;
        return hits.length < limit;
      }, cond.reads);
      return { hits, end };
    }
    const K = source.chunkSteps ?? 1;
    let recomputed = false;
    for (let a = t0; a < t1; a += SPAN) {
      const b = Math.min(t1, a + SPAN);
      const tri = new Uint8Array(b - a);
      const undecided: number[] = [];
      for (let t = a; t < b; t++) if ((tri[t - a] = screen.test(t)) === MAYBE) undecided.push(t);
      let end = b;
      for (let i = 0; i < undecided.length; ) {
        const chunk = Math.floor(undecided[i] / K);
        if (recomputed && performance.now() > deadline) {
          end = Math.max(a, chunk * K); // steps before this chunk are all decided
          break;
        }
        let j = i;
        while (j < undecided.length && Math.floor(undecided[j] / K) === chunk) j++;
        visitSteps(source, undecided.slice(i, j), (s) => void (tri[s.t - a] = cond.test(s) ? YES : NO), cond.reads);
        recomputed = true;
        i = j;
      }
      for (let t = a; t < end; t++) {
        if (tri[t - a] !== YES) continue;
        hits.push(t);
        if (hits.length >= limit) return { hits, end: t + 1 };
      }
      if (end < b) return { hits, end };
    }
    return { hits, end: t1 };
  }
}

/** Steps in [t0, t1) where a condition holds (the timeline's "find all"). Throws ExprError on bad input. */
export function scanCondition(source: StepSource, condition: string, opts: CompileOptions & { t0?: number; t1?: number; limit?: number } = {}): number[] {
  return new ConditionScanner(source, condition, opts).scan(opts.t0 ?? 0, opts.t1 ?? source.steps, opts.limit ?? Infinity);
}

/**
 * Block sizes that keep each synchronous piece of a scan near `targetMs` whatever it costs per step
 * (screened steps are cheap, recomputed chunks of a large network are not): doubles after quick blocks,
 * halves after slow ones, in multiples of `minSteps` (a checkpoint chunk).
 */
export class AdaptiveBlock {
  size: number;
  constructor(private readonly minSteps: number, private readonly targetMs = 20, private readonly maxSteps = 16384) {
    this.size = Math.max(minSteps, 256 - (256 % minSteps));
  }

  /** Record how long the last block took. */
  took(ms: number): void {
    if (ms < this.targetMs / 3 && this.size * 2 <= this.maxSteps) this.size *= 2;
    else if (ms > this.targetMs * 1.5 && this.size / 2 >= this.minSteps && (this.size / 2) % this.minSteps === 0) this.size /= 2;
  }
}
