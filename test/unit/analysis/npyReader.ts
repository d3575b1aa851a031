/** An independent .npy reader for tests (format 1.0/2.0, '<f4' only): magic, header dict, data. */
export function parseNpy(bytes: Uint8Array): { descr: string; shape: number[]; fortran: boolean; values: Float32Array } {
  const magic = String.fromCharCode(...bytes.subarray(1, 6));
  if (bytes[0] !== 0x93 || magic !== 'NUMPY') throw new Error('not an .npy file');
  const major = bytes[6];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder('latin1').decode(bytes.subarray(start, start + hlen));
  if ((start + hlen) % 64 !== 0) throw new Error(`data offset ${start + hlen} is not 64-byte aligned`);
  if (!header.endsWith('\n')) throw new Error('header must end with a newline');
  const descr = /'descr':\s*'([^']+)'/.exec(header)![1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)![1].split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new DataView(bytes.buffer, bytes.byteOffset + start + hlen);
  if (data.byteLength !== n * 4) throw new Error(`expected ${n * 4} data bytes, got ${data.byteLength}`);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = data.getFloat32(i * 4, true);
  return { descr, shape, fortran, values };
}
