/**
 * The numbers a hover shows for one step, read from a trace. Pure (no `vscode`).
 * Exact float32 values when recomputing from the nearest checkpoint is cheap for this network (it
 * always is for the default models); the trace's 8-bit display codes otherwise, marked "≈", so a hover
 * never blocks the extension host on a large network.
 */
import { dequantize, topK, type Channel, type ExactStep, type TraceMeta, type TraceWindow } from '../engine/trace';
import { gateCount, layerInputSize, numDirections, outputSize, type CellSpec, type NetworkShape } from '../engine/types';
import type { HoverStepData } from './hoverContent';

/** What the editor needs from a trace (a local Trace, or RemoteTrace.local). */
export interface TraceView {
  readonly meta: TraceMeta;
  window(layer: number, dir: number, channel: Channel, t0: number, t1: number): TraceWindow;
  exactStep?(t: number): ExactStep;
}

/** Multiply-adds one exact seek may cost at most before the hover uses display codes instead. */
export const EXACT_SEEK_BUDGET = 8_000_000;

/** Multiply-adds of one time step through every layer and direction. */
export function stepCost(cell: CellSpec, shape: NetworkShape): number {
  const G = gateCount(cell.family);
  let cost = 0;
  for (let k = 0; k < shape.numLayers; k++) cost += G * shape.hiddenSize * (layerInputSize(cell, shape, k) + outputSize(cell, shape));
  return cost * numDirections(shape);
}

export function exactSeekCost(meta: TraceMeta): number {
  return stepCost(meta.cell, meta.shape) * meta.checkpointEvery;
}

const GATE_ORDER: Record<string, string[]> = { lstm: ['f', 'i', 'o'], gru: ['r', 'z'], rnn: [] };

export interface StepQuery {
  step: number;
  token: string;
  unknown: boolean;
  cellLabel: string;
  modelLabel: string;
  stale: boolean;
  /** Decoder vocabulary (symbols by id) for "predicted next"; omitted when there is no decoder. */
  vocab?: readonly string[];
  /** How many units / next tokens to list. */
  topUnits?: number;
  topNext?: number;
}

function mean(v: Float32Array): number {
  let s = 0;
  for (const x of v) s += x;
  return v.length ? s / v.length : 0;
}

function decode(w: TraceWindow): Float32Array {
  const out = new Float32Array(w.data.length);
  for (let i = 0; i < w.data.length; i++) out[i] = dequantize(w.data[i], w.lo, w.hi);
  return out;
}

/** Hover data of the last layer's forward direction at `q.step`. */
export function stepData(trace: TraceView, q: StepQuery): HoverStepData {
  const meta = trace.meta;
  const layer = meta.shape.numLayers - 1;
  const family = meta.cell.family;
  const gates = GATE_ORDER[family];
  const exact = trace.exactStep && exactSeekCost(meta) <= EXACT_SEEK_BUDGET ? trace.exactStep(q.step) : undefined;
  let c: Float32Array | undefined;
  let h: Float32Array;
  const gateMeans: { name: string; mean: number }[] = [];
  if (exact) {
    const d = exact.layers[layer].forward;
    h = d.h;
    c = d.c;
    for (const g of gates) {
      const v = d.gates[g as keyof typeof d.gates];
      if (v) gateMeans.push({ name: g, mean: mean(v) });
    }
  } else {
    h = decode(trace.window(layer, 0, 'h', q.step, q.step + 1));
    if (family === 'lstm') c = decode(trace.window(layer, 0, 'c', q.step, q.step + 1));
    for (const g of gates) gateMeans.push({ name: g, mean: mean(decode(trace.window(layer, 0, g as Channel, q.step, q.step + 1))) });
  }
  const order = Array.from(h.keys()).sort((a, b) => Math.abs(h[b]) - Math.abs(h[a]) || a - b);
  const topUnits = order.slice(0, q.topUnits ?? 5).map((unit) => ({ unit, value: h[unit] }));
  let nextTokens: { token: string; p: number }[] | undefined;
  if (exact?.logits && q.vocab) {
    nextTokens = topK(exact.logits, q.topNext ?? 3).map((k) => ({ token: q.vocab![k.id] ?? `#${k.id}`, p: k.prob }));
  }
  const multi = meta.shape.numLayers > 1 || meta.numDirections > 1;
  return {
    step: q.step,
    steps: meta.steps,
    token: q.token,
    unknown: q.unknown,
    family,
    cellLabel: q.cellLabel,
    modelLabel: q.modelLabel,
    scopeLabel: multi ? `layer ${layer + 1} of ${meta.shape.numLayers}, forward` : undefined,
    c,
    h,
    gateMeans,
    topUnits,
    nextTokens,
    stale: q.stale,
    approximate: !exact,
  };
}

/** Values of one unit of one channel at every step in [t0, t1) — what "Colour Text by Unit" paints. */
export function unitSeries(trace: TraceView, channel: Channel, unit: number, t0: number, t1: number, layer = trace.meta.shape.numLayers - 1): Float32Array {
  const w = trace.window(layer, 0, channel, t0, t1);
  const out = new Float32Array(t1 - t0);
  for (let t = 0; t < out.length; t++) out[t] = dequantize(w.data[t * w.width + unit], w.lo, w.hi);
  return out;
}
