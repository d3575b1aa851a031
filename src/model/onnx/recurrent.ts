/**
 * One ONNX LSTM / GRU / RNN node → its cell spec and canonical per-direction weights.
 * ONNX stores W [D, G*H, In], R [D, G*H, H], B [D, 2*G*H] (= [Wb ; Rb]), P [D, 3H] with gate blocks
 * LSTM i,o,f,c and GRU z,r,h; P is p_i,p_o,p_f. The engine wants LSTM i,f,g,o, GRU r,z,n, P p_i,p_f,p_o.
 */
import { gateCount, UnrollError, type CellFamily, type CellSpec, type DirectionWeights } from '../../engine/types';
import { gatePermutation, onnxDirectionWeights } from '../../engine/conventions';
import { firstNonFinite } from './reader';
import { GraphIndex, intAttr, stringAttr, stringsAttr, attr } from './graphIndex';
import type { OnnxNode } from './schema';
import { msg } from '../../l10n/format';

export const RECURRENT_OPS: Record<string, CellFamily> = { LSTM: 'lstm', GRU: 'gru', RNN: 'rnn' };

const KNOWN_ATTRIBUTES = new Set(['activation_alpha', 'activation_beta', 'activations', 'clip', 'direction', 'hidden_size', 'input_forget', 'linear_before_reset', 'layout']);

export interface RecurrentLayer {
  node: OnnxNode;
  label: string;
  cell: CellSpec;
  hiddenSize: number;
  inputSize: number;
  bidirectional: boolean;
  directions: DirectionWeights[];
  /** Names of the node's state inputs ('' = none). */
  initialH: string;
  initialC: string;
  /** The attributes as written, for display. */
  attributes: Record<string, unknown>;
  /** Numbers stored in W, R, B, P (absent B is not counted). */
  parameterCount: number;
}

function defaultActivations(family: CellFamily): string[] {
  return family === 'lstm' ? ['sigmoid', 'tanh', 'tanh'] : family === 'gru' ? ['sigmoid', 'tanh'] : ['tanh'];
}

/** Checks the activations attribute and returns the RNN nonlinearity (tanh for LSTM/GRU). */
function checkActivations(node: OnnxNode, family: CellFamily, numDirections: number, label: string): 'tanh' | 'relu' {
  const given = stringsAttr(node, 'activations', label);
  if (!given) return 'tanh';
  const per = defaultActivations(family).length;
  if (given.length !== per * numDirections) {
    throw UnrollError.of('{0}: attribute activations={1} should list {2} functions ({3} per direction)', label, JSON.stringify(given), per * numDirections, per);
  }
  const lower = given.map((a) => a.toLowerCase());
  if (family === 'rnn') {
    const act = lower[0];
    if ((act !== 'tanh' && act !== 'relu') || lower.some((a) => a !== act)) {
      throw UnrollError.of('{0}: attribute activations={1} is not supported; Unroll runs RNN cells with Tanh or Relu (the same in both directions)', label, JSON.stringify(given));
    }
    return act;
  }
  const want = defaultActivations(family);
  lower.forEach((a, k) => {
    if (a !== want[k % per]) {
      throw UnrollError.of(
        '{0}: attribute activations={1} is not supported; Unroll runs {2} cells with the default activations {3}',
        label,
        JSON.stringify(given),
        family.toUpperCase(),
        JSON.stringify(want.map(cap)),
      );
    }
  });
  return 'tanh';
}

const cap = (s: string) => s[0].toUpperCase() + s.slice(1);

function requireDims(have: number[], want: number[], what: string, label: string): void {
  if (have.length !== want.length || have.some((d, k) => d !== want[k])) {
    throw UnrollError.of('{0}: {1} has shape [{2}], expected [{3}]', label, what, have.join(','), want.join(','));
  }
}

