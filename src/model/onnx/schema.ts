/**
 * The official ONNX schema (vendored onnx.proto, precompiled at build time to a protobufjs JSON descriptor by
 * scripts/build-onnx-schema.js) loaded with protobufjs, plus typed views of the few message fields Unroll
 * reads. Pure: no I/O, no `vscode`.
 */
import * as protobuf from 'protobufjs';
import onnxSchema from './onnx.schema.json';

let cachedRoot: protobuf.Root | undefined;

/**
 * The schema; the descriptor keeps the proto's snake_case field names (raw_data, float_data, …). Building it
 * from JSON skips parsing the .proto text, which was most of the engine's cold start.
 */
export function onnxRoot(): protobuf.Root {
  if (!cachedRoot) cachedRoot = protobuf.Root.fromJSON(onnxSchema as protobuf.INamespace);
  return cachedRoot;
}

export function onnxType(name: 'ModelProto' | 'GraphProto' | 'NodeProto' | 'TensorProto'): protobuf.Type {
  return onnxRoot().lookupType(`onnx.${name}`);
}

/** int64 fields decode to a Long when the `long` package is present and to a number otherwise: accept both. */
export type Int64 = number | { low: number; high: number; unsigned?: boolean; toNumber?: () => number };

export function int64ToNumber(v: Int64 | null | undefined): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  if (typeof v.toNumber === 'function') return v.toNumber();
  return v.high * 4294967296 + (v.low >>> 0);
}

/** TensorProto.DataType values that Unroll reads. */
export const TensorDataType = { FLOAT: 1, INT32: 6, INT64: 7, FLOAT16: 10, DOUBLE: 11, BFLOAT16: 16 } as const;

/** AttributeProto.AttributeType */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

export interface OnnxTensor {
  name?: string;
  dims?: Int64[];
  data_type?: number;
  raw_data?: Uint8Array;
  float_data?: number[];
  double_data?: number[];
  int32_data?: number[];
  int64_data?: Int64[];
  data_location?: number;
  external_data?: { key?: string; value?: string }[];
}

export interface OnnxAttribute {
  name?: string;
  type?: number;
  f?: number;
  i?: Int64;
  s?: Uint8Array;
  t?: OnnxTensor;
  g?: OnnxGraph;
  floats?: number[];
  ints?: Int64[];
  strings?: Uint8Array[];
}

export interface OnnxNode {
  name?: string;
  op_type?: string;
  domain?: string;
  input?: string[];
  output?: string[];
  attribute?: OnnxAttribute[];
}

export interface OnnxDim {
  dim_value?: Int64;
  dim_param?: string;
}

export interface OnnxValueInfo {
  name?: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: OnnxDim[] } } };
}

export interface OnnxGraph {
  name?: string;
  node?: OnnxNode[];
  initializer?: OnnxTensor[];
  input?: OnnxValueInfo[];
  output?: OnnxValueInfo[];
}

export interface OnnxModel {
  ir_version?: Int64;
  producer_name?: string;
  producer_version?: string;
  opset_import?: { domain?: string; version?: Int64 }[];
  graph?: OnnxGraph;
}
