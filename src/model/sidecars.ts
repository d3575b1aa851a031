/**
 * Sidecar files next to a model: NAME.unroll.json (the spec fields of the engine's CLI contract: cell,
 * nonlinearity, linearBeforeReset, peephole, inputForget, coupling, clip, sizes) settles what the weights
 * cannot say; NAME.vocab.json ({"vocab": [...], "unkId": n}, as in the trained fixtures) maps tokens to ids.
 * Pure: the caller passes the parsed JSON.
 */
import { type CellName, type Coupling, UnrollError } from '../engine/types';
import { remember } from '../l10n/format';
import type { ModelDetection } from './detect';
import { CELL_NAMES, SPEC, parseSpec } from './spec';

export interface Vocab {
  vocab: string[];
  unkId: number;
}

export interface SidecarChoice {
  cell: CellName;
  clip?: number;
  /** Only for coupled cells: which gate is kept (ONNX files default to keep-input, others to keep-forget). */
  coupling?: Coupling;
}

/** Sidecar names for a model file: "dir/char.safetensors" → "dir/char.unroll.json", "dir/char.vocab.json". */
export function sidecarNames(modelPath: string): { spec: string; vocab: string } {
  const base = modelPath.replace(/\.(onnx|safetensors)$/i, '');
  return { spec: `${base}.unroll.json`, vocab: `${base}.vocab.json` };
}

/** Which candidate cell a sidecar picks; contradictions with the weights are an error naming both. */
export function resolveSidecar(det: ModelDetection, doc: unknown, label: string): SidecarChoice {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw UnrollError.of('{0}: must be a JSON object such as {1}', label, `{"cell": "${det.candidates[0]}"}`);
  const o = doc as Record<string, unknown>;
  if (o.convention !== undefined && o.convention !== det.convention) {
    throw UnrollError.of('{0}: "convention": {1} contradicts the weights, which use {2} names', label, JSON.stringify(o.convention), det.convention);
  }
  let cell = o.cell as CellName | undefined;
  if (cell !== undefined && !CELL_NAMES.includes(cell)) throw UnrollError.of('{0}: "cell" must be one of {1} (got {2})', label, det.candidates.join(', '), JSON.stringify(o.cell));
  if (cell === undefined) {
    // No cell: narrow the candidates with the flags given.
    const fits = det.candidates.filter((c) => {
      if (o.nonlinearity !== undefined && c.startsWith('rnn_') && c !== `rnn_${o.nonlinearity}`) return false;
      if (o.linearBeforeReset !== undefined && c.startsWith('gru') && (c === 'gru') !== !!o.linearBeforeReset) return false;
      const coupled = c.includes('cifg');
      if (o.inputForget !== undefined && c.startsWith('lstm') && coupled !== !!o.inputForget) return false;
      if (o.coupling !== undefined && c.startsWith('lstm') && coupled !== (o.coupling !== 'none')) return false;
      return true;
    });
    if (fits.length !== 1) throw UnrollError.of('{0}: says neither "cell" nor enough flags to choose between {1}; add "cell"', label, det.candidates.join(' and '));
    cell = fits[0];
  }
  if (!det.candidates.includes(cell)) throw UnrollError.of('{0}: "cell": "{1}" contradicts the weights, which hold {2}', label, cell, det.candidates.join(' or '));
  // The engine's spec parser checks the remaining flags against the cell; sizes default to the detected ones.
  const merged = {
    inputSize: det.shape.inputSize,
    hiddenSize: det.shape.hiddenSize,
    numLayers: det.shape.numLayers,
    bidirectional: det.shape.bidirectional,
    projSize: det.projSize,
    ...o,
    convention: det.convention,
    cell,
  };
  let spec;
  try {
    spec = parseSpec(merged);
  } catch (e) {
    // The spec parser says "spec: …"; here the sidecar's file name replaces "spec".
    const m = e instanceof UnrollError ? e.l10n : undefined;
    if (m && m.args[0] === SPEC) throw new UnrollError(remember({ template: m.template, args: [label, ...m.args.slice(1)] }));
    throw UnrollError.of('{0}: {1}', label, (e as Error).message.replace(/^spec: /, ''));
  }
  for (const key of ['inputSize', 'hiddenSize', 'numLayers', 'bidirectional'] as const) {
    if (spec.shape[key] !== det.shape[key]) throw UnrollError.of('{0}: "{1}": {2} contradicts the weights ({3})', label, key, JSON.stringify(o[key]), det.shape[key]);
  }
  return { cell, ...(spec.cell.clip !== undefined ? { clip: spec.cell.clip } : {}), ...(spec.cell.coupling !== 'none' ? { coupling: spec.cell.coupling } : {}) };
}

export function parseVocab(doc: unknown, label: string): Vocab {
  const o = doc as { vocab?: unknown; unkId?: unknown } | null;
  if (!o || typeof o !== 'object' || !Array.isArray(o.vocab) || o.vocab.length === 0 || !o.vocab.every((s) => typeof s === 'string')) {
    throw UnrollError.of('{0}: must be {"vocab": ["token", …], "unkId": n} with at least one string token', label);
  }
  const vocab = o.vocab as string[];
  const unkId = o.unkId ?? -1;
  if (!(Number.isInteger(unkId) && (unkId as number) >= -1 && (unkId as number) < vocab.length)) {
    throw UnrollError.of('{0}: "unkId" {1} must be an index into the {2}-token vocabulary', label, JSON.stringify(o.unkId), vocab.length);
  }
  return { vocab, unkId: unkId as number };
}
