/**
 * One entry for every model file a person may point Unroll at: .onnx, .safetensors (PyTorch, Keras or ONNX
 * names) with optional sidecars NAME.unroll.json / NAME.vocab.json, and .pt/.pth recognised with an
 * explanation of how to export. Returns the network (or the candidates when the file is ambiguous),
 * vocabulary, fixed initial states and warnings. Pure: the caller passes bytes and a sibling reader.
 */
import type { Convention } from '../engine/conventions';
import { type CellName, type Coupling, type Network, type NetworkShape, UnrollError } from '../engine/types';
import { cellNameOf, detectTensors, networkFromDetection } from './detect';
import { foldEmbedding, type EmbeddingInfo } from './embedding';
import { loadOnnxNetwork, type OnnxNetwork } from './onnx/graph';
import { readSafetensors } from './safetensors';
import { parseVocab, resolveSidecar, sidecarNames, type Vocab } from './sidecars';
import { msg } from '../l10n/format';

export type ModelFormat = 'onnx' | 'safetensors';

export interface ModelIO {
  /** Bytes of a file next to the model (by path), or undefined when it does not exist. */
  readSibling(path: string): Uint8Array | undefined;
}

export interface LoadOptions {
  /** The cell the person picked (quick pick) when the file is ambiguous; overrides a sidecar. */
  cell?: CellName;
  coupling?: Coupling;
}

export interface LoadedModel {
  format: ModelFormat;
  /** file name used in messages */
  label: string;
  convention: Convention;
  shape: NetworkShape;
  projSize: number;
  /** The cell, when the file (or a sidecar, or the person) decides it. */
  cell?: CellName;
  /** Cells consistent with the file; more than one = ambiguous. */
  candidates: CellName[];
  /** How the cell was decided. */
  decidedBy: 'file' | 'sidecar' | 'choice' | 'undecided';
  /** What the file cannot say (kept even when a sidecar decided it, for display). */
  ambiguities: string[];
  network?: Network;
  hasDecoder: boolean;
  vocabSize: number;
  parameterCount: number;
  vocab?: Vocab;
  /** An embedding folded into layer 0: the network reads one-hot tokens (inputSize = its vocabulary). */
  embedding?: EmbeddingInfo;
  /** ONNX: initial states fixed in the graph (non-zero constants), rows layer·D + dir. */
  h0?: Float32Array;
  c0?: Float32Array;
  onnx?: OnnxNetwork['info'] & { stateInputs: OnnxNetwork['stateInputs']; inputName: string };
  warnings: string[];
}

/** A PyTorch pickle: how to turn it into a file Unroll reads (the code stays untranslated, as arguments). */
const ptHelp = (label: string) =>
  UnrollError.of(
    '{0} is a PyTorch pickle (.pt/.pth), which Unroll does not execute. Save the weights as safetensors — {1} — or export ONNX — {2} — and open that file.',
    label,
    '`from safetensors.torch import save_file; save_file(model.state_dict(), "model.safetensors")`',
    '`torch.onnx.export(model, example_input, "model.onnx")`',
  );

/** A Git LFS pointer: the small text file a clone without `git lfs` holds instead of the model. */
const LFS_POINTER = 'version https://git-lfs.github.com/spec/';

function isLfsPointer(bytes: Uint8Array): boolean {
  if (bytes.length < LFS_POINTER.length || bytes.length > 1024) return false;
  for (let i = 0; i < LFS_POINTER.length; i++) if (bytes[i] !== LFS_POINTER.charCodeAt(i)) return false;
  return true;
}

export function sniffFormat(path: string, bytes: Uint8Array): ModelFormat {
  const label = baseName(path);
  // Whatever the extension: decoding the pointer as protobuf or safetensors gives a message that hides the cause.
  if (isLfsPointer(bytes)) throw UnrollError.of('{0} is a Git LFS pointer, not the model itself; run {1} in its repository to fetch the file, then open it again.', label, '`git lfs pull`');
  const ext = (/\.([^./\\]+)$/.exec(path)?.[1] ?? '').toLowerCase();
  const zip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 3 && bytes[3] === 4;
  const pickle = bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5;
  if (ext === 'pt' || ext === 'pth' || ext === 'ckpt' || (ext === 'bin' && (zip || pickle))) throw ptHelp(label);
  if (ext === 'onnx') return 'onnx';
  if (ext === 'safetensors') return 'safetensors';
  if (zip || pickle) throw ptHelp(label);
  // Unknown extension: a safetensors header is an 8-byte length followed by '{'.
  if (bytes.length > 8 && bytes[8] === 0x7b) return 'safetensors';
  if (bytes.length > 0 && bytes[0] === 0x08) return 'onnx';
  throw UnrollError.of('{0}: not a model Unroll reads; open a .onnx or .safetensors file (PyTorch .pt/.pth: export first)', label);
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

function readJsonSibling(io: ModelIO, path: string): unknown | undefined {
  const bytes = io.readSibling(path);
  if (!bytes) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw UnrollError.of('{0}: not valid JSON ({1})', baseName(path), (e as Error).message);
  }
}

