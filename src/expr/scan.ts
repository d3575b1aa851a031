/**
 * "Find all": the steps where a condition holds. With enclosures from the source (bounds.ts) each step is
 * first screened from the 8-bit store: certain hits are kept, certain misses dropped, and exact float32
 * values are recomputed only for the undecided steps, a checkpoint chunk at a time. The hits are exactly
 * those of evaluating the condition on exact values at every step (the fallback when there is no screen).
 */
import { compileBounds, type BoundsCondition } from './bounds';
import { compileCondition, type CompileOptions } from './compile';
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

/** Steps in [t0, t1) where a condition holds (the timeline's "find all"). Throws ExprError on bad input. */
export function scanCondition(source: StepSource, condition: string, opts: CompileOptions & { t0?: number; t1?: number; limit?: number } = {}): number[] {
  const cond = compileCondition(condition, source.meta, opts);
  const hits: number[] = [];
  const limit = opts.limit ?? Infinity;
  const t0 = opts.t0 ?? 0, t1 = opts.t1 ?? source.steps;
  const screen = screenFor(source, condition, opts);
  if (!screen) {
    source.forEachStep(t0, t1, (s) => {
      if (cond.test(s)) hits.push(s.t);
      return hits.length < limit;
    }, cond.reads);
    return hits;
  }
  const tri = new Uint8Array(SPAN);
  const undecided: number[] = [];
  for (let a = t0; a < t1 && hits.length < limit; a += SPAN) {
    const b = Math.min(t1, a + SPAN);
    undecided.length = 0;
    for (let t = a; t < b; t++) if ((tri[t - a] = screen.test(t)) === MAYBE) undecided.push(t);
    visitSteps(source, undecided, (s) => void (tri[s.t - a] = cond.test(s) ? YES : NO), cond.reads);
    for (let t = a; t < b && hits.length < limit; t++) if (tri[t - a] === YES) hits.push(t);
  }
  return hits;
}
