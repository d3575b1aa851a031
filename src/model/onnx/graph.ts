/**
 * Walks a real exported ONNX graph to the recurrent network inside it: the chain of LSTM/GRU/RNN nodes
 * (torch.onnx.export surrounds them with Shape/Gather/ConstantOfShape/Slice/Concat/Squeeze/Unsqueeze/
 * Transpose/Reshape), where each layer's initial state comes from, and a decoder (MatMul+Add or Gemm) after
 * the last layer. Pure: bytes in, Network out.
 */
import { UnrollError, type Decoder, type Network } from '../../engine/types';
import { decodeOnnxModel, firstNonFinite } from './reader';
import { foldEmbedding, type EmbeddingInfo } from '../embedding';
import { GraphIndex, intAttr } from './graphIndex';
import { describeCell, readRecurrentNode, RECURRENT_OPS, type RecurrentLayer } from './recurrent';
import { int64ToNumber, type OnnxNode } from './schema';
import { msg } from '../../l10n/format';

export interface OnnxNetwork {
  network: Network;
  /** Initial states fixed inside the graph to non-zero constants, [L*D][Out] rows flattened; undefined = zeros. */
  h0?: Float32Array;
  c0?: Float32Array;
  /** Graph inputs that feed initial states: the caller may supply them (CLI --h0/--c0). */
  stateInputs: { h: string[]; c: string[] };
  /** The graph input that carries the sequence x (token ids when an embedding was folded). */
  inputName: string;
  /** An embedding lookup before layer 0, folded into its input weights: the network reads one-hot tokens. */
  embedding?: EmbeddingInfo;
  warnings: string[];
  info: {
    producer: string;
    irVersion: number;
    opset: number;
    nodes: { name: string; op: string; attributes: Record<string, unknown> }[];
    decoder?: { kind: 'MatMul+Add' | 'MatMul' | 'Gemm'; nodes: string[] };
    /** Numbers stored in the recurrent initializers and the decoder. */
    parameterCount: number;
  };
}

/** Ops that only move or relabel the data of their first input (batch 1: layout changes keep the order). */
const PASSTHROUGH = new Set(['Identity', 'Transpose', 'Reshape', 'Squeeze', 'Unsqueeze', 'Dropout', 'Cast', 'Flatten']);
/** Ops a state may pass through on its way from a graph input or constant to initial_h/initial_c. */
const STATE_PASSTHROUGH = new Set([...PASSTHROUGH, 'Slice', 'Gather', 'Expand', 'Tile']);
/** Control flow that hides a recurrence we cannot read. */
const REFUSED_OPS = new Set(['Scan', 'Loop', 'If']);

