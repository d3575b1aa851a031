/**
 * A small ONNX model writer over the same official schema: builds graphs for tests and benchmarks
 * (a recurrent node with given weights, or deliberately unsupported variants). Pure.
 */
import { onnxType, AttributeType, TensorDataType } from './schema';

/** A number attribute is INT when integral; use { float } for a FLOAT attribute with an integral value. */
export type AttrInput = number | string | number[] | string[] | { float: number } | { floats: number[] } | { tensor: TensorInput };

export interface TensorInput {
  name?: string;
  dims: number[];
  /** Float values (FLOAT), or integers with type 'int64'. */
  data: ArrayLike<number>;
  type?: 'float' | 'int64' | 'double';
  /** Store as float_data/int64_data instead of raw_data (both are valid ONNX). */
  typed?: boolean;
  /** Mark the tensor as stored in an external file (for refusal tests). */
  external?: string;
}

export interface NodeInput {
  op: string;
  name?: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, AttrInput>;
  domain?: string;
}

export interface ModelInput {
  nodes: NodeInput[];
  initializers?: TensorInput[];
  /** Graph inputs; a null dim is symbolic ("T"). */
  inputs: { name: string; dims: (number | null)[]; type?: 'float' | 'int64' }[];
  outputs: { name: string; dims?: (number | null)[] }[];
  opset?: number;
  producer?: string;
}

function tensorObject(t: TensorInput): Record<string, unknown> {
  const type = t.type === 'int64' ? TensorDataType.INT64 : t.type === 'double' ? TensorDataType.DOUBLE : TensorDataType.FLOAT;
  const obj: Record<string, unknown> = { name: t.name ?? '', dims: t.dims, data_type: type };
  const values = Array.from(t.data);
  if (t.external) {
    obj.data_location = 1;
    obj.external_data = [{ key: 'location', value: t.external }, { key: 'offset', value: '0' }];
  } else if (t.typed) {
    obj[type === TensorDataType.INT64 ? 'int64_data' : type === TensorDataType.DOUBLE ? 'double_data' : 'float_data'] = values;
  } else {
    const size = type === TensorDataType.FLOAT ? 4 : 8;
    const raw = new DataView(new ArrayBuffer(values.length * size));
    values.forEach((v, i) => {
      if (type === TensorDataType.FLOAT) raw.setFloat32(i * 4, v, true);
      else if (type === TensorDataType.DOUBLE) raw.setFloat64(i * 8, v, true);
      else raw.setBigInt64(i * 8, BigInt(Math.trunc(v)), true);
    });
    obj.raw_data = new Uint8Array(raw.buffer);
  }
  return obj;
}

function attributeObject(name: string, v: AttrInput): Record<string, unknown> {
  const enc = (s: string) => new TextEncoder().encode(s);
  if (typeof v === 'number') return Number.isInteger(v) ? { name, type: AttributeType.INT, i: v } : { name, type: AttributeType.FLOAT, f: v };
  if (typeof v === 'string') return { name, type: AttributeType.STRING, s: enc(v) };
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return { name, type: AttributeType.STRINGS, strings: (v as string[]).map(enc) };
    return { name, type: AttributeType.INTS, ints: v };
  }
  if ('float' in v) return { name, type: AttributeType.FLOAT, f: v.float };
  if ('floats' in v) return { name, type: AttributeType.FLOATS, floats: v.floats };
  return { name, type: AttributeType.TENSOR, t: tensorObject(v.tensor) };
}

function valueInfo(name: string, dims?: (number | null)[], type?: 'float' | 'int64'): Record<string, unknown> {
  return {
    name,
    type: { tensor_type: { elem_type: type === 'int64' ? TensorDataType.INT64 : TensorDataType.FLOAT, ...(dims ? { shape: { dim: dims.map((d) => (d === null ? { dim_param: 'T' } : { dim_value: d })) } } : {}) } },
  };
}

export function encodeOnnxModel(m: ModelInput): Uint8Array {
  const Model = onnxType('ModelProto');
  const obj = {
    ir_version: 7,
    producer_name: m.producer ?? 'unroll-test',
    opset_import: [{ domain: '', version: m.opset ?? 14 }],
    graph: {
      name: 'graph',
      node: m.nodes.map((n) => ({
        op_type: n.op,
        name: n.name ?? '',
        domain: n.domain ?? '',
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attributeObject(k, v)),
      })),
      initializer: (m.initializers ?? []).map(tensorObject),
      input: m.inputs.map((i) => valueInfo(i.name, i.dims, i.type)),
      output: m.outputs.map((o) => valueInfo(o.name, o.dims)),
    },
  };
  const err = Model.verify(obj);
  if (err) throw new Error(`encodeOnnxModel: ${err}`);
  return Model.encode(Model.fromObject(obj)).finish();
}
