/**
 * What the Variables view shows: per layer and direction x_t, h_{t-1}, C_{t-1}, every gate, C_t, h_t,
 * each labelled with mean / min / max and expandable to its units; a Step scope with t, token and
 * summaries. Every variable carries an evaluateName in the expression language, so Add to Watch works.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import { componentValues, components, formatNumber } from '../expr';
import type { UnrollRuntime } from './runtime';

export type VarRef =
  | { kind: 'lane'; lane: number; t: number }
  | { kind: 'step'; t: number }
  | { kind: 'vector'; values: Float64Array; evaluateName: string; isMask?: boolean };

/** "mean 0.1234, min -0.5, max 0.9 (16 units)" */
export function vectorLabel(v: ArrayLike<number>): string {
  const n = v.length;
  if (n === 0) return '(empty)';
  let sum = 0, min = Infinity, max = -Infinity;
  for (let i = 0; i < n; i++) {
    sum += v[i];
    if (v[i] < min) min = v[i];
    if (v[i] > max) max = v[i];
  }
  return `mean ${formatNumber(sum / n)}, min ${formatNumber(min)}, max ${formatNumber(max)} (${n} unit${n === 1 ? '' : 's'})`;
}

/** Qualifier prefix that makes an expression read this lane from any frame. */
function qualifier(rt: UnrollRuntime, lane: number): string {
  const { layer, dir } = rt.lanes[lane];
  return `l${layer}.${rt.program.network.shape.bidirectional ? (dir === 1 ? 'rev.' : 'fwd.') : ''}`;
}

export function laneVariables(rt: UnrollRuntime, lane: number, t: number, handle: (r: VarRef) => number): DebugProtocol.Variable[] {
  const step = rt.stepValues(t);
  const { layer, dir } = rt.lanes[lane];
  const d = dir === 1 ? step.layers[layer].reverse! : step.layers[layer].forward;
  const q = qualifier(rt, lane);
  return components(rt.meta, layer).map((c) => {
    const values = Float64Array.from(componentValues(d, c.name) ?? []);
    const evaluateName = `${q}${c.name}`;
    return {
      name: c.label,
      value: vectorLabel(values),
      type: `float32[${values.length}]`,
      evaluateName,
      variablesReference: handle({ kind: 'vector', values, evaluateName }),
      indexedVariables: values.length,
    };
  });
}

export function unitVariables(ref: VarRef & { kind: 'vector' }, start: number, count: number): DebugProtocol.Variable[] {
  const n = ref.values.length;
  const from = Math.max(0, Math.min(n, start));
  const to = count > 0 ? Math.min(n, from + count) : n;
  const out: DebugProtocol.Variable[] = [];
  for (let i = from; i < to; i++) {
    const v = ref.values[i];
    out.push({ name: `[${i}]`, value: ref.isMask ? (v ? 'true' : 'false') : formatNumber(v), evaluateName: `${ref.evaluateName.includes(' ') ? `(${ref.evaluateName})` : ref.evaluateName}[${i}]`, variablesReference: 0 });
  }
  return out;
}

/** The Step scope: t, token, and per lane the h_t and C_t summaries (expandable to every lane). */
export function stepSummary(rt: UnrollRuntime, t: number, handle: (r: VarRef) => number): DebugProtocol.Variable[] {
  const step = rt.stepValues(t);
  const out: DebugProtocol.Variable[] = [
    { name: 't', value: String(t), evaluateName: 't', variablesReference: 0 },
    { name: 'token', value: JSON.stringify(rt.program.tokens[t]), evaluateName: 'token', variablesReference: 0 },
  ];
  rt.lanes.forEach((lane, k) => {
    const d = lane.dir === 1 ? step.layers[lane.layer].reverse! : step.layers[lane.layer].forward;
    const q = qualifier(rt, k);
    const parts = [d.c ? `C_t ${vectorLabel(d.c)}` : '', `h_t ${vectorLabel(d.h)}`].filter(Boolean).join(' · ');
    out.push({ name: lane.label, value: parts, evaluateName: `${q}h`, variablesReference: handle({ kind: 'lane', lane: k, t }) });
  });
  return out;
}
