/**
 * One "find all" scan: a condition, or a breakpoint with a hit count / log message, over a StepSource,
 * done in adaptive slices with a yield between them. The engine worker runs it over the traces it holds;
 * a local TraceSession (tests, CLI) runs the very same function in-process. Pure: no `vscode`, no I/O.
 */
import { UnrollError } from '../engine/types';
import { BreakpointSet } from './breakpoints';
import { ExprError, caretLines } from './errors';
import { AdaptiveBlock, ConditionScanner } from './scan';
import type { StepSource } from './source';
import { type Message, messageOf } from '../l10n/format';

/** What to scan for, at which layer and direction (the panel's current ones). */
export interface ScanSpec {
  expression: string;
  hitCondition?: string;
  logMessage?: string;
  layer: number;
  dir: 0 | 1;
}

/**
 * Hits (ascending, at most SCAN_LIMIT; with `logs` when the spec has a log message), or the error a person
 * reads: a caret under the offending character, or one line. `l10n` is the record `msg` kept for that line,
 * so a host that did not make the text itself (the worker did) can still show it in the display language.
 */
export type ScanOutcome = { hits: number[]; logs?: string[] } | { error: string; l10n?: Message };

export interface ScanPacing {
  /** Awaited between slices (setImmediate: the thread's other messages are answered meanwhile). */
  yieldFn: () => Promise<void>;
  /** Checked after each yield: true stops the scan, which then answers undefined. */
  isStale: () => boolean;
}

/** At most this many hits are reported. */
export const SCAN_LIMIT = 100_000;
/** A synchronous slice stops recomputing chunks after this. */
const BUDGET_MS = 30;
/** Slices are sized to take about this long. */
const TARGET_MS = 20;

export const setImmediateYield = (): Promise<void> => new Promise((r) => setImmediate(r));

function failure(text: string): ScanOutcome {
  const l10n = messageOf(text);
  return l10n ? { error: text, l10n } : { error: text };
}

/**
 * Most steps are decided from the 8-bit store (expr/scan.ts) and only undecided chunks are recomputed.
 * `makeSource` is called inside the error handling, so a source that cannot be built gives one line.
 * Undefined when the scan went stale.
 */
export async function runScan(makeSource: () => StepSource, spec: ScanSpec, pacing: ScanPacing): Promise<ScanOutcome | undefined> {
  try {
    const source = makeSource();
    const opts = { layer: spec.layer, dir: spec.dir };
    const steps = source.steps;
    // Breakpoint sets cannot stop mid-block, so their blocks stay small enough to recompute quickly.
    const block = new AdaptiveBlock(source.chunkSteps ?? 1, TARGET_MS, spec.hitCondition || spec.logMessage ? 2048 : 16384);
    /**
     * Runs `piece(t0, t1, deadline)` over the whole trace in adaptive blocks; a piece returns where it got to
     * (it may stop early at its deadline), or 'done' when it needs no more. False when the scan went stale.
     */
    const blocks = async (piece: (t0: number, t1: number, deadline: number) => number | 'done'): Promise<boolean> => {
      for (let t0 = 0; t0 < steps; ) {
        const t1 = Math.min(steps, t0 + block.size);
        const start = performance.now();
        const end = piece(t0, t1, start + BUDGET_MS);
        if (end === 'done') return true;
        block.took(performance.now() - start);
        t0 = end;
        if (t0 < steps) {
          await pacing.yieldFn();
          if (pacing.isStale()) return false;
        }
      }
      return true;
    };
    if (spec.hitCondition || spec.logMessage) {
      // Hit counts and log lines need the breakpoint machinery (hits are counted in step order).
      const set = new BreakpointSet(source);
      const [status] = set.set([{ id: 1, place: { kind: 'any' }, condition: spec.expression, hitCondition: spec.hitCondition, logMessage: spec.logMessage, scope: opts }]);
      if (!status.verified) return failure(status.message ?? 'invalid breakpoint');
      if (!(await blocks((t0, t1) => (set.logsBetween(t0 - 1, t1 - 1), t1)))) return undefined; // scans the block
      if (set.errors.length) return failure(set.errors[0]);
      const fires = set.allFires().slice(0, SCAN_LIMIT);
      return { hits: fires.map((f) => f.step), ...(spec.logMessage ? { logs: fires.map((f) => f.log ?? '') } : {}) };
    }
    const scanner = new ConditionScanner(source, spec.expression, opts);
    const hits: number[] = [];
    const done = await blocks((t0, t1, deadline) => {
      const r = scanner.scanUntil(t0, t1, SCAN_LIMIT - hits.length, deadline);
      for (const t of r.hits) hits.push(t);
      return hits.length < SCAN_LIMIT ? r.end : 'done';
    });
    return done ? { hits } : undefined;
  } catch (e) {
    if (e instanceof ExprError) return failure(caretLines(spec.expression, e));
    if (e instanceof UnrollError) return failure(e.message);
    throw e;
  }
}
