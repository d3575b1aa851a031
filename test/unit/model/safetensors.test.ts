/**
 * safetensors reader: every dtype decoded to the values the bytes stand for (bytes built by hand here,
 * not by our writer), the fixtures' own files, and malformed files rejected with one clear line.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { UnrollError } from '../../../src/engine/types';
import { MAX_HEADER_BYTES, readSafetensors, writeSafetensors } from '../../../src/model/safetensors';
import { REFERENCE, readFixture } from '../engine/helpers';

/** Hand-made file: header JSON (unpadded) + data bytes. */
function file(header: unknown, data: number[] | Uint8Array, headerLen?: bigint): Uint8Array {
  const h = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, headerLen ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function rejects(bytes: Uint8Array, re: RegExp): void {
  assert.throws(() => readSafetensors(bytes, 'm.safetensors'), (e: Error) => e instanceof UnrollError && re.test(e.message) && e.message.startsWith('m.safetensors: not a valid safetensors file') && !e.message.includes('\n'));
}

describe('model: safetensors', () => {
  it('decodes F16 (normal, subnormal, max, negative), BF16 and F64 exactly', () => {
    // F16 LE: 0x3c00 = 1, 0xc000 = −2, 0x7bff = 65504, 0x0001 = 2^−24, 0x3555 = 0.333251953125
    const f16 = [0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b, 0x01, 0x00, 0x55, 0x35];
    // BF16 LE: 0x3fc0 = 1.5, 0xbf80 = −1
    const bf16 = [0xc0, 0x3f, 0x80, 0xbf];
    const f64 = new Uint8Array(new Float64Array([0.1, -3]).buffer);
    const bytes = file(
      { __metadata__: { format: 'pt' }, a: { dtype: 'F16', shape: [5], data_offsets: [0, 10] }, b: { dtype: 'BF16', shape: [2, 1], data_offsets: [10, 14] }, c: { dtype: 'F64', shape: [2], data_offsets: [14, 30] } },
      [...f16, ...bf16, ...f64],
    );
    const m = readSafetensors(bytes);
    assert.deepStrictEqual([...m.keys()], ['a', 'b', 'c']);
    assert.deepStrictEqual(Array.from(m.get('a')!.data), [1, -2, 65504, 2 ** -24, 0.333251953125]);
    assert.deepStrictEqual(m.get('b')!.shape, [2, 1]);
    assert.deepStrictEqual(Array.from(m.get('b')!.data), [1.5, -1]);
    assert.deepStrictEqual(Array.from(m.get('c')!.data), [Math.fround(0.1), -3]);
  });

  it('reads an unaligned F32 tensor and a zero-size tensor', () => {
    const v = new Uint8Array(new Float32Array([2.5, -0.75]).buffer);
    const m = readSafetensors(file({ z: { dtype: 'F32', shape: [0, 3], data_offsets: [0, 0] }, w: { dtype: 'F32', shape: [2], data_offsets: [1, 9] } }, [0, ...v]));
    assert.deepStrictEqual(Array.from(m.get('w')!.data), [2.5, -0.75]);
    assert.strictEqual(m.get('z')!.data.length, 0);
  });

  it('reads a fixture file: names and shapes match the fixture metadata', () => {
    const doc = readFixture('lstm_proj_i3_h5_p2_t5_l2_bi');
    const m = readSafetensors(fs.readFileSync(path.join(REFERENCE, doc.weights.file)));
    const shapes = Object.fromEntries([...m].map(([k, t]) => [k, t.shape]));
    assert.deepStrictEqual(shapes, doc.weights.tensors);
  });

  it('writer output reads back bit for bit (8-byte aligned header)', () => {
    const t = new Map([['x.y', { shape: [2, 2], data: Float32Array.from([1e-30, -0, 3.25, 7]) }]]);
    const bytes = writeSafetensors(t, { note: 'é' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.strictEqual((8 + n) % 8, 0);
    assert.deepStrictEqual(readSafetensors(bytes), t);
  });

  const ok = { dtype: 'F32', shape: [2], data_offsets: [0, 8] };
  it('rejects a file shorter than its length prefix', () => rejects(new Uint8Array(5), /shorter than the 8-byte header length/));
  it('rejects a truncated file', () => rejects(file({ w: ok }, [0, 0, 0, 0, 0, 0]), /lie outside the 6 data bytes/));
  it('rejects a header length past the end', () => rejects(file({ w: ok }, [], 4000n), /runs past the end/));
  it('rejects a huge header length without allocating it', () => rejects(file({}, [], BigInt(MAX_HEADER_BYTES) + 1n), /exceeds the 100000000-byte limit/));
  it('rejects a 2^64−1 header length', () => rejects(file({}, [], 0xffffffffffffffffn), /exceeds/));
  it('rejects a header that is not JSON', () => rejects(file('{"w": ', []), /not valid UTF-8 JSON/));
  it('rejects a header that is a JSON array', () => rejects(file('[1]', []), /not a JSON object/));
  it('rejects an unknown dtype', () => rejects(file({ w: { ...ok, dtype: 'I64' } }, new Uint8Array(8)), /'w' has dtype I64; supported: F32, F16, BF16, F64/));
  it('rejects offsets that disagree with the shape', () => rejects(file({ w: { ...ok, shape: [3] } }, new Uint8Array(8)), /holds 8 bytes but shape \[3\] of F32 needs 12/));
  it('rejects reversed offsets', () => rejects(file({ w: { ...ok, data_offsets: [8, 0] } }, new Uint8Array(8)), /lie outside/));
  it('rejects negative or fractional offsets', () => rejects(file({ w: { ...ok, data_offsets: [-4, 4] } }, new Uint8Array(8)), /invalid data_offsets/));
  it('rejects an invalid shape', () => rejects(file({ w: { ...ok, shape: [-2] } }, new Uint8Array(8)), /invalid shape/));
  it('rejects overlapping tensors', () => rejects(file({ a: { ...ok, data_offsets: [0, 8] }, b: { ...ok, data_offsets: [4, 12] } }, new Uint8Array(12)), /'a' and 'b' overlap/));
});
