// Draws media/icon.png (128x128): an unrolled recurrent chain — four cells linked left to right, each
// with an input below. Pure Node (zlib PNG encoder, 4x4 supersampling), so it needs no image tools.
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const N = 128;
const SS = 4;
const BG = [30, 41, 59];
const CELL = [56, 189, 248];
const LINK = [250, 204, 21];
const INPUT = [148, 163, 184];

function rgbaAt(x, y) {
  // Rounded-square background.
  const r = 22;
  const cx = Math.min(Math.max(x, r), N - r);
  const cy = Math.min(Math.max(y, r), N - r);
  if ((x - cx) ** 2 + (y - cy) ** 2 > r * r) return [0, 0, 0, 0];
  const cells = [22, 50, 78, 106];
  const cellY = 56;
  for (const c of cells) {
    if (Math.abs(x - c) <= 10 && Math.abs(y - cellY) <= 10) return [...CELL, 255];
  }
  // Recurrent links between neighbouring cells (h_t, C_t flowing right).
  for (let i = 0; i + 1 < cells.length; i++) {
    if (x > cells[i] + 10 && x < cells[i + 1] - 10 && Math.abs(y - cellY) <= 2.5) return [...LINK, 255];
  }
  // Inputs x_t entering from below, and outputs leaving above.
  for (const c of cells) {
    if (Math.abs(x - c) <= 2 && y > cellY + 10 && y < 96) return [...INPUT, 255];
    if ((x - c) ** 2 + (y - 100) ** 2 <= 16) return [...INPUT, 255];
    if (Math.abs(x - c) <= 2 && y < cellY - 10 && y > 28) return [...LINK, 255];
  }
  return [...BG, 255];
}

const raw = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++) {
  raw[y * (N * 4 + 1)] = 0; // filter: none
  for (let x = 0; x < N; x++) {
    const acc = [0, 0, 0, 0];
    for (let sy = 0; sy < SS; sy++) {
      for (let sx = 0; sx < SS; sx++) {
        const p = rgbaAt(x + (sx + 0.5) / SS, y + (sy + 0.5) / SS);
        for (let k = 0; k < 3; k++) acc[k] += p[k] * p[3];
        acc[3] += p[3];
      }
    }
    const o = y * (N * 4 + 1) + 1 + x * 4;
    for (let k = 0; k < 3; k++) raw[o + k] = acc[3] ? Math.round(acc[k] / acc[3]) : 0;
    raw[o + 3] = Math.round(acc[3] / (SS * SS));
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0);
ihdr.writeUInt32BE(N, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0)),
]);
const out = path.join(__dirname, '..', 'media', 'icon.png');
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, png);
console.log(`wrote ${path.relative(process.cwd(), out)} (${png.length} bytes)`);
