/**
 * A small protobuf decoder driven by the precompiled schema descriptor (onnx.schema.json, made from the official
 * onnx.proto): no code generation at first use, which was most of the engine's cold start. Decoded messages look
 * like protobufjs's: fields read from the wire are own properties, absent ones fall back to per-type prototype
 * defaults ('' / 0 / false / empty bytes / null, repeated = []), int64 values are numbers (exact below 2^53).
 * Malformed input throws an Error (the reader turns it into one line). Pure.
 */
import onnxSchema from './onnx.schema.json';

interface FieldJson { type: string; id: number; rule?: string }
interface NodeJson { fields?: Record<string, FieldJson>; values?: Record<string, number>; nested?: Record<string, NodeJson> }

interface Field { name: string; kind: string; repeated: boolean; message?: MessageType }
interface MessageType { fields: Map<number, Field>; proto: object; repeatedNames: string[] }

const types = new Map<string, MessageType>();
const enums = new Set<string>();
const jsonOf = new Map<string, NodeJson>();

function index(node: NodeJson, prefix: string): void {
  for (const [name, child] of Object.entries(node.nested ?? {})) {
    const full = prefix ? `${prefix}.${name}` : name;
    if (child.values) enums.add(full);
    if (child.fields) jsonOf.set(full, child);
    index(child, full);
  }
}

/** protobuf name resolution: the innermost enclosing scope that has the name wins. */
function resolve(scope: string, ref: string): string | undefined {
  const parts = scope.split('.');
  for (let n = parts.length; n >= 0; n--) {
    const full = [...parts.slice(0, n), ref].join('.');
    if (jsonOf.has(full) || enums.has(full)) return full;
  }
  return undefined;
}

