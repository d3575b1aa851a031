/**
 * The JSON weights form (documented in docs/weights-json.md):
 *   { "format": "unroll-weights", "version": 1, "convention"?: "pytorch" | "onnx" | "keras",
 *     "tensors": { NAME: nested arrays | { "shape": [...], "data": [flat numbers] } } }
 * Names and shapes are those of the convention (the same as in a safetensors file), so both forms go
 * through one normaliser (engine/conventions.ts). Values are rounded to float32.
 */
import type { Convention } from '../engine/conventions';
import { UnrollError } from '../engine/types';
import type { TensorMap } from './safetensors';

export interface WeightsJson {
  convention?: Convention;
  tensors: TensorMap;
}

function flatten(v: unknown, name: string, label: string): { shape: number[]; data: number[] } {
  const shape: number[] = [];
  for (let cur: unknown = v; Array.isArray(cur); cur = cur[0]) shape.push(cur.length);
  const data: number[] = [];
  const walk = (node: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof node !== 'number' || !Number.isFinite(node)) throw UnrollError.of('{0}: tensor \'{1}\'{2} is {3}, not a finite number', label, name, path, JSON.stringify(node));
      data.push(node);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) throw UnrollError.of('{0}: tensor \'{1}\'{2} is not a rectangular array (expected {3} entries)', label, name, path, shape[depth]);
    node.forEach((c, i) => walk(c, depth + 1, `${path}[${i}]`));
  };
  walk(v, 0, '');
  return { shape, data };
}

export function parseWeightsJson(doc: unknown, label = 'weights'): WeightsJson {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw UnrollError.of('{0}: a weights JSON file must be an object with "tensors"', label);
  const o = doc as Record<string, unknown>;
  if (o.format !== undefined && o.format !== 'unroll-weights') throw UnrollError.of('{0}: "format" is {1}, expected "unroll-weights"', label, JSON.stringify(o.format));
  if (o.version !== undefined && o.version !== 1) throw UnrollError.of('{0}: version {1} is not supported (only 1)', label, JSON.stringify(o.version));
  if (o.convention !== undefined && !['pytorch', 'onnx', 'keras'].includes(o.convention as string)) {
    throw UnrollError.of('{0}: convention {1} must be "pytorch", "onnx" or "keras"', label, JSON.stringify(o.convention));
  }
  if (typeof o.tensors !== 'object' || o.tensors === null || Array.isArray(o.tensors)) throw UnrollError.of('{0}: "tensors" must be an object of named arrays', label);
  const tensors: TensorMap = new Map();
  for (const [name, v] of Object.entries(o.tensors as Record<string, unknown>)) {
    let shape: number[];
    let data: number[];
    if (Array.isArray(v)) ({ shape, data } = flatten(v, name, label));
    else if (typeof v === 'object' && v !== null && Array.isArray((v as { shape?: unknown }).shape)) {
      const t = v as { shape: unknown[]; data?: unknown };
      if (!t.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) throw UnrollError.of('{0}: tensor \'{1}\' has an invalid shape', label, name);
      shape = t.shape as number[];
      const flat = flatten(t.data, name, label);
      if (flat.shape.length !== 1) throw UnrollError.of('{0}: tensor \'{1}\' "data" must be a flat array when "shape" is given', label, name);
      data = flat.data;
      const count = shape.reduce((a, b) => a * b, 1);
      if (data.length !== count) throw UnrollError.of('{0}: tensor \'{1}\' has {2} values, shape [{3}] needs {4}', label, name, data.length, shape.join(','), count);
    } else throw UnrollError.of('{0}: tensor \'{1}\' must be a nested array or {"shape", "data"}', label, name);
    tensors.set(name, { shape, data: Float32Array.from(data) });
  }
  return { ...(o.convention ? { convention: o.convention as Convention } : {}), tensors };
}
