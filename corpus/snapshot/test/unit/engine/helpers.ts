/**
 * Engine test helpers: the reference fixtures (the truth) loaded through the spec path, and a comparison
 * that follows their rule |candidate − expected| <= tol · max(1, |expected|) for every leaf tensor.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Network } from '../../../src/engine/types';
import { type Spec, networkFromSpec, parseSpec } from '../../../src/model/spec';

function repoRoot(): string {
  let d = __dirname;
  while (!fs.existsSync(path.join(d, 'package.json'))) {
    const up = path.dirname(d);
    if (up === d) throw new Error('package.json not found above ' + __dirname);
    d = up;
  }
  return d;
}

export const ROOT = repoRoot();
export const REFERENCE = path.join(ROOT, 'test/fixtures/reference');

/** Every fixture file in the folder (anything with an `expected` object), not only the ones listed in index.json. */
export function fixtureNames(): string[] {
  return fs
    .readdirSync(REFERENCE)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.vocab.json') && f !== 'index.json' && f !== 'conventions.json')
    .map((f) => f.slice(0, -5))
    .filter((n) => 'expected' in readFixture(n))
    .sort();
}

const cache = new Map<string, Record<string, unknown>>();
export function readFixture(name: string): Record<string, any> {
  if (!cache.has(name)) cache.set(name, JSON.parse(fs.readFileSync(path.join(REFERENCE, `${name}.json`), 'utf8')));
  return cache.get(name)!;
}

export interface LoadedFixture {
  doc: Record<string, any>;
  spec: Spec;
  net: Network;
}

export function loadFixture(name: string): LoadedFixture {
  const doc = readFixture(name);
  const spec = parseSpec(doc);
  const file = doc.weights.file as string;
  const net = networkFromSpec(spec, { name: file, bytes: fs.readFileSync(path.join(REFERENCE, file)) });
  return { doc, spec, net };
}

function flat(v: unknown): number[] {
  return Array.isArray(v) ? v.flatMap(flat) : [v as number];
}

/** A number or a (nested) array of numbers, as opposed to an array of objects like `layers`. */
function isNumeric(v: unknown): boolean {
  let c = v;
  while (Array.isArray(c) && c.length) c = c[0];
  return typeof c === 'number' || (Array.isArray(c) && Array.isArray(v));
}

function shapeOf(v: unknown): number[] {
  const s: number[] = [];
  for (let c = v; Array.isArray(c); c = c[0]) s.push(c.length);
  return s;
}

/**
 * Compare every numeric leaf of `expected` with the same path in `candidate`; returns the number of
 * tensors compared and the worst scaled error. A missing tensor or a shape mismatch fails.
 */
export function compareAll(expected: unknown, candidate: unknown, tol: number, where = 'expected'): { tensors: number; worst: number } {
  let tensors = 0;
  let worst = 0;
  const walk = (e: unknown, c: unknown, p: string): void => {
    if (isNumeric(e)) {
      assert.notStrictEqual(c, undefined, `${p} is missing from the engine's output`);
      assert.deepStrictEqual(shapeOf(c), shapeOf(e), `${p} shape`);
      const fe = flat(e);
      const fc = flat(c);
      for (let i = 0; i < fe.length; i++) {
        const err = Math.abs(fc[i] - fe[i]) / Math.max(1, Math.abs(fe[i]));
        if (!(err <= tol)) assert.fail(`${p}[${i}]: engine ${fc[i]} vs expected ${fe[i]} (scaled error ${err} > ${tol})`);
        if (err > worst) worst = err;
      }
      tensors++;
      return;
    }
    if (Array.isArray(e)) {
      assert.ok(Array.isArray(c) && c.length === e.length, `${p} should have ${e.length} entries`);
      e.forEach((v, i) => walk(v, (c as unknown[])[i], `${p}[${i}]`));
    } else if (e && typeof e === 'object') {
      for (const [k, v] of Object.entries(e)) walk(v, (c as Record<string, unknown> | undefined)?.[k], `${p}.${k}`);
    }
  };
  walk(expected, candidate, where);
  return { tensors, worst };
}
