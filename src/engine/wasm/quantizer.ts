/**
 * A SIMD drop-in for the Trace's 8-bit store (src/engine/quantize.ts: finiteRange, quantizeRows) with the
 * same signatures and bit-identical results. The JavaScript versions cost ~6–9 ns per value here, more
 * than the wasm kernel spends computing the value; these copy the rows into wasm memory and run at well
 * under 1 ns per value.
 */
import { QMAX, finiteRange as finiteRangeJs } from '../quantize';
import { kernelModule, newMemory } from './wasmKernel';

interface QuantizeExports {
  range_rows(src: number, rows: number, width: number, stride: number, out: number): void;
  quantize_rows(src: number, rows: number, width: number, stride: number, lo: number, scale: number, dst: number): void;
}

export interface Quantizer {
  finiteRange(src: Float32Array, rows: number, width: number, stride: number, off: number): [number, number];
  quantizeRows(src: Float32Array, rows: number, width: number, stride: number, off: number, lo: number, hi: number, dst: Uint8Array, dstOff: number): void;
}

const PAGE = 65536;
const OUT = 0; // two float32 results of range_rows
const DATA = 64;

export function createSimdQuantizer(): Quantizer {
  const memory = newMemory();
  const ex = new WebAssembly.Instance(kernelModule(), { env: { memory } }).exports as unknown as QuantizeExports;
  let f32 = new Float32Array(memory.buffer);
  let u8 = new Uint8Array(memory.buffer);
  /** Copy the strided rows' span into wasm memory; returns the byte offset of the output area. */
  const load = (src: Float32Array, rows: number, width: number, stride: number, off: number): number => {
    const span = rows > 0 ? (rows - 1) * stride + width : 0;
    const outAt = DATA + Math.ceil((span * 4) / 16) * 16;
    const need = outAt + rows * width;
    if (need > f32.byteLength) {
      memory.grow(Math.ceil((need - f32.byteLength) / PAGE));
      f32 = new Float32Array(memory.buffer);
      u8 = new Uint8Array(memory.buffer);
    }
    f32.set(src.subarray(off, off + span), DATA >> 2);
    return outAt;
  };
  return {
    finiteRange(src, rows, width, stride, off) {
      load(src, rows, width, stride, off);
      ex.range_rows(DATA, rows, width, stride * 4, OUT);
      const lo = f32[OUT >> 2];
      const hi = f32[(OUT >> 2) + 1];
      // ±inf or nothing but NaN: the finite-only second pass is rare, leave it to the JS version
      if (!Number.isFinite(lo) || !Number.isFinite(hi)) return finiteRangeJs(src, rows, width, stride, off);
      return [lo, hi];
    },
    quantizeRows(src, rows, width, stride, off, lo, hi, dst, dstOff) {
      const outAt = load(src, rows, width, stride, off);
      ex.quantize_rows(DATA, rows, width, stride * 4, lo, hi > lo ? QMAX / (hi - lo) : 0, outAt);
      dst.set(u8.subarray(outAt, outAt + rows * width), dstOff);
    },
  };
}
