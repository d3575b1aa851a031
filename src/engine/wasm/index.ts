/**
 * The engine's fast kernel: WebAssembly SIMD where the host has it (with a second thread at large hidden
 * sizes), else the register-tiled TypeScript kernel. Both pass every reference fixture.
 */
import type { Kernel } from '../kernel';
import { tiledKernel } from '../kernels/tiled';
import { WasmKernel, wasmSimdAvailable } from './wasmKernel';

export { WasmKernel, wasmSimdAvailable } from './wasmKernel';

export interface FastKernelOptions {
  /** 2 = split each step of large layers (H ≥ 512) across a helper worker thread; default 1. */
  threads?: 1 | 2;
}

/** A kernel with a `dispose()` that ends its helper thread, if any, and the threads it may use. */
export type FastKernel = Kernel & { dispose(): void; readonly threads: number };

export function createFastKernel(opts: FastKernelOptions = {}): FastKernel {
  if (!wasmSimdAvailable()) return Object.assign(Object.create(tiledKernel) as Kernel, { threads: 1, dispose() {} });
  if ((opts.threads ?? 1) > 1) {
    try {
      // Loaded lazily: hosts without worker_threads still get the one-thread kernel.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { duoTeam } = require('./team') as typeof import('./team');
      return new WasmKernel(duoTeam());
    } catch {
      // no worker_threads here: fall through to one thread
    }
  }
  return new WasmKernel();
}
