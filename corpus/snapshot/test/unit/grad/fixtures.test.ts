/**
 * BPTT against PyTorch: every fixture with a `grad` object in test/fixtures/reference must match per tensor
 * (max |Δ| ≤ tol × max |expected|), through the same code path as `node dist/cli.js grad`.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { computeGradSpec } from '../../../src/engine/grad/gradSpec';

const DIR = path.resolve(__dirname, '../../../../test/fixtures/reference');
type Json = Record<string, unknown>;

const flat = (v: unknown): number[] => (Array.isArray(v) ? (v as unknown[]).flat(Infinity) as number[] : [v as number]);

/** Every numeric tensor under `exp`, as [path, values]; lossWeights/verification are inputs, not outputs. */
function tensors(exp: unknown, at: string[], out: [string[], number[]][]): void {
  if (exp == null || typeof exp !== 'object') return;
  if (Array.isArray(exp)) {
    if (exp.length === 0 || typeof exp[0] === 'number' || Array.isArray(exp[0])) out.push([at, flat(exp)]);
    else exp.forEach((e, k) => tensors(e, [...at, String(k)], out));
    return;
  }
  for (const [k, v] of Object.entries(exp as Json)) {
    if (['lossWeights', 'verification', 'source', 'loss', 'lossTerms', 'tolerance', 'toleranceKind', 'schemaVersion'].includes(k)) continue;
    if (typeof v === 'number') out.push([[...at, k], [v]]);
    else tensors(v, [...at, k], out);
  }
}

function lookup(root: unknown, at: string[]): unknown {
  let cur = root as unknown;
  for (const part of at) {
    if (cur == null) return undefined;
    cur = (cur as Json)[part];
  }
  return cur;
}

const index = JSON.parse(fs.readFileSync(path.join(DIR, 'index.json'), 'utf8'));
const entries: { name: string }[] = (Array.isArray(index) ? index : index.fixtures).filter((e: Json) => e.grad);

describe('grad: BPTT matches the PyTorch gradient fixtures', function () {
  this.timeout(60000);
  it('finds all 26 public gradient fixtures', () => assert.ok(entries.length >= 26, `only ${entries.length}`));
  for (const { name } of entries) {
    it(name, () => {
      const spec = JSON.parse(fs.readFileSync(path.join(DIR, `${name}.json`), 'utf8'));
      const got = computeGradSpec(spec, (f) => fs.readFileSync(path.join(DIR, f)));
      const want: Json = spec.grad;
      const tol = (want.tolerance as number) ?? 1e-4;
      const list: [string[], number[]][] = [];
      tensors(want, [], list);
      let compared = 0;
      for (const [at, exp] of list) {
        const p = at.join('.');
        const cand = lookup(got, at);
        assert.ok(cand !== undefined, `${name}: missing ${p}`);
        const c = flat(cand);
        assert.strictEqual(c.length, exp.length, `${name}: ${p} has ${c.length} values, expected ${exp.length}`);
        const scalar = exp.length === 1 && !Array.isArray(lookup(want, at));
        const scale = scalar ? Math.max(1, Math.abs(exp[0])) : Math.max(Math.max(...exp.map(Math.abs)), 1e-12);
        const err = Math.max(...exp.map((e, k) => Math.abs(c[k] - e)));
        assert.ok(err <= tol * scale, `${name}: ${p} error ${err.toExponential(2)} > ${tol} × ${scale.toExponential(2)}`);
        compared++;
      }
      assert.ok(compared >= 5, `${name}: only ${compared} tensors compared`);
    });
  }
});
