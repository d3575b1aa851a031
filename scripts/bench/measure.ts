/** Timing helpers: medians over repeated runs, sized to a time budget. */
import { performance } from 'perf_hooks';

export interface Timing {
  /** Median wall seconds per run. */
  median: number;
  /**
   * Median process CPU seconds (user + system, all threads) per run: on a machine shared with other work
   * this tracks the work done far better than wall time. Meaningful for one-thread runs only (a
   * two-thread run also counts its partner's spinning at the step barrier).
   */
  cpuMedian: number;
  /** Fewest process CPU seconds of any run: the least disturbed by other work (cache and core sharing). */
  cpuMin: number;
  runs: number;
}

/** Warm up once, then repeat until `budget` seconds or `maxRuns` (at least `minRuns`); median per run. */
export async function time(fn: () => unknown, budget = 0.6, minRuns = 3, maxRuns = 15): Promise<Timing> {
  await fn();
  const samples: number[] = [];
  const cpu: number[] = [];
  const start = performance.now();
  while (samples.length < minRuns || (samples.length < maxRuns && (performance.now() - start) / 1000 < budget)) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    samples.push((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { median: median(samples), cpuMedian: median(cpu), cpuMin: Math.min(...cpu), runs: samples.length };
}

/**
 * Two functions run alternately (after one warm-up each) until `budget` seconds or `maxPairs`: the fewest
 * process CPU seconds of each. Interleaving exposes both to the same disturbances, so their ratio (e.g.
 * the tracing overhead) stays meaningful on a busy machine, where separate timing runs drift apart.
 */
export function interleavedCpuMin(a: () => unknown, b: () => unknown, budget = 1.5, minPairs = 5, maxPairs = 40): [number, number] {
  const cpu = (fn: () => unknown) => {
    const c0 = process.cpuUsage();
    fn();
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1e6;
  };
  a();
  b();
  let [ma, mb] = [Infinity, Infinity];
  const start = performance.now();
  for (let i = 0; i < maxPairs && (i < minPairs || (performance.now() - start) / 1000 < budget); i++) {
    ma = Math.min(ma, cpu(a));
    mb = Math.min(mb, cpu(b));
  }
  return [ma, mb];
}

/** interleavedCpuMin for any number of (possibly async) functions, run in turn: fewest CPU seconds of each. */
export async function interleavedCpuMinAsync(fns: (() => unknown)[], budget = 1.5, minRounds = 5, maxRounds = 40): Promise<number[]> {
  for (const fn of fns) await fn();
  const best = fns.map(() => Infinity);
  const start = performance.now();
  for (let i = 0; i < maxRounds && (i < minRounds || (performance.now() - start) / 1000 < budget); i++) {
    for (let j = 0; j < fns.length; j++) {
      const c0 = process.cpuUsage();
      await fns[j]();
      const c = process.cpuUsage(c0);
      best[j] = Math.min(best[j], (c.user + c.system) / 1e6);
    }
  }
  return best;
}

export function fmtRate(stepsPerSec: number): string {
  if (stepsPerSec >= 1e6) return `${(stepsPerSec / 1e6).toFixed(2)} M`;
  if (stepsPerSec >= 1e3) return `${(stepsPerSec / 1e3).toFixed(1)} k`;
  return stepsPerSec.toFixed(0);
}

export function geomean(xs: number[]): number {
  return Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
}
