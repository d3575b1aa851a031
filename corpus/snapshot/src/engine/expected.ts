/**
 * A trace written in the fixtures' `expected` shape (nested number arrays): layers[k].forward/reverse
 * {h, c, gates, m}, output, hN, cN, and logits (+ nll, meanNll when the tokens are known).
 * This is the command-line contract's output and what test/fixtures/reference/verify.mjs compares.
 */
import type { ExactDirectionRange, Trace } from './trace';

type Rows = number[][];

function rows(a: Float32Array, width: number): Rows {
  const out: Rows = [];
  for (let r = 0; r * width < a.length; r++) out.push(Array.from(a.subarray(r * width, (r + 1) * width)));
  return out;
}

export interface ExpectedDirection {
  h: Rows;
  c?: Rows;
  m?: Rows;
  gates: Record<string, Rows>;
}

export interface Expected {
  layers: { forward: ExpectedDirection; reverse?: ExpectedDirection }[];
  output: Rows;
  hN: Rows;
  cN?: Rows;
  logits?: Rows;
  nll?: number[];
  meanNll?: number;
}

export function toExpected(trace: Trace, tokens?: number[]): Expected {
  const { meta } = trace;
  const T = meta.steps;
  const H = meta.shape.hiddenSize;
  const Out = meta.outputSize;
  const D = meta.numDirections;
  const all = trace.exactRange(0, T);
  const dir = (r: ExactDirectionRange): ExpectedDirection => {
    const e: ExpectedDirection = { h: rows(r.h, Out), gates: {} };
    if (r.c) e.c = rows(r.c, H);
    if (r.m) e.m = rows(r.m, H);
    for (const [g, a] of Object.entries(r.gates)) e.gates[g] = rows(a!, H);
    return e;
  };
  const layers = all.layers.map((l) => (l.reverse ? { forward: dir(l.forward), reverse: dir(l.reverse) } : { forward: dir(l.forward) }));
  const last = all.layers[all.layers.length - 1];
  const output: Rows = [];
  for (let t = 0; t < T; t++) {
    const row = Array.from(last.forward.h.subarray(t * Out, (t + 1) * Out));
    if (last.reverse) row.push(...last.reverse.h.subarray(t * Out, (t + 1) * Out));
    output.push(row);
  }
  // Final states in torch h_n order (layer*D + dir): forward at t = T−1, reverse at t = 0.
  const hN: Rows = [];
  const cN: Rows = [];
  for (const l of all.layers) {
    for (let d = 0; d < D; d++) {
      const r = d === 0 ? l.forward : l.reverse!;
      const t = d === 0 ? T - 1 : 0;
      hN.push(Array.from(r.h.subarray(t * Out, (t + 1) * Out)));
      if (r.c) cN.push(Array.from(r.c.subarray(t * H, (t + 1) * H)));
    }
  }
  const out: Expected = { layers, output, hN, ...(meta.cell.family === 'lstm' ? { cN } : {}) };
  if (all.logits) {
    const V = meta.vocabSize;
    out.logits = rows(all.logits, V);
    if (tokens && tokens.length === T && T > 1 && tokens.every((id) => id < V)) {
      out.nll = [];
      for (let t = 0; t + 1 < T; t++) {
        const z = out.logits[t];
        const max = Math.max(...z);
        const lse = max + Math.log(z.reduce((s, v) => s + Math.exp(v - max), 0));
        out.nll.push(lse - z[tokens[t + 1]]);
      }
      out.meanNll = out.nll.reduce((s, v) => s + v, 0) / out.nll.length;
    }
  }
  return out;
}
