/** Timing helpers: medians over repeated runs, sized to a time budget. */
import { performance } from 'perf_hooks';

export interface Timing {
  /** Median seconds per run. */
  median: number;
  runs: number;
}

/** Warm up once, then repeat until `budget` seconds or `maxRuns` (at least `minRuns`); median per run. */
export async function time(fn: () => unknown, budget = 0.6, minRuns = 3, maxRuns = 15): Promise<Timing> {
  await fn();
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < minRuns || (samples.length < maxRuns && (performance.now() - start) / 1000 < budget)) {
    const t0 = performance.now();
    await fn();
    samples.push((performance.now() - t0) / 1000);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)], runs: samples.length };
}

export function fmtRate(stepsPerSec: number): string {
  if (stepsPerSec >= 1e6) return `${(stepsPerSec / 1e6).toFixed(2)} M`;
  if (stepsPerSec >= 1e3) return `${(stepsPerSec / 1e3).toFixed(1)} k`;
  return stepsPerSec.toFixed(0);
}

export function geomean(xs: number[]): number {
  return Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
}
