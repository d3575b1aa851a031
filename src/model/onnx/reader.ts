/**
 * ONNX bytes → decoded ModelProto and tensors → Float32Array, with one-line errors for anything malformed.
 * Pure: the caller passes the file's bytes.
 */
import { UnrollError } from '../../engine/types';
import { decodeMessageNamed } from './decode';
import { int64ToNumber, TensorDataType, type OnnxModel, type OnnxTensor } from './schema';

/** Hard cap on what one tensor may hold (elements); far above any RNN a person would inspect in an editor. */
export const MAX_TENSOR_ELEMENTS = 256 * 1024 * 1024;

export function decodeOnnxModel(bytes: Uint8Array, label = 'model'): OnnxModel {
  if (bytes.length === 0) throw UnrollError.of('{0}: the file is empty, not an ONNX model', label);
  let model: OnnxModel;
  try {
    model = decodeMessageNamed('onnx.ModelProto', bytes) as unknown as OnnxModel;
  } catch (e) {
    // protobufjs reports truncation/garbage as "index out of range", "invalid wire type …"; a deeply nested
    // crafted message can exhaust the stack: all mean the same thing to a person.
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw UnrollError.of('{0}: not a readable ONNX model (protobuf decoding failed: {1}); the file is damaged, cut short or not ONNX: export it again, e.g. {2}', label, why, '`torch.onnx.export(model, example_input, "model.onnx")`');
  }
  if (!model.graph || !model.graph.node || model.graph.node.length === 0) {
    throw UnrollError.of('{0}: not an ONNX model with a graph (no graph nodes found)', label);
  }
  return model;
}

/** Dimensions of a tensor as plain numbers, validated. */
export function tensorDims(t: OnnxTensor, where: string): number[] {
  const dims = (t.dims ?? []).map((d) => int64ToNumber(d));
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) throw UnrollError.of('{0}: tensor \'{1}\' has an invalid dimension {2}', where, t.name ?? '', d);
  }
  return dims;
}

function elementCount(dims: number[], where: string, name: string): number {
  let n = 1;
  for (const d of dims) {
    n *= d;
    if (n > MAX_TENSOR_ELEMENTS) throw UnrollError.of('{0}: tensor \'{1}\' claims {2} elements, more than Unroll loads', where, name, dims.join('×'));
  }
  return n;
}

function refuseExternal(t: OnnxTensor, where: string): void {
  if (t.data_location === 1 || (t.external_data && t.external_data.length > 0)) {
    const loc = t.external_data?.find((e) => e.key === 'location')?.value;
    throw loc
      ? UnrollError.of('{0}: tensor \'{1}\' keeps its data in an external file (\'{2}\'); external-data ONNX models are not supported — re-export with the weights inside the .onnx file', where, t.name ?? '', loc)
      : UnrollError.of('{0}: tensor \'{1}\' keeps its data in an external file; external-data ONNX models are not supported — re-export with the weights inside the .onnx file', where, t.name ?? '');
  }
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Reads a floating-point tensor (FLOAT, DOUBLE, FLOAT16, BFLOAT16) into float32; checks data length against dims. */
export function tensorToFloat32(t: OnnxTensor, where: string): { dims: number[]; data: Float32Array } {
  refuseExternal(t, where);
  const name = t.name ?? '';
  const dims = tensorDims(t, where);
  const n = elementCount(dims, where, name);
  const raw = t.raw_data && t.raw_data.length > 0 ? t.raw_data : undefined;
  const type = t.data_type ?? 0;
  const mismatch = (have: number) =>
    UnrollError.of('{0}: tensor \'{1}\' has shape [{2}] ({3} values) but holds {4} values', where, name, dims.join(','), n, have);
  if (raw) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const size = type === TensorDataType.FLOAT ? 4 : type === TensorDataType.DOUBLE ? 8 : type === TensorDataType.FLOAT16 || type === TensorDataType.BFLOAT16 ? 2 : 0;
    if (size === 0) throw UnrollError.of('{0}: tensor \'{1}\' has data type {2}; Unroll reads float32, float64, float16 and bfloat16 weights', where, name, type);
    if (raw.byteLength !== n * size) throw mismatch(Math.floor(raw.byteLength / size));
    // Allocate only once the bytes are known to be there: dims alone may claim anything.
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      if (type === TensorDataType.FLOAT) out[i] = view.getFloat32(i * 4, true);
      else if (type === TensorDataType.DOUBLE) out[i] = view.getFloat64(i * 8, true);
      else if (type === TensorDataType.FLOAT16) out[i] = halfToFloat(view.getUint16(i * 2, true));
      else out[i] = new Float32Array(new Uint32Array([view.getUint16(i * 2, true) << 16]).buffer)[0];
    }
    return { dims, data: out };
  }
  let src: ArrayLike<number>;
  if (type === TensorDataType.FLOAT) src = t.float_data ?? [];
  else if (type === TensorDataType.DOUBLE) src = t.double_data ?? [];
  else if (type === TensorDataType.FLOAT16 || type === TensorDataType.BFLOAT16) {
    // Packed in int32_data as the raw 16-bit patterns.
    const bits = t.int32_data ?? [];
    src = bits.map((b) => (type === TensorDataType.FLOAT16 ? halfToFloat(b & 0xffff) : new Float32Array(new Uint32Array([(b & 0xffff) << 16]).buffer)[0]));
  } else throw UnrollError.of('{0}: tensor \'{1}\' has data type {2}; Unroll reads float32, float64, float16 and bfloat16 weights', where, name, type);
  if (src.length !== n) throw mismatch(src.length);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = src[i];
  return { dims, data: out };
}

/** Reads an integer tensor (INT64 or INT32), e.g. a Constant holding axes or a shape. */
export function tensorToInts(t: OnnxTensor, where: string): number[] {
  refuseExternal(t, where);
  const name = t.name ?? '';
  const dims = tensorDims(t, where);
  const n = elementCount(dims, where, name);
  const type = t.data_type ?? 0;
  const raw = t.raw_data && t.raw_data.length > 0 ? t.raw_data : undefined;
  const out: number[] = [];
  if (raw) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const size = type === TensorDataType.INT64 ? 8 : type === TensorDataType.INT32 ? 4 : 0;
    if (size === 0 || raw.byteLength !== n * size) throw UnrollError.of('{0}: tensor \'{1}\' is not a well-formed integer tensor', where, name);
    for (let i = 0; i < n; i++) out.push(size === 8 ? Number(view.getBigInt64(i * 8, true)) : view.getInt32(i * 4, true));
    return out;
  }
  const src = type === TensorDataType.INT64 ? (t.int64_data ?? []).map(int64ToNumber) : type === TensorDataType.INT32 ? (t.int32_data ?? []) : undefined;
  if (!src || src.length !== n) throw UnrollError.of('{0}: tensor \'{1}\' is not a well-formed integer tensor', where, name);
  return src.slice();
}

/** Names the first NaN/±Inf entry of a weight tensor, for a warning (weights still load). */
export function firstNonFinite(data: Float32Array): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
  return -1;
}
