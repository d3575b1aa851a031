/**
 * Which kernel runs a trace by default, and which kernel recomputes a trace's exact values: the one named in
 * its meta, so a recomputed step is bit-identical to the recorded run (kernels differ in the last bits).
 */
import type { Kernel } from '../kernel';
import { UnrollError } from '../types';
import { createFastKernel, type FastKernel } from '../wasm/index';
import { referenceKernel } from './reference';
import { tiledKernel } from './tiled';

let fast: FastKernel | undefined;

/**
 * The engine's default kernel in this thread: wasm SIMD (one thread) where the host has it, else the
 * register-tiled TypeScript kernel. One per thread: it keeps recently used weights resident in its memory.
 */
export function defaultKernel(): Kernel {
  return (fast ??= createFastKernel());
}

/** The kernel with the arithmetic a trace was recorded with (`TraceMeta.kernel`). */
export function kernelNamed(name: string): Kernel {
  if (name === referenceKernel.name) return referenceKernel;
  if (name === tiledKernel.name) return tiledKernel;
  const k = defaultKernel();
  if (name === k.name) return k;
  if (name.startsWith('wasm-simd')) {
    throw new UnrollError(`this trace was computed with WebAssembly SIMD, which this host cannot run, so its exact values cannot be recomputed here`);
  }
  throw new UnrollError(`this trace was computed by an unknown kernel '${name}'; its exact values cannot be recomputed here`);
}
