/**
 * Interpretable units (Karpathy, Johnson & Fei-Fei 2015): run a trained character model over held-out
 * code as one continuous sequence and correlate every unit's C_t (or h_t) with the bracket depth, with
 * being inside a string, inside a comment, and inside either (text that is not code). Pure.
 */
import type { Network } from '../types';
import { encodeCharIds } from './charModel';
import { labelCode, pearson } from './codeLabels';
import { evaluateNextToken } from './trainer';

export type Feature = 'bracketDepth' | 'insideString' | 'insideComment' | 'insideStringOrComment';
export const FEATURES: readonly Feature[] = ['bracketDepth', 'insideString', 'insideComment', 'insideStringOrComment'];

export interface UnitScore {
  unit: number;
  r: number;
}

export interface FeatureReport {
  bestUnit: number;
  correlation: number;
  top5: UnitScore[];
}

export interface Interpretation {
  state: 'c' | 'h';
  chars: number;
  features: Record<Feature, FeatureReport>;
  /** The single strongest unit over all features, for the views to offer ("unit 39 tracks bracket depth"). */
  best: { feature: Feature; unit: number; correlation: number; description: string };
}

const DESCRIBE: Record<Feature, string> = {
  bracketDepth: 'tracks bracket depth',
  insideString: 'knows it is inside a string',
  insideComment: 'knows it is inside a comment',
  insideStringOrComment: 'knows it is inside a string or comment',
};

export function interpretUnits(net: Network, codeText: string, state: 'c' | 'h'): Interpretation {
  const text = codeText.replace(/\r\n?/g, '\n').replace(/\t/g, ' ');
  const ids = encodeCharIds(text);
  const labels = labelCode(text);
  const run = evaluateNextToken(net, ids, { record: state });
  const W = run.recordWidth;
  const T = ids.length;
  const series = new Float64Array(T);
  const features = {} as Record<Feature, FeatureReport>;
  let best: Interpretation['best'] | null = null;
  for (const f of FEATURES) {
    const y = labels[f];
    const scores: UnitScore[] = [];
    for (let u = 0; u < W; u++) {
      for (let t = 0; t < T; t++) series[t] = run.record![t * W + u];
      scores.push({ unit: u, r: round4(pearson(series, y)) });
    }
    scores.sort((a, b) => Math.abs(b.r) - Math.abs(a.r));
    features[f] = { bestUnit: scores[0].unit, correlation: scores[0].r, top5: scores.slice(0, 5) };
    if (!best || Math.abs(scores[0].r) > Math.abs(best.correlation)) {
      best = { feature: f, unit: scores[0].unit, correlation: scores[0].r, description: `unit ${scores[0].unit} ${DESCRIBE[f]}` };
    }
  }
  return { state, chars: T, features, best: best! };
}

const round4 = (v: number) => Math.round(v * 1e4) / 1e4;
