/**
 * A run specification: the metadata fields of a fixture file (any fixture is a valid spec; its
 * expected/grad/verification fields are ignored). `cell` decides the kind; a flag that contradicts it is
 * an error, never a guess. Pure: the caller reads files and passes bytes.
 */
import { type Convention, gatePermutation, networkFromTensors } from '../engine/conventions';
import { type CellName, type CellSpec, type Coupling, type Network, type NetworkShape, UnrollError, numDirections, outputSize } from '../engine/types';
import { msg } from '../l10n/format';
import { randomNetwork } from './random';
import { readSafetensors } from './safetensors';
import { parseWeightsJson } from './weightsJson';

export const CELL_NAMES: readonly CellName[] = ['rnn_tanh', 'rnn_relu', 'lstm', 'lstm_proj', 'lstm_peephole', 'lstm_cifg', 'lstm_cifg_peephole', 'gru', 'gru_cho'];

export interface Spec {
  cellName: CellName;
  convention: Convention;
  cell: CellSpec;
  shape: NetworkShape;
  bias?: boolean;
  /** weights.file as written (relative to the spec); undefined = seeded random weights */
  weightsFile?: string;
  seed: number;
  /** T × inputSize, row-major */
  x?: Float32Array;
  h0?: Float32Array;
  c0?: Float32Array;
  /** declared row-block order of the stored gate tensors (fixture `gateOrder`); null = the convention's */
  gateOrder?: string[] | null;
  /** trained char models: symbol ids, for next-symbol NLL */
  tokens?: number[];
}

type Obj = Record<string, unknown>;

/** The first word of a spec error; a sidecar re-labels it with its file name (see sidecars.ts). */
export const SPEC = 'spec';

function posInt(o: Obj, key: string, dflt?: number): number {
  const v = o[key] ?? dflt;
  if (!(typeof v === 'number' && Number.isInteger(v) && v > 0)) {
    throw UnrollError.of('{0}: "{1}" must be a positive integer (got {2})', SPEC, key, JSON.stringify(o[key]));
  }
  return v;
}

/** Read a flag; null/undefined → undefined; booleans and 0/1 accepted. */
function flag(o: Obj, key: string): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (v === true || v === 1) return true;
  if (v === false || v === 0) return false;
  throw UnrollError.of('{0}: "{1}" must be true/false or 1/0 (got {2})', SPEC, key, JSON.stringify(v));
}

/** A T × width matrix of finite numbers (rows.length may be constrained). */
export function matrix(v: unknown, what: string, width: number, rows?: number): Float32Array {
  if (!Array.isArray(v)) throw UnrollError.of('{0} must be an array of rows', what);
  if (rows !== undefined && v.length !== rows) throw UnrollError.of('{0} has {1} rows, expected {2}', what, v.length, rows);
  if (v.length === 0) throw UnrollError.of('{0} is empty; it needs at least one row', what);
  const out = new Float32Array(v.length * width);
  v.forEach((row, t) => {
    if (!Array.isArray(row) || row.length !== width) {
      throw Array.isArray(row) ? UnrollError.of('{0} row {1} has {2} values, expected {3}', what, t, row.length, width) : UnrollError.of('{0} row {1} has no values, expected {2}', what, t, width);
    }
    row.forEach((e, j) => {
      if (typeof e !== 'number' || !Number.isFinite(e)) throw UnrollError.of('{0}[{1}][{2}] is {3}; values must be finite numbers', what, t, j, JSON.stringify(e));
      out[t * width + j] = e;
    });
  });
  return out;
}