export function readRecurrentNode(index: GraphIndex, node: OnnxNode, warnings: string[]): RecurrentLayer {
  const label = `${index.label}: ${index.nodeLabel(node)}`;
  const family = RECURRENT_OPS[node.op_type ?? ''];
  for (const a of node.attribute ?? []) {
    if (a.name && !KNOWN_ATTRIBUTES.has(a.name)) warnings.push(msg('{0}: unknown attribute {1} ignored', label, a.name));
  }
  const layout = intAttr(node, 'layout', 0, label);
  if (layout !== 0) throw UnrollError.of('{0}: attribute layout={1} (batch-major tensors) is not supported; export with layout=0 (the default)', label, layout);
  const direction = stringAttr(node, 'direction', 'forward', label);
  if (direction !== 'forward' && direction !== 'bidirectional') {
    throw UnrollError.of('{0}: attribute direction={1} is not supported; Unroll runs forward and bidirectional layers', label, JSON.stringify(direction));
  }
  const D = direction === 'bidirectional' ? 2 : 1;
  const nonlinearity = checkActivations(node, family, D, label);
  if (attr(node, 'activation_alpha') !== undefined || attr(node, 'activation_beta') !== undefined) {
    warnings.push(msg('{0}: activation_alpha/activation_beta ignored (Sigmoid, Tanh and Relu take no parameters)', label));
  }
  const clipValue = attr(node, 'clip');
  if (clipValue !== undefined && (typeof clipValue !== 'number' || !(clipValue > 0) || !Number.isFinite(clipValue))) {
    throw UnrollError.of('{0}: attribute clip={1} must be a positive number', label, JSON.stringify(clipValue));
  }
  const inputForget = family === 'lstm' ? intAttr(node, 'input_forget', 0, label) : 0;
  if (inputForget !== 0 && inputForget !== 1) throw UnrollError.of('{0}: attribute input_forget={1} must be 0 or 1', label, inputForget);
  const lbr = family === 'gru' ? intAttr(node, 'linear_before_reset', 0, label) : 0;
  if (lbr !== 0 && lbr !== 1) throw UnrollError.of('{0}: attribute linear_before_reset={1} must be 0 or 1', label, lbr);

  const inputs = node.input ?? [];
  const constant = (k: number, what: string) => {
    const name = inputs[k] ?? '';
    if (!name) return undefined;
    const t = index.constantFloat(name, `${index.nodeLabel(node)} input ${what}`);
    if (!t) throw UnrollError.of('{0}: input {1} (\'{2}\') is computed at run time; Unroll needs the weights as initializers or Constant nodes', label, what, name);
    return t;
  };
  const W = constant(1, 'W');
  const R = constant(2, 'R');
  if (!W || !R) throw UnrollError.of('{0}: inputs W and R are required', label);
  const G = gateCount(family);
  if (R.dims.length !== 3) throw UnrollError.of('{0}: input R has shape [{1}], expected [num_directions, {2}*hidden_size, hidden_size]', label, R.dims.join(','), G);
  const H = intAttr(node, 'hidden_size', R.dims[2], label);
  if (!Number.isSafeInteger(H) || H < 1) throw UnrollError.of('{0}: attribute hidden_size={1} must be a positive integer', label, H);
  if (W.dims.length !== 3) throw UnrollError.of('{0}: input W has shape [{1}], expected [{2}, {3}, input_size]', label, W.dims.join(','), D, G * H);
  const In = W.dims[2];
  if (In < 1) throw UnrollError.of('{0}: input W has shape [{1}]: input size 0', label, W.dims.join(','));
  requireDims(W.dims, [D, G * H, In], 'input W', label);
  requireDims(R.dims, [D, G * H, H], 'input R', label);
  const B = constant(3, 'B');
  if (B) requireDims(B.dims, [D, 2 * G * H], 'input B', label);
  if (inputs[4]) {
    throw UnrollError.of('{0}: input sequence_lens (\'{1}\') is not supported; export the model for one unpadded sequence', label, inputs[4]);
  }
  const P = family === 'lstm' ? constant(7, 'P') : undefined;
  if (P) requireDims(P.dims, [D, 3 * H], 'input P', label);

  const checked: [string, number, { data: Float32Array } | undefined][] = [['W', 1, W], ['R', 2, R], ['B', 3, B], ['P', 7, P]];
  for (const [what, k, t] of checked) {
    const bad = t ? firstNonFinite(t.data) : -1;
    if (t && bad >= 0) warnings.push(msg('{0}: input {1} (\'{2}\') holds {3} at flat index {4}', label, what, inputs[k], t.data[bad], bad));
  }

  const perm = gatePermutation(family, 'onnx');
  const directions: DirectionWeights[] = [];
  for (let d = 0; d < D; d++) directions.push(onnxDirectionWeights({ W: W.data, R: R.data, B: B?.data, P: P?.data }, d, H, In, perm));
  const cell: CellSpec = {
    family,
    nonlinearity,
    peephole: !!P,
    coupling: inputForget ? 'keep-input' : 'none',
    resetAfter: lbr === 1,
    projSize: 0,
    ...(typeof clipValue === 'number' ? { clip: clipValue } : {}),
  };
  const attributes: Record<string, unknown> = {};
  for (const a of node.attribute ?? []) if (a.name) attributes[a.name] = attr(node, a.name);
  return {
    node,
    label,
    cell,
    hiddenSize: H,
    inputSize: In,
    bidirectional: D === 2,
    directions,
    initialH: inputs[5] ?? '',
    initialC: family === 'lstm' ? (inputs[6] ?? '') : '',
    attributes,
    parameterCount: W.data.length + R.data.length + (B?.data.length ?? 0) + (P?.data.length ?? 0),
  };
}

/** Short description of a cell spec, for "nodes disagree" messages. */
export function describeCell(cell: CellSpec): string {
  if (cell.family === 'rnn') return `RNN ${cell.nonlinearity}`;
  if (cell.family === 'gru') return `GRU linear_before_reset=${cell.resetAfter ? 1 : 0}`;
  return `LSTM${cell.peephole ? ' with P' : ''}${cell.coupling !== 'none' ? ' input_forget=1' : ''}`;
}
