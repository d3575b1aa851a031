/**
 * Writers for exported tensors: NumPy .npy (format 1.0, little-endian float32, C order) and CSV with
 * float32 values printed in their shortest round-trip form (parseFloat then Math.fround gives back the
 * exact stored value). Pure: they return bytes / text, the caller decides where they go.
 */

/** .npy bytes of a float32 tensor of `shape` (row-major). */
export function writeNpy(values: Float32Array, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (!shape.every((d) => Number.isInteger(d) && d >= 0) || count !== values.length) {
    throw new RangeError(`shape [${shape.join(', ')}] does not hold ${values.length} values`);
  }
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  // Magic (6) + version (2) + length (2) + header + '\n' is padded with spaces to a multiple of 64.
  const pad = (64 - ((10 + header.length + 1) % 64)) % 64;
  header = header + ' '.repeat(pad) + '\n';
  const out = new Uint8Array(10 + header.length + values.length * 4);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0); // \x93NUMPY v1.0
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const dv = new DataView(out.buffer, 10 + header.length);
  for (let i = 0; i < values.length; i++) dv.setFloat32(i * 4, values[i], true);
  return out;
}

/** Shortest decimal text that reads back (as float32) to exactly `v`. */
export function float32Text(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  const f = Math.fround(v);
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  for (let p = 1; p <= 9; p++) {
    const s = String(Number(f.toPrecision(p)));
    if (Math.fround(Number(s)) === f) return s;
  }
  return String(f);
}

/**
 * CSV of a steps × width tensor: a header row (`step`, `token`, then one column per unit), one row per
 * step. Tokens are quoted per RFC 4180 so commas, quotes and newlines in the text survive.
 */
export function writeCsv(values: Float32Array, steps: number, width: number, opts: { t0?: number; tokens?: readonly string[]; unitPrefix?: string } = {}): string {
  if (values.length !== steps * width) throw new RangeError(`${values.length} values do not fill ${steps} × ${width}`);
  const t0 = opts.t0 ?? 0;
  const prefix = opts.unitPrefix ?? 'u';
  const lines: string[] = [];
  const head = ['step', ...(opts.tokens ? ['token'] : [])];
  for (let u = 0; u < width; u++) head.push(`${prefix}${u}`);
  lines.push(head.join(','));
  for (let r = 0; r < steps; r++) {
    const cells: string[] = [String(t0 + r)];
    if (opts.tokens) cells.push(csvQuote(opts.tokens[t0 + r] ?? ''));
    for (let u = 0; u < width; u++) cells.push(float32Text(values[r * width + u]));
    lines.push(cells.join(','));
  }
  return lines.join('\n') + '\n';
}

export function csvQuote(s: string): string {
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
