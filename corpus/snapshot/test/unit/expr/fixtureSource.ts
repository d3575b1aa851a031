/**
 * A StepSource built straight from a reference fixture's expected values (the truth), so expression and
 * breakpoint tests do not depend on the engine.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { CellSpec } from '../../../src/engine/types';
import type { StepSource } from '../../../src/expr/source';
import type { DirectionStep, ExprMeta, StepValues } from '../../../src/expr/values';

function repoRoot(): string {
  let d = __dirname;
  while (!fs.existsSync(path.join(d, 'package.json'))) {
    const up = path.dirname(d);
    if (up === d) throw new Error('package.json not found above ' + __dirname);
    d = up;
  }
  return d;
}

export const REFERENCE = path.join(repoRoot(), 'test/fixtures/reference');

/* eslint-disable @typescript-eslint/no-explicit-any */
export function loadFixture(name: string): any {
  return JSON.parse(fs.readFileSync(path.join(REFERENCE, `${name}.json`), 'utf8'));
}

export function cellOf(fx: any): CellSpec {
  const base: CellSpec = { family: 'lstm', nonlinearity: 'tanh', peephole: false, coupling: 'none', resetAfter: true, projSize: fx.projSize ?? 0 };
  switch (fx.cell as string) {
    case 'rnn_tanh':
      return { ...base, family: 'rnn' };
    case 'rnn_relu':
      return { ...base, family: 'rnn', nonlinearity: 'relu' };
    case 'gru':
      return { ...base, family: 'gru' };
    case 'gru_cho':
      return { ...base, family: 'gru', resetAfter: false };
    case 'lstm_peephole':
      return { ...base, peephole: true };
    case 'lstm_cifg':
      return { ...base, coupling: 'keep-input' };
    case 'lstm_cifg_peephole':
      return { ...base, coupling: 'keep-input', peephole: true };
    default:
      return base;
  }
}

export function metaOf(fx: any): ExprMeta {
  return {
    cell: cellOf(fx),
    shape: { inputSize: fx.inputSize, hiddenSize: fx.hiddenSize, numLayers: fx.numLayers, bidirectional: fx.bidirectional },
    steps: fx.seqLen,
  };
}

const f32 = (a: number[]): Float32Array => Float32Array.from(a);

/** Every step of a fixture as StepValues (float32, like the engine's exact values). */
export function fixtureSteps(fx: any, tokens?: string[]): StepValues[] {
  const T: number = fx.seqLen;
  const D: number = fx.numDirections;
  const Out: number = fx.outputSize;
  const H: number = fx.hiddenSize;
  const lstm = cellOf(fx).family === 'lstm';
  const steps: StepValues[] = [];
  for (let t = 0; t < T; t++) steps.push({ t, token: tokens?.[t] ?? '', layers: [] });
  for (let k = 0; k < fx.numLayers; k++) {
    for (let d = 0; d < D; d++) {
      const e = fx.expected.layers[k][d === 0 ? 'forward' : 'reverse'];
      const row = k * D + d;
      const h0 = fx.h0 ? f32(fx.h0[row]) : new Float32Array(Out);
      const c0 = fx.c0 ? f32(fx.c0[row]) : new Float32Array(H);
      for (let t = 0; t < T; t++) {
        const prev = d === 0 ? t - 1 : t + 1;
        const edge = prev < 0 || prev >= T;
        let x: Float32Array;
        if (k === 0) x = f32(fx.x[t]);
        else {
          const below = fx.expected.layers[k - 1];
          x = f32(D === 2 ? [...below.forward.h[t], ...below.reverse.h[t]] : below.forward.h[t]);
        }
        const s: DirectionStep = { x, hPrev: edge ? h0 : f32(e.h[prev]), gates: {}, h: f32(e.h[t]) };
        for (const g of Object.keys(e.gates ?? {})) (s.gates as any)[g] = f32(e.gates[g][t]);
        if (lstm) {
          s.c = f32(e.c[t]);
          s.cPrev = edge ? c0 : f32(e.c[prev]);
          if (e.m) s.m = f32(e.m[t]);
        }
        const layers = steps[t].layers;
        if (d === 0) layers.push({ forward: s });
        else layers[k].reverse = s;
      }
    }
  }
  return steps;
}

/** A StepSource over precomputed steps, counting visits so tests can check scans stay lazy. */
export function arraySource(meta: ExprMeta, steps: StepValues[]): StepSource & { visited: number } {
  const src = {
    meta,
    steps: steps.length,
    visited: 0,
    stepAt: (t: number) => steps[t],
    forEachStep(t0: number, t1: number, visit: (s: StepValues) => boolean | void) {
      for (let t = t0; t < t1; t++) {
        src.visited++;
        if (visit(steps[t]) === false) return;
      }
    },
  };
  return src;
}