export function parseSpec(doc: unknown): Spec {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw UnrollError.of('{0}: must be a JSON object', SPEC);
  const o = doc as Obj;
  const cellName = o.cell as CellName;
  if (!CELL_NAMES.includes(cellName)) throw UnrollError.of('{0}: "cell" must be one of {1} (got {2})', SPEC, CELL_NAMES.join(', '), JSON.stringify(o.cell));
  const conv = o.convention ?? 'pytorch';
  if (conv !== 'pytorch' && conv !== 'onnx' && conv !== 'keras') throw UnrollError.of('{0}: "convention" must be "pytorch", "onnx" or "keras" (got {1})', SPEC, JSON.stringify(conv));
  const convention = conv as Convention;
  const family = cellName.startsWith('lstm') ? 'lstm' : cellName.startsWith('gru') ? 'gru' : 'rnn';
  const contradict = (key: string, why: string): never => {
    throw UnrollError.of('{0}: "{1}": {2} contradicts cell "{3}" ({4})', SPEC, key, JSON.stringify(o[key]), cellName, why);
  };

  // nonlinearity: RNN only, and must agree with the cell name.
  const nl = o.nonlinearity ?? undefined;
  if (nl !== undefined && nl !== null) {
    if (family !== 'rnn') contradict('nonlinearity', msg('only a plain RNN has one'));
    if (nl !== 'tanh' && nl !== 'relu') throw UnrollError.of('{0}: "nonlinearity" must be "tanh" or "relu" (got {1})', SPEC, JSON.stringify(nl));
    if (nl !== cellName.slice(4)) contradict('nonlinearity', msg('the cell name says {0}', cellName.slice(4)));
  }
  // linearBeforeReset: GRU only (1 = reset after the matmul = "gru"; 0 = Cho = "gru_cho").
  const lbr = flag(o, 'linearBeforeReset');
  if (lbr !== undefined) {
    if (family !== 'gru' && lbr) contradict('linearBeforeReset', msg('only a GRU has a reset gate'));
    if (family === 'gru' && lbr !== (cellName === 'gru')) contradict('linearBeforeReset', cellName === 'gru' ? msg('gru resets after the matmul (1)') : msg('gru_cho resets before it (0)'));
  }
  const peepholeWanted = cellName === 'lstm_peephole' || cellName === 'lstm_cifg_peephole';
  const peep = flag(o, 'peephole');
  if (peep !== undefined && peep !== peepholeWanted) contradict('peephole', peepholeWanted ? msg('this cell has peepholes') : msg('this cell has no peepholes'));
  const coupled = cellName === 'lstm_cifg' || cellName === 'lstm_cifg_peephole';
  const inf = flag(o, 'inputForget');
  if (inf !== undefined && inf !== coupled) contradict('inputForget', coupled ? msg('this cell couples its input and forget gates') : msg('this cell has independent input and forget gates'));
  let coupling: Coupling = 'none';
  if (o.coupling !== undefined && o.coupling !== null) {
    if (o.coupling !== 'keep-forget' && o.coupling !== 'keep-input' && o.coupling !== 'none') {
      throw UnrollError.of('{0}: "coupling" must be "keep-forget" or "keep-input" (got {1})', SPEC, JSON.stringify(o.coupling));
    }
    if ((o.coupling !== 'none') !== coupled) contradict('coupling', coupled ? msg('this cell is coupled') : msg('only lstm_cifg cells are coupled'));
  }
  if (coupled) coupling = (o.coupling as Coupling | undefined) ?? (convention === 'onnx' ? 'keep-input' : 'keep-forget');

  const projSize = o.projSize === undefined || o.projSize === null ? 0 : o.projSize;
  if (!(typeof projSize === 'number' && Number.isInteger(projSize) && projSize >= 0)) throw UnrollError.of('{0}: "projSize" must be a non-negative integer (got {1})', SPEC, JSON.stringify(o.projSize));
  if (cellName === 'lstm_proj' && projSize === 0) contradict('projSize', msg('lstm_proj needs projSize > 0'));
  if (cellName !== 'lstm_proj' && projSize !== 0) contradict('projSize', msg('only lstm_proj projects'));

  let clip: number | undefined;
  if (o.clip !== undefined && o.clip !== null) {
    if (!(typeof o.clip === 'number' && o.clip > 0 && Number.isFinite(o.clip))) throw UnrollError.of('{0}: "clip" must be a positive number (got {1})', SPEC, JSON.stringify(o.clip));
    clip = o.clip;
  }
  const cell: CellSpec = {
    family,
    nonlinearity: cellName === 'rnn_relu' ? 'relu' : 'tanh',
    peephole: peepholeWanted,
    coupling,
    resetAfter: cellName !== 'gru_cho',
    projSize,
    ...(clip !== undefined ? { clip } : {}),
  };
  const bidirectional = flag(o, 'bidirectional') ?? false;
  const shape: NetworkShape = { inputSize: posInt(o, 'inputSize'), hiddenSize: posInt(o, 'hiddenSize'), numLayers: posInt(o, 'numLayers', 1), bidirectional };
  if (cellName === 'lstm_proj' && projSize >= shape.hiddenSize) throw UnrollError.of('{0}: "projSize" {1} must be smaller than hiddenSize {2} (as in PyTorch)', SPEC, projSize, shape.hiddenSize);
  if (o.numDirections !== undefined && o.numDirections !== numDirections(shape)) throw UnrollError.of('{0}: "numDirections" {1} contradicts "bidirectional": {2}', SPEC, JSON.stringify(o.numDirections), bidirectional);
  const Out = outputSize(cell, shape);
  if (o.outputSize !== undefined && o.outputSize !== Out) throw UnrollError.of('{0}: "outputSize" {1} should be {2} (projSize || hiddenSize)', SPEC, JSON.stringify(o.outputSize), Out);

  const spec: Spec = { cellName, convention, cell, shape, seed: 0 };
  const bias = flag(o, 'bias');
  if (bias !== undefined) spec.bias = bias;
  if (o.seed !== undefined && o.seed !== null) {
    if (!(Number.isInteger(o.seed) && (o.seed as number) >= 0 && (o.seed as number) <= 0xffffffff)) throw UnrollError.of('{0}: "seed" must be an integer 0 … 4294967295', SPEC);
    spec.seed = o.seed as number;
  }
  if (o.weights !== undefined && o.weights !== null) {
    const w = o.weights as Obj;
    if (typeof w !== 'object' || typeof w.file !== 'string' || !w.file) throw UnrollError.of('{0}: "weights" must be {"file": "path relative to the spec"}', SPEC);
    spec.weightsFile = w.file;
  }
  if (o.gateOrder !== undefined && o.gateOrder !== null) {
    if (!Array.isArray(o.gateOrder) || !o.gateOrder.every((g) => typeof g === 'string')) throw UnrollError.of('{0}: "gateOrder" must be an array of gate letters or null', SPEC);
    if (family === 'rnn') contradict('gateOrder', msg('a plain RNN has no gates'));
    gatePermutation(family, convention, o.gateOrder as string[]); // validates
    spec.gateOrder = o.gateOrder as string[];
  }
  const L = shape.numLayers * numDirections(shape);
  if (o.x !== undefined && o.x !== null) spec.x = matrix(o.x, 'spec x', shape.inputSize);
  if (o.h0 !== undefined && o.h0 !== null) spec.h0 = matrix(o.h0, 'spec h0', Out, L);
  if (o.c0 !== undefined && o.c0 !== null) {
    if (family !== 'lstm') contradict('c0', msg('only the LSTM family has a cell state'));
    spec.c0 = matrix(o.c0, 'spec c0', shape.hiddenSize, L);
  }
  if (Array.isArray(o.tokens) && o.tokens.every((t) => Number.isInteger(t) && t >= 0)) spec.tokens = o.tokens as number[];
  return spec;
}