const SCALARS = new Set(['double', 'float', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64', 'bool', 'string', 'bytes']);

function messageType(full: string): MessageType {
  let t = types.get(full);
  if (t) return t;
  const proto: Record<string, unknown> = {};
  t = { fields: new Map(), proto, repeatedNames: [] };
  types.set(full, t);
  for (const [name, f] of Object.entries(jsonOf.get(full)!.fields!)) {
    const repeated = f.rule === 'repeated';
    let kind = f.type;
    let message: MessageType | undefined;
    if (!SCALARS.has(kind)) {
      const target = resolve(full, kind);
      if (target === undefined) throw new Error(`schema: unknown type ${kind} in ${full}`);
      if (enums.has(target)) kind = 'int32';
      else {
        kind = 'message';
        message = messageType(target);
      }
    }
    t.fields.set(f.id, { name, kind, repeated, message });
    if (repeated) t.repeatedNames.push(name);
    else proto[name] = kind === 'string' ? '' : kind === 'bytes' ? new Uint8Array(0) : kind === 'bool' ? false : kind === 'message' ? null : 0;
  }
  return t;
}

class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array, readonly end: number) {}

  /** A varint as [low 32 bits, high 32 bits] (unsigned). */
  varint64(): [number, number] {
    let lo = 0;
    let hi = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (this.pos >= this.end) throw new Error('index out of range (truncated varint)');
      const b = this.buf[this.pos++];
      if (shift < 28) lo |= (b & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (shift - 32);
      if (b < 0x80) return [lo >>> 0, hi >>> 0];
    }
    throw new Error('invalid varint encoding');
  }

  varint32(): number {
    return this.varint64()[0];
  }

  skip(n: number): number {
    const at = this.pos;
    if (n < 0 || this.pos + n > this.end) throw new Error(`index out of range: ${this.pos} + ${n} > ${this.end}`);
    this.pos += n;
    return at;
  }
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

function scalar(r: Reader, kind: string, dv: DataView): unknown {
  switch (kind) {
    case 'float': return dv.getFloat32(r.skip(4), true);
    case 'double': return dv.getFloat64(r.skip(8), true);
    case 'fixed32': return dv.getUint32(r.skip(4), true);
    case 'sfixed32': return dv.getInt32(r.skip(4), true);
    case 'fixed64': case 'sfixed64': {
      const at = r.skip(8);
      return (kind === 'sfixed64' ? dv.getInt32(at + 4, true) : dv.getUint32(at + 4, true)) * 4294967296 + dv.getUint32(at, true);
    }
    case 'bool': return r.varint32() !== 0;
    case 'int32': return r.varint32() | 0;
    case 'uint32': return r.varint32();
    case 'sint32': { const v = r.varint32(); return (v >>> 1) ^ -(v & 1); }
    case 'int64': { const [lo, hi] = r.varint64(); return (hi | 0) * 4294967296 + lo; }
    case 'uint64': { const [lo, hi] = r.varint64(); return hi * 4294967296 + lo; }
    case 'sint64': { const [lo, hi] = r.varint64(); const v = hi * 4294967296 + lo; return lo & 1 ? -(v + 1) / 2 : v / 2; }
    default: throw new Error(`unsupported field type ${kind}`);
  }
}

const WIRE: Record<string, number> = { float: 5, fixed32: 5, sfixed32: 5, double: 1, fixed64: 1, sfixed64: 1 };

function decodeMessage(r: Reader, t: MessageType, end: number, dv: DataView, depth: number): Record<string, unknown> {
  if (depth > 100) throw new Error('maximum nesting depth exceeded');
  const out = Object.create(t.proto) as Record<string, unknown>;
  for (const name of t.repeatedNames) out[name] = [];
  while (r.pos < end) {
    const key = r.varint32();
    const wire = key & 7;
    const f = t.fields.get(key >>> 3);
    if (!f) {
      skipField(r, wire, end);
      continue;
    }
    let v: unknown;
    if (f.kind === 'message' || f.kind === 'string' || f.kind === 'bytes') {
      if (wire !== 2) throw new Error(`invalid wire type ${wire} for field ${f.name}`);
      const n = r.varint32();
      const at = r.skip(n);
      if (at + n > end) throw new Error('index out of range (field past its message)');
      if (f.kind === 'message') {
        const sub = new Reader(r.buf, at + n);
        sub.pos = at;
        v = decodeMessage(sub, f.message!, at + n, dv, depth + 1);
      } else if (f.kind === 'bytes') v = r.buf.subarray(at, at + n);
      else v = new TextDecoder().decode(r.buf.subarray(at, at + n));
    } else if (f.repeated && wire === 2) {
      // packed repeated scalars
      const n = r.varint32();
      const stop = r.skip(n) + n;
      r.pos = stop - n;
      const arr = out[f.name] as unknown[];
      while (r.pos < stop) arr.push(scalar(r, f.kind, dv));
      if (r.pos !== stop) throw new Error('packed field overruns its length');
      continue;
    } else {
      if (wire !== (WIRE[f.kind] ?? 0)) throw new Error(`invalid wire type ${wire} for field ${f.name}`);
      v = scalar(r, f.kind, dv);
    }
    if (f.repeated) (out[f.name] as unknown[]).push(v);
    else out[f.name] = v;
  }
  if (r.pos !== end) throw new Error('index out of range (message overruns its length)');
  return out;
}

function skipField(r: Reader, wire: number, end: number): void {
  if (wire === 0) r.varint64();
  else if (wire === 1) r.skip(8);
  else if (wire === 5) r.skip(4);
  else if (wire === 2) r.skip(r.varint32());
  else throw new Error(`invalid wire type ${wire}`);
  if (r.pos > end) throw new Error('index out of range');
}

/** Decode `bytes` as the schema's message `name` (e.g. 'onnx.ModelProto'). */
export function decodeMessageNamed(name: string, bytes: Uint8Array): Record<string, unknown> {
  if (jsonOf.size === 0) index(onnxSchema as NodeJson, '');
  if (!jsonOf.has(name)) throw new Error(`schema has no message ${name}`);
  return decodeMessage(new Reader(bytes, bytes.length), messageType(name), bytes.length, view(bytes), 0);
}
