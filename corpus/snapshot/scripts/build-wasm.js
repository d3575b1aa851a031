// Builds src/engine/wasm/kernel.wasm from the WAT generator with the npm `wabt` assembler (no toolchain
// download). The output is deterministic (no names section, no timestamps), so the committed binary is
// checked by test/unit/wasm to equal a fresh build. Usage: node scripts/build-wasm.js [--check]
const fs = require('fs');
const path = require('path');
const { generateWat } = require('../src/engine/wasm/kernel.wat.js');

const OUT = path.join(__dirname, '..', 'src', 'engine', 'wasm', 'kernel.wasm');

async function buildWasm() {
  const wabt = await require('wabt')();
  const wat = generateWat();
  const features = { simd: true, threads: true, sat_float_to_int: true };
  const mod = wabt.parseWat('kernel.wat', wat, features);
  try {
    mod.validate(features);
    return Buffer.from(mod.toBinary({ log: false, write_debug_names: false }).buffer);
  } finally {
    mod.destroy();
  }
}

/** Writes kernel.wasm if its bytes changed; returns true when it was (re)written. */
async function writeWasm() {
  const bytes = await buildWasm();
  if (fs.existsSync(OUT) && Buffer.compare(fs.readFileSync(OUT), bytes) === 0) return false;
  fs.writeFileSync(OUT, bytes);
  return true;
}

module.exports = { buildWasm, writeWasm, OUT };

if (require.main === module) {
  const check = process.argv.includes('--check');
  (check ? buildWasm().then((b) => fs.existsSync(OUT) && Buffer.compare(fs.readFileSync(OUT), b) === 0) : writeWasm())
    .then((r) => {
      if (check && !r) { console.error('kernel.wasm is stale: run node scripts/build-wasm.js'); process.exit(1); }
      console.log(check ? 'kernel.wasm up to date' : r ? `wrote ${path.relative(process.cwd(), OUT)}` : 'kernel.wasm unchanged');
    })
    .catch((e) => { console.error(String(e.message || e).split('\n').slice(0, 8).join('\n')); process.exit(1); });
}
