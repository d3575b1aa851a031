/**
 * Lookup tables over an ONNX graph: who produces a value, who consumes it, which values are constants
 * (initializers and Constant nodes), which are real graph inputs. Plus typed attribute access.
 */
import { UnrollError } from '../../engine/types';
import { msg } from '../../l10n/format';
import { tensorToFloat32, tensorToInts } from './reader';
import { AttributeType, int64ToNumber, TensorDataType, type OnnxGraph, type OnnxNode, type OnnxTensor } from './schema';

export type AttrValue = number | string | number[] | string[];

export class GraphIndex {
  readonly producer = new Map<string, OnnxNode>();
  readonly consumers = new Map<string, OnnxNode[]>();
  readonly constants = new Map<string, OnnxTensor>();
  /** Graph inputs that are not initializers: what a caller feeds. */
  readonly inputs = new Set<string>();
  readonly outputs = new Set<string>();

  constructor(readonly graph: OnnxGraph, readonly label: string) {
    for (const t of graph.initializer ?? []) if (t.name) this.constants.set(t.name, t);
    for (const node of graph.node ?? []) {
      for (const out of node.output ?? []) if (out) this.producer.set(out, node);
      for (const inp of node.input ?? []) {
        if (!inp) continue;
        const list = this.consumers.get(inp);
        if (list) list.push(node);
        else this.consumers.set(inp, [node]);
      }
      if (node.op_type === 'Constant' && node.output?.[0]) {
        const t = constantNodeTensor(node);
        if (t) this.constants.set(node.output[0], t);
      }
    }
    for (const vi of graph.input ?? []) if (vi.name && !this.constants.has(vi.name)) this.inputs.add(vi.name);
    for (const vi of graph.output ?? []) if (vi.name) this.outputs.add(vi.name);
  }

  nodeLabel(node: OnnxNode): string {
    return node.name ? msg("{0} node '{1}'", String(node.op_type), node.name) : msg("{0} node (output '{1}')", String(node.op_type), node.output?.[0] ?? '?');
  }

  /** First element of a small value tensor (ConstantOfShape's `value`), float or integer typed. */
  constantFloatFromTensor(t: OnnxTensor, where: string): number {
    const type = t.data_type ?? 0;
    const values = type === TensorDataType.INT64 || type === TensorDataType.INT32 ? tensorToInts(t, `${this.label}: ${where}`) : tensorToFloat32(t, `${this.label}: ${where}`).data;
    return values.length ? values[0] : 0;
  }

  /**
   * A constant float tensor by value name (also through Identity/Cast, e.g. float16 weights cast to float),
   * or undefined when the value is computed at run time.
   */
  constantFloat(name: string, where: string): { dims: number[]; data: Float32Array } | undefined {
    for (let depth = 0; depth < 16; depth++) {
      const t = this.constants.get(name);
      if (t) return tensorToFloat32({ ...t, name }, `${this.label}: ${where}`);
      const node = this.producer.get(name);
      if (!node || (node.op_type !== 'Identity' && node.op_type !== 'Cast') || !node.input?.[0]) return undefined;
      name = node.input[0];
    }
    return undefined;
  }
}

/** Constant nodes carry their value in one of several attributes; normalise to a tensor. */
function constantNodeTensor(node: OnnxNode): OnnxTensor | undefined {
  for (const a of node.attribute ?? []) {
    if (a.name === 'value' && a.t) return a.t;
    if (a.name === 'value_float') return { dims: [], data_type: TensorDataType.FLOAT, float_data: [a.f ?? 0] };
    if (a.name === 'value_floats') return { dims: [(a.floats ?? []).length], data_type: TensorDataType.FLOAT, float_data: a.floats ?? [] };
    if (a.name === 'value_int') return { dims: [], data_type: TensorDataType.INT64, int64_data: [a.i ?? 0] };
    if (a.name === 'value_ints') return { dims: [(a.ints ?? []).length], data_type: TensorDataType.INT64, int64_data: a.ints ?? [] };
  }
  return undefined;
}

/** Attribute value by name (undefined when absent). Bytes become strings. */
export function attr(node: OnnxNode, name: string): AttrValue | undefined {
  const a = (node.attribute ?? []).find((x) => x.name === name);
  if (!a) return undefined;
  const dec = (b: Uint8Array) => new TextDecoder().decode(b);
  switch (a.type) {
    case AttributeType.FLOAT:
      return a.f ?? 0;
    case AttributeType.INT:
      return int64ToNumber(a.i);
    case AttributeType.STRING:
      return dec(a.s ?? new Uint8Array());
    case AttributeType.FLOATS:
      return (a.floats ?? []).slice();
    case AttributeType.INTS:
      return (a.ints ?? []).map(int64ToNumber);
    case AttributeType.STRINGS:
      return (a.strings ?? []).map(dec);
    default:
      // Older exporters leave `type` unset: infer from the populated field.
      if (a.s && a.s.length) return dec(a.s);
      if (a.strings && a.strings.length) return a.strings.map(dec);
      if (a.ints && a.ints.length) return a.ints.map(int64ToNumber);
      if (a.floats && a.floats.length) return a.floats.slice();
      if (a.i !== undefined && int64ToNumber(a.i) !== 0) return int64ToNumber(a.i);
      return a.f ?? 0;
  }
}

export function intAttr(node: OnnxNode, name: string, fallback: number, label: string): number {
  const v = attr(node, name);
  if (v === undefined) return fallback;
  if (typeof v !== 'number') throw UnrollError.of('{0}: attribute {1} should be a number, found {2}', label, name, JSON.stringify(v));
  return v;
}

export function stringAttr(node: OnnxNode, name: string, fallback: string, label: string): string {
  const v = attr(node, name);
  if (v === undefined) return fallback;
  if (typeof v !== 'string') throw UnrollError.of('{0}: attribute {1} should be a string, found {2}', label, name, JSON.stringify(v));
  return v;
}

export function stringsAttr(node: OnnxNode, name: string, label: string): string[] | undefined {
  const v = attr(node, name);
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw UnrollError.of('{0}: attribute {1} should be a list of strings', label, name);
  return v as string[];
}
