/**
 * Shared by the model tests: the reference fixtures (the truth) and a comparison that follows their
 * tolerance rule |candidate − expected| <= tol · max(1, |expected|).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Trace } from '../../../src/engine/trace';
import { gateNames } from '../../../src/engine/types';

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

export interface IndexEntry {
  name: string;
  kind: string;
  cell: string;
  convention: string;
  inputSize: number;
  hiddenSize: number;
  projSize: number;
  numLayers: number;
  bidirectional: boolean;
  seqLen: number;
  initialState: boolean;
  bias: boolean;
  files: { json: string; safetensors: string; onnx?: string; vocab?: string };
}

export function fixtureIndex(): IndexEntry[] {
  return JSON.parse(fs.readFileSync(path.join(REFERENCE, 'index.json'), 'utf8')).fixtures;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type FixtureJson = any;

export function fixtureJson(name: string): FixtureJson {
  return JSON.parse(fs.readFileSync(path.join(REFERENCE, `${name}.json`), 'utf8'));
}

export function readFixtureFile(file: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(path.join(REFERENCE, file)));
}

export const flat = (v: unknown): number[] => (Array.isArray(v) ? ((v as unknown[]).flat(Infinity) as number[]) : [v as number]);

/** Asserts every element is within the fixture rule; the message names the tensor and the worst element. */
export function assertClose(actual: ArrayLike<number>, expected: number[], tol: number, what: string): void {
  assert.strictEqual(actual.length, expected.length, `${what}: ${actual.length} values, expected ${expected.length}`);
  let worst = -1;
  let worstErr = 0;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i]));
    if (!(err <= tol) && (worst < 0 || !(err <= worstErr))) {
      worst = i;
      worstErr = err;
    }
  }
  if (worst >= 0) assert.fail(`${what}[${worst}] = ${actual[worst]}, expected ${expected[worst]} (scaled error ${worstErr} > ${tol})`);
}

/** Compares a whole trace with a fixture's `expected`: every layer/direction's h, c, gates, plus logits. */
export function assertTraceMatches(trace: Trace, fx: FixtureJson, label: string): void {
  const T = trace.steps;
  const range = trace.exactRange(0, T);
  const tol: number = fx.tolerance;
  const names = gateNames(trace.meta.cell.family);
  fx.expected.layers.forEach((layer: Record<string, FixtureJson>, k: number) => {
    for (const dir of ['forward', 'reverse'] as const) {
      if (!layer[dir]) continue;
      const got = range.layers[k][dir];
      assert.ok(got, `${label}: layer ${k} has no ${dir} direction`);
      assertClose(got.h, flat(layer[dir].h), tol, `${label} layer ${k} ${dir} h`);
      if (layer[dir].c) assertClose(got.c!, flat(layer[dir].c), tol, `${label} layer ${k} ${dir} c`);
      for (const g of names) {
        if (layer[dir].gates?.[g]) assertClose(got.gates[g]!, flat(layer[dir].gates[g]), tol, `${label} layer ${k} ${dir} gate ${g}`);
      }
    }
  });
  if (fx.expected.logits) {
    assert.ok(range.logits, `${label}: the fixture has logits but the network has no decoder`);
    assertClose(range.logits, flat(fx.expected.logits), tol, `${label} logits`);
  }
}
