/**
 * safetensors reader and writer (https://github.com/huggingface/safetensors format):
 *   u64 little-endian header length N, N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]},
 *   "__metadata__"?: {string: string}}, then the raw little-endian tensor bytes (offsets relative to it).
 * Reads F32, F16, BF16 and F64 into float32. Every structural problem is one clear UnrollError naming
 * the file and the tensor; nothing is trusted before it is checked (the header is untrusted input).
 * Pure: bytes in, typed arrays out.
 */
import { UnrollError } from '../engine/types';
import { msg } from '../l10n/format';

export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

/** Tensor name → float32 tensor, in header order. */
export type TensorMap = Map<string, NamedTensor>;

/** The format's own limit on the JSON header (100 MB), also our guard against absurd allocations. */
export const MAX_HEADER_BYTES = 100_000_000;

const DTYPE_BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8 };

function halfToFloat(b: number): number {
  const sign = b & 0x8000 ? -1 : 1;
  const e = (b >> 10) & 0x1f;
  const m = b & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24; // subnormal (and ±0)
  if (e === 31) return m ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

export function readSafetensors(bytes: Uint8Array, label = 'weights'): TensorMap {
  const fail = (why: string): never => {
    throw UnrollError.of('{0}: not a valid safetensors file: {1}; save it again, e.g. {2}', label, why, '`save_file(model.state_dict(), "model.safetensors")`');
  };
  if (bytes.length < 8) fail(msg('{0} bytes is shorter than the 8-byte header length', bytes.length));
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = dv.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_BYTES)) fail(msg('header length {0} exceeds the {1}-byte limit', String(n64), MAX_HEADER_BYTES));
  const n = Number(n64);
  if (8 + n > bytes.length) fail(msg('header length {0} runs past the end of the {1}-byte file (truncated?)', n, bytes.length));
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch {
    fail(msg('the header is not valid UTF-8 JSON'));
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail(msg('the header is not a JSON object'));
  const base = 8 + n;
  const dataLen = bytes.length - base;
  const spans: [number, number, string][] = [];
  const out: TensorMap = new Map();
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) fail(msg('tensor \'{0}\' has no description', name));
    if (typeof e.dtype !== 'string') fail(msg('tensor \'{0}\' has no dtype', name));
    const dtype = e.dtype as string;
    const size = DTYPE_BYTES[dtype];
    if (!size) fail(msg('tensor \'{0}\' has dtype {1}; supported: F32, F16, BF16, F64', name, dtype));
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(msg('tensor \'{0}\' has an invalid shape', name));
    const shape = e.shape as number[];
    const count = shape.reduce((a, b) => a * b, 1);
    const offs = e.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && o >= 0)) fail(msg('tensor \'{0}\' has invalid data_offsets', name));
    const [begin, end] = offs as [number, number];
    if (begin > end || end > dataLen) fail(msg('tensor \'{0}\' data_offsets [{1}, {2}] lie outside the {3} data bytes', name, begin, end, dataLen));
    if (end - begin !== count * size) fail(msg('tensor \'{0}\' holds {1} bytes but shape [{2}] of {3} needs {4}', name, end - begin, shape.join(','), dtype, count * size));
    spans.push([begin, end, name]);
    const data = new Float32Array(count);
    const p = new DataView(bytes.buffer, bytes.byteOffset + base + begin, end - begin);
    switch (dtype) {
      case 'F32':
        for (let k = 0; k < count; k++) data[k] = p.getFloat32(4 * k, true);
        break;
      case 'F64':
        for (let k = 0; k < count; k++) data[k] = p.getFloat64(8 * k, true);
        break;
      case 'F16':
        for (let k = 0; k < count; k++) data[k] = halfToFloat(p.getUint16(2 * k, true));
        break;
      default: {
        // BF16 is the top half of a float32.
        const u = new Uint32Array(data.buffer);
        for (let k = 0; k < count; k++) u[k] = p.getUint16(2 * k, true) << 16;
      }
    }
    out.set(name, { shape, data });
  }
  spans.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i][0] < spans[i - 1][1]) fail(msg('tensors \'{0}\' and \'{1}\' overlap', spans[i - 1][2], spans[i][2]));
  }
  return out;
}

/** Float32 tensors → safetensors bytes (names sorted, header padded to 8 bytes like the reference writer). */
export function writeSafetensors(tensors: TensorMap, metadata?: Record<string, string>): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let off = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [off, off + 4 * t.data.length] };
    off += 4 * t.data.length;
  }
  let json = JSON.stringify(header);
  while ((8 + new TextEncoder().encode(json).length) % 8) json += ' ';
  const hb = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + hb.length + off);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(hb.length), true);
  out.set(hb, 8);
  let p = 8 + hb.length;
  for (const name of names) {
    for (const v of tensors.get(name)!.data) {
      dv.setFloat32(p, v, true);
      p += 4;
    }
  }
  return out;
}