export function loadModel(path: string, bytes: Uint8Array, io: ModelIO, opts: LoadOptions = {}): LoadedModel {
  const label = baseName(path);
  const format = sniffFormat(path, bytes);
  const names = sidecarNames(path);
  const vocabDoc = readJsonSibling(io, names.vocab);
  const vocab = vocabDoc === undefined ? undefined : parseVocab(vocabDoc, baseName(names.vocab));
  const model = format === 'onnx' ? loadOnnx(path, bytes, label, opts) : loadSafetensors(path, bytes, label, io, opts);
  if (vocab) {
    model.vocab = vocab;
    const V = vocab.vocab.length;
    if (model.hasDecoder && model.vocabSize !== V) model.warnings.push(msg('{0}: {1} tokens, but the decoder predicts {2}; predictions show as ids', baseName(names.vocab), V, model.vocabSize));
    if (!model.hasDecoder) model.vocabSize = V;
  }
  return model;
}

function loadOnnx(path: string, bytes: Uint8Array, label: string, opts: LoadOptions): LoadedModel {
  const loaded = loadOnnxNetwork(bytes, label);
  const net = loaded.network;
  const name = cellNameOf(net.cell);
  if (opts.cell && opts.cell !== name) throw UnrollError.of('{0}: the ONNX graph defines a {1} cell; "{2}" does not apply', label, name, opts.cell);
  return {
    format: 'onnx',
    label,
    convention: 'onnx',
    shape: net.shape,
    ...(loaded.embedding ? { embedding: loaded.embedding } : {}),
    projSize: 0,
    cell: name,
    candidates: [name],
    decidedBy: 'file',
    ambiguities: [],
    network: net,
    hasDecoder: !!net.decoder,
    vocabSize: net.decoder?.vocabSize ?? 0,
    parameterCount: loaded.info.parameterCount,
    ...(loaded.h0 ? { h0: loaded.h0 } : {}),
    ...(loaded.c0 ? { c0: loaded.c0 } : {}),
    onnx: { ...loaded.info, stateInputs: loaded.stateInputs, inputName: loaded.inputName },
    warnings: loaded.warnings,
  };
}

function loadSafetensors(path: string, bytes: Uint8Array, label: string, io: ModelIO, opts: LoadOptions): LoadedModel {
  const det = detectTensors(readSafetensors(bytes, label), label);
  const names = sidecarNames(path);
  const sidecarDoc = readJsonSibling(io, names.spec);
  const sidecar = sidecarDoc === undefined ? undefined : resolveSidecar(det, sidecarDoc, baseName(names.spec));
  let cell: CellName | undefined;
  let decidedBy: LoadedModel['decidedBy'] = 'undecided';
  if (opts.cell) {
    if (!det.candidates.includes(opts.cell)) throw UnrollError.of('{0}: cell "{1}" does not fit these weights; they fit {2}', label, opts.cell, det.candidates.join(' or '));
    cell = opts.cell;
    decidedBy = 'choice';
  } else if (sidecar) {
    cell = sidecar.cell;
    decidedBy = 'sidecar';
  } else if (det.candidates.length === 1) {
    cell = det.candidates[0];
    decidedBy = 'file';
  }
  let network = cell
    ? networkFromDetection(det, cell, label, { clip: sidecar?.clip, coupling: opts.coupling ?? sidecar?.coupling })
    : undefined;
  const emb = det.embedding;
  if (network && emb) network = foldEmbedding(network, emb.table.data, emb.table.shape[0], emb.table.shape[1], `${label}: embedding '${emb.name}'`);
  const embedding = emb ? { name: emb.name, vocabSize: emb.table.shape[0], dim: emb.table.shape[1] } : undefined;
  return {
    format: 'safetensors',
    label,
    convention: det.convention,
    shape: embedding ? { ...det.shape, inputSize: embedding.vocabSize } : det.shape,
    ...(embedding ? { embedding } : {}),
    projSize: det.projSize,
    ...(cell ? { cell } : {}),
    candidates: det.candidates,
    decidedBy,
    ambiguities: det.ambiguities,
    ...(network ? { network } : {}),
    hasDecoder: det.vocabSize > 0,
    vocabSize: det.vocabSize,
    parameterCount: det.parameterCount,
    warnings: det.warnings,
  };
}

/** The network, or one clear line saying what to choose and how (sidecar or quick pick). */
export function requireNetwork(model: LoadedModel, sidecarPath?: string): Network {
  if (model.network) return model.network;
  const side = sidecarPath ?? sidecarNames(model.label).spec;
  throw UnrollError.of(
    '{0} is ambiguous ({1}); it fits {2} — write {3} next to it, e.g. {4}',
    model.label,
    model.ambiguities.join('; '),
    model.candidates.join(' or '),
    baseName(side),
    `{"cell": "${model.candidates[0]}"}`,
  );
}