export function loadOnnxNetwork(bytes: Uint8Array, label = 'model.onnx'): OnnxNetwork {
  const model = decodeOnnxModel(bytes, label);
  const graph = model.graph!;
  const index = new GraphIndex(graph, label);
  const warnings: string[] = [];

  for (const node of graph.node ?? []) {
    if (REFUSED_OPS.has(node.op_type ?? '')) {
      throw UnrollError.of('{0}: {1}: Scan/Loop/If-based recurrences are not supported; export with the ONNX LSTM, GRU or RNN operators', label, index.nodeLabel(node));
    }
  }
  const recurrent = (graph.node ?? []).filter((n) => RECURRENT_OPS[n.op_type ?? ''] && (!n.domain || n.domain === 'ai.onnx'));
  if (recurrent.length === 0) {
    throw UnrollError.of('{0}: the graph has no LSTM, GRU or RNN node, so there is no recurrent network to show', label);
  }
  const chain = orderChain(index, recurrent);
  const layers = chain.nodes.map((n) => readRecurrentNode(index, n, warnings));

  const first = layers[0];
  for (let k = 1; k < layers.length; k++) {
    const l = layers[k];
    if (describeCell(l.cell) !== describeCell(first.cell) || l.cell.clip !== first.cell.clip) {
      throw UnrollError.of('{0}: is {1} but the first layer is {2}; Unroll runs stacks of one cell kind', l.label, describeCell(l.cell), describeCell(first.cell));
    }
    if (l.hiddenSize !== first.hiddenSize || l.bidirectional !== first.bidirectional) {
      // "bidirectional"/"forward" are ONNX direction values: arguments, not translated.
      const dir = (bi: boolean) => (bi ? 'bidirectional' : 'forward');
      throw UnrollError.of('{0}: hidden_size {1}, {2} differs from the first layer ({3}, {4})', l.label, l.hiddenSize, dir(l.bidirectional), first.hiddenSize, dir(first.bidirectional));
    }
    const want = (first.bidirectional ? 2 : 1) * first.hiddenSize;
    if (l.inputSize !== want) throw UnrollError.of('{0}: input W expects inputs of width {1}, but the layer below outputs {2}', l.label, l.inputSize, want);
  }

  const D = first.bidirectional ? 2 : 1;
  const H = first.hiddenSize;
  const h0 = collectStates(index, layers, 'h', D, H);
  const c0 = first.cell.family === 'lstm' ? collectStates(index, layers, 'c', D, H) : { fixed: undefined, inputs: [] };
  let network: Network = {
    cell: first.cell,
    shape: { inputSize: first.inputSize, hiddenSize: H, numLayers: layers.length, bidirectional: D === 2 },
    layers: layers.map((l) => l.directions),
    source: label,
  };
  let embedding: EmbeddingInfo | undefined;
  if (chain.embedding) {
    const where = index.nodeLabel(chain.embedding);
    const table = index.constantFloat(chain.embedding.input![0], where)!;
    const [V, E] = table.dims;
    network = foldEmbedding(network, table.data, V, E, `${label}: ${where}`);
    embedding = { name: chain.embedding.name || chain.embedding.input![0], vocabSize: V, dim: E };
    const bad = firstNonFinite(table.data);
    if (bad >= 0) warnings.push(msg('{0}: embedding table \'{1}\' holds {2} at flat index {3}', label, chain.embedding.input![0], table.data[bad], bad));
  }
  const dec = findDecoder(index, chain.nodes[chain.nodes.length - 1], D * H, warnings);
  if (dec) network.decoder = dec.decoder;

  const opset = (model.opset_import ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  return {
    network,
    ...(h0.fixed ? { h0: h0.fixed } : {}),
    ...(c0.fixed ? { c0: c0.fixed } : {}),
    stateInputs: { h: h0.inputs, c: c0.inputs },
    inputName: chain.inputName,
    ...(embedding ? { embedding } : {}),
    warnings,
    info: {
      producer: [model.producer_name, model.producer_version].filter(Boolean).join(' '),
      irVersion: int64ToNumber(model.ir_version),
      opset: opset ? int64ToNumber(opset.version) : 0,
      nodes: layers.map((l) => ({ name: l.node.name ?? '', op: l.node.op_type ?? '', attributes: l.attributes })),
      ...(dec ? { decoder: dec.info } : {}),
      parameterCount: layers.reduce((n, l) => n + l.parameterCount, 0) + (dec ? dec.decoder.W.length + dec.decoder.b.length : 0) + (embedding ? embedding.vocabSize * embedding.dim : 0),
    },
  };
}

/** Follows a value back through layout-only ops to the node (or graph input) that really produced it. */
function traceBack(index: GraphIndex, name: string): { node?: OnnxNode; name: string } {
  const seen = new Set<string>();
  let current = name;
  for (;;) {
    if (seen.has(current)) throw UnrollError.of('{0}: the graph has a cycle through \'{1}\'', index.label, current);
    seen.add(current);
    const node = index.producer.get(current);
    if (!node || !PASSTHROUGH.has(node.op_type ?? '') || !node.input?.[0]) return { node, name: current };
    current = node.input[0];
  }
}

/** Orders the recurrent nodes into one chain: layer 0 reads a graph input, layer k reads layer k-1's Y. */
function orderChain(index: GraphIndex, recurrent: OnnxNode[]): { nodes: OnnxNode[]; inputName: string; embedding?: OnnxNode } {
  let start: OnnxNode | undefined;
  let inputName = '';
  let embedding: OnnxNode | undefined;
  const next = new Map<OnnxNode, OnnxNode>();
  for (const node of recurrent) {
    const x = node.input?.[0] ?? '';
    if (!x) throw UnrollError.of('{0}: {1} has no input X', index.label, index.nodeLabel(node));
    const src = traceBack(index, x);
    if (!src.node) {
      if (!index.inputs.has(src.name)) {
        throw UnrollError.of('{0}: the input X of {1} is the constant \'{2}\', not a graph input', index.label, index.nodeLabel(node), src.name);
      }
      if (start) throw UnrollError.of('{0}: both {1} and {2} read graph inputs; Unroll runs one stack of recurrent layers', index.label, index.nodeLabel(start), index.nodeLabel(node));
      start = node;
      inputName = src.name;
    } else if (RECURRENT_OPS[src.node.op_type ?? '']) {
      if (src.name !== src.node.output?.[0]) {
        throw UnrollError.of('{0}: {1} reads the final state of {2} instead of its sequence output Y', index.label, index.nodeLabel(node), index.nodeLabel(src.node));
      }
      if (next.has(src.node)) throw UnrollError.of('{0}: {1} feeds two recurrent nodes; Unroll runs one stack of recurrent layers', index.label, index.nodeLabel(src.node));
      next.set(src.node, node);
    } else if (!start && isEmbeddingLookup(index, src.node)) {
      // Gather(table, ids): an embedding whose ids come from the graph input; folded into layer 0 later.
      start = node;
      inputName = traceBack(index, src.node.input![1]).name;
      embedding = src.node;
    } else {
      throw UnrollError.of(
        '{0}: the input X of {1} is computed by {2} (an embedding or other layer); Unroll needs the recurrent layers to read the sequence directly',
        index.label,
        index.nodeLabel(node),
        index.nodeLabel(src.node),
      );
    }
  }
  if (!start) throw UnrollError.of('{0}: no recurrent node reads a graph input (the recurrent nodes form a cycle)', index.label);
  const nodes = [start];
  while (next.has(nodes[nodes.length - 1])) nodes.push(next.get(nodes[nodes.length - 1])!);
  if (nodes.length !== recurrent.length) {
    const stray = recurrent.find((n) => !nodes.includes(n))!;
    throw UnrollError.of('{0}: {1} is not part of the single stack that starts at {2}', index.label, index.nodeLabel(stray), index.nodeLabel(start));
  }
  return { nodes, inputName, ...(embedding ? { embedding } : {}) };
}

/** Gather on axis 0 of a constant 2-D table with indices that come straight from a graph input. */
function isEmbeddingLookup(index: GraphIndex, node: OnnxNode): boolean {
  if (node.op_type !== 'Gather' || !node.input?.[0] || !node.input[1]) return false;
  const table = index.constants.get(node.input[0]);
  if (!table || (table.dims ?? []).length !== 2) return false;
  if (intAttr(node, 'axis', 0, index.label) !== 0) return false;
  const ids = traceBack(index, node.input[1]);
  return !ids.node && index.inputs.has(ids.name);
}

type StateSource = { kind: 'fill'; value: number } | { kind: 'input'; name: string } | { kind: 'const'; data: Float32Array };

/** Where an initial_h/initial_c value comes from: a constant fill (zeros), a graph input, or a constant tensor. */
function stateSource(index: GraphIndex, name: string, where: string, depth = 0): StateSource {
  if (depth > 64) throw UnrollError.of('{0}: the initial state is computed through more than 64 nodes', where);
  if (index.inputs.has(name)) return { kind: 'input', name };
  const t = index.constantFloat(name, where);
  if (t) {
    const v = t.data[0];
    return t.data.every((x) => x === v || (Number.isNaN(x) && Number.isNaN(v))) ? { kind: 'fill', value: t.data.length ? v : 0 } : { kind: 'const', data: t.data };
  }
  const node = index.producer.get(name);
  if (!node) throw UnrollError.of('{0}: the initial state \'{1}\' is neither produced by a node nor a graph input', where, name);
  const op = node.op_type ?? '';
  if (op === 'ConstantOfShape') {
    const value = node.attribute?.find((a) => a.name === 'value')?.t;
    const v = value ? index.constantFloatFromTensor(value, where) : 0;
    return { kind: 'fill', value: v };
  }
  if (STATE_PASSTHROUGH.has(op) && node.input?.[0]) {
    const src = stateSource(index, node.input[0], where, depth + 1);
    if (src.kind === 'const' && op !== 'Identity' && op !== 'Cast') {
      throw UnrollError.of('{0}: the initial state is a non-uniform constant reshaped by {1}; store it directly as an initializer', where, index.nodeLabel(node));
    }
    return src;
  }
  if (op === 'Concat') {
    const parts = (node.input ?? []).filter(Boolean).map((n) => stateSource(index, n, where, depth + 1));
    if (parts.length && parts.every((p) => p.kind === 'fill' && p.value === (parts[0] as { value: number }).value)) return parts[0];
    const input = parts.find((p) => p.kind === 'input');
    if (input && parts.every((p) => p.kind === 'input')) return input;
  }
  throw UnrollError.of('{0}: the initial state comes from {1}, which Unroll cannot follow', where, index.nodeLabel(node));
}

function collectStates(index: GraphIndex, layers: RecurrentLayer[], which: 'h' | 'c', D: number, H: number): { fixed?: Float32Array; inputs: string[] } {
  const fixed = new Float32Array(layers.length * D * H);
  let nonZero = false;
  const inputs: string[] = [];
  layers.forEach((layer, k) => {
    const name = which === 'h' ? layer.initialH : layer.initialC;
    if (!name) return;
    const where = `${layer.label} initial_${which}`;
    const src = stateSource(index, name, where);
    if (src.kind === 'input') {
      if (!inputs.includes(src.name)) inputs.push(src.name);
    } else if (src.kind === 'fill') {
      if (src.value !== 0) {
        fixed.fill(src.value, k * D * H, (k + 1) * D * H);
        nonZero = true;
      }
    } else {
      if (src.data.length !== D * H) throw UnrollError.of('{0}: holds {1} values, expected {2}×1×{3}', where, src.data.length, D, H);
      fixed.set(src.data, k * D * H);
      nonZero = true;
    }
  });
  return { ...(nonZero ? { fixed } : {}), inputs };
}

/** A decoder reading the last layer's Y at every step: MatMul (+ Add) or Gemm with constant weights. */
function findDecoder(index: GraphIndex, last: OnnxNode, width: number, warnings: string[]): { decoder: Decoder; info: NonNullable<OnnxNetwork['info']['decoder']> } | undefined {
  const yh = last.output?.[1];
  if (yh && (index.consumers.get(yh) ?? []).some((n) => n.op_type === 'MatMul' || n.op_type === 'Gemm')) {
    warnings.push(msg('{0}: a MatMul/Gemm reads the final state of {1}; that head is not modelled (only per-step decoders on Y are)', index.label, index.nodeLabel(last)));
  }
  let frontier = [last.output?.[0] ?? ''];
  const seen = new Set<string>();
  while (frontier.length) {
    const name = frontier.shift()!;
    if (!name || seen.has(name)) continue;
    seen.add(name);
    for (const node of index.consumers.get(name) ?? []) {
      const op = node.op_type ?? '';
      if (PASSTHROUGH.has(op) && node.input?.[0] === name) frontier.push(node.output?.[0] ?? '');
      else if (op === 'MatMul' || op === 'Gemm') return readDecoder(index, node, name, width, warnings);
    }
  }
  return undefined;
}

function readDecoder(index: GraphIndex, node: OnnxNode, from: string, width: number, warnings: string[]): { decoder: Decoder; info: NonNullable<OnnxNetwork['info']['decoder']> } | undefined {
  const where = index.nodeLabel(node);
  const op = node.op_type;
  const other = node.input?.[0] === from ? node.input?.[1] : node.input?.[0];
  if (op === 'MatMul' && node.input?.[0] !== from) {
    warnings.push(msg('{0}: {1} multiplies the recurrent output from the left; not read as a decoder', index.label, where));
    return undefined;
  }
  const Wt = other ? index.constantFloat(other, where) : undefined;
  if (!Wt || Wt.dims.length !== 2) {
    warnings.push(msg('{0}: {1} after the last recurrent layer has no constant 2-D weight; no decoder', index.label, where));
    return undefined;
  }
  const transB = op === 'Gemm' ? intAttr(node, 'transB', 0, `${index.label}: ${where}`) : 0;
  if (op === 'Gemm' && intAttr(node, 'transA', 0, `${index.label}: ${where}`) !== 0) {
    warnings.push(msg('{0}: {1} has transA=1; not read as a decoder', index.label, where));
    return undefined;
  }
  const [rows, cols] = Wt.dims;
  const K = transB ? cols : rows;
  const V = transB ? rows : cols;
  if (K !== width || V < 1) {
    warnings.push(msg('{0}: {1} has weight [{2},{3}] but the recurrent output is {4} wide; no decoder', index.label, where, rows, cols, width));
    return undefined;
  }
  const alpha = op === 'Gemm' ? gemmFloat(node, 'alpha') : 1;
  const beta = op === 'Gemm' ? gemmFloat(node, 'beta') : 1;
  // Decoder.W is [V, K]: MatMul's B is [K, V], so transpose unless Gemm says transB=1.
  const W = new Float32Array(V * K);
  for (let v = 0; v < V; v++) for (let k = 0; k < K; k++) W[v * K + k] = alpha * (transB ? Wt.data[v * K + k] : Wt.data[k * V + v]);
  let b = new Float32Array(V);
  const nodes = [node.name || node.output?.[0] || op!];
  let kind: 'MatMul+Add' | 'MatMul' | 'Gemm' = op === 'Gemm' ? 'Gemm' : 'MatMul';
  const biasFrom = (name: string | undefined, scale: number): boolean => {
    const t = name ? index.constantFloat(name, where) : undefined;
    if (!t || (t.data.length !== V && t.data.length !== 1)) return false;
    for (let v = 0; v < V; v++) b[v] = scale * (t.data.length === 1 ? t.data[0] : t.data[v]);
    return true;
  };
  if (op === 'Gemm') {
    if (node.input?.[2] && !biasFrom(node.input[2], beta)) warnings.push(msg('{0}: {1} has a bias C Unroll cannot read; using zero bias', index.label, where));
  } else {
    const out = node.output?.[0] ?? '';
    const add = (index.consumers.get(out) ?? []).find((n) => n.op_type === 'Add');
    if (add) {
      const addOther = add.input?.[0] === out ? add.input?.[1] : add.input?.[0];
      if (biasFrom(addOther, 1)) {
        kind = 'MatMul+Add';
        nodes.push(add.name || add.output?.[0] || 'Add');
      } else b = new Float32Array(V);
    }
  }
  for (const [what, data] of [['weight', W], ['bias', b]] as const) {
    const bad = firstNonFinite(data);
    if (bad >= 0) warnings.push(msg('{0}: decoder {1} ({2}) holds {3} at flat index {4}', index.label, what, where, data[bad], bad));
  }
  return { decoder: { W, b, vocabSize: V }, info: { kind, nodes } };
}

function gemmFloat(node: OnnxNode, name: 'alpha' | 'beta'): number {
  const a = node.attribute?.find((x) => x.name === name);
  return a ? (a.f ?? 1) : 1;
}