/**
 * The spec's network: weights from the given file bytes (safetensors, or the JSON form when the name ends
 * in .json), else seeded random weights.
 */
export function networkFromSpec(spec: Spec, weights?: { name: string; bytes: Uint8Array }): Network {
  const desc = { cell: spec.cell, shape: spec.shape, gateOrder: spec.gateOrder, ...(spec.bias !== undefined ? { bias: spec.bias } : {}) };
  if (!weights) return randomNetwork(spec.cell, spec.shape, spec.seed, spec.bias ?? true);
  if (/\.json$/i.test(weights.name)) {
    let doc: unknown;
    try {
      doc = JSON.parse(new TextDecoder().decode(weights.bytes));
    } catch (e) {
      throw UnrollError.of('{0}: not valid JSON ({1})', weights.name, (e as Error).message);
    }
    const parsed = parseWeightsJson(doc, weights.name);
    if (parsed.convention && parsed.convention !== spec.convention) {
      throw UnrollError.of('{0}: weights are in the {1} convention but the spec says {2}', weights.name, parsed.convention, spec.convention);
    }
    return networkFromTensors(desc, parsed.tensors, spec.convention, weights.name);
  }
  return networkFromTensors(desc, readSafetensors(weights.bytes, weights.name), spec.convention, weights.name);
}
