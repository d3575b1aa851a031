/**
 * A two-thread team for the wasm kernel: the calling thread plus one helper worker_thread that shares the
 * kernel's memory. Per chunk the caller posts a job in a small shared control block and runs its own half;
 * inside the job the two meet at one barrier per step (in wasm, spinning: a step is tens of microseconds).
 * The helper never returns to its event loop while alive, so it is unref'd and never delays process exit.
 */
import { Worker } from 'worker_threads';
import { kernelModule, newMemory, soloTeam, type ChunkJob, type KernelExports, type Team } from './wasmKernel';

const GEMMS = ['gemm_v1', 'gemm_v3', 'gemm_v4'] as const;
const STEPS = ['steps_rnn', 'steps_lstm', 'steps_gru', 'steps_gru_cho'] as const;
// ctrl (Int32): [0] job sequence (−1 = stop), [1] gemm, [2] steps, [3] desc, [4..5] blocks, [6..12] gemm args
const HELPER = `
const { workerData } = require('worker_threads');
const { module, memory, ctrl, gemms, steps } = workerData;
const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
const c = new Int32Array(ctrl);
let seen = 0;
for (;;) {
  Atomics.wait(c, 0, seen);
  seen = Atomics.load(c, 0);
  if (seen < 0) break;
  ex[gemms[c[1]]](c[6], c[7], c[8], c[9], c[10], c[11], c[12], c[4], c[5]);
  ex[steps[c[2]]](c[3]);
}
`;

class DuoTeam implements Team {
  readonly threads = 2;
  readonly exports: KernelExports;
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(64));
  private readonly worker: Worker;

  constructor(readonly memory: WebAssembly.Memory) {
    this.exports = soloTeam(memory).exports;
    this.worker = new Worker(HELPER, {
      eval: true,
      workerData: { module: kernelModule(), memory, ctrl: this.ctrl.buffer, gemms: GEMMS, steps: STEPS },
    });
    this.worker.unref();
  }

  run(job: ChunkJob): void {
    if (job.desc.length < 2) {
      this.exports[job.gemm](...job.gemmArgs, ...job.blocks[0]);
      this.exports[job.steps](job.desc[0]);
      return;
    }
    const c = this.ctrl;
    c[1] = GEMMS.indexOf(job.gemm);
    c[2] = STEPS.indexOf(job.steps);
    c[3] = job.desc[1];
    [c[4], c[5]] = job.blocks[1];
    job.gemmArgs.forEach((v, i) => (c[6 + i] = v));
    Atomics.add(c, 0, 1);
    Atomics.notify(c, 0);
    this.exports[job.gemm](...job.gemmArgs, ...job.blocks[0]);
    // The step loop's barriers keep both threads in lockstep; the last one ends the job for both.
    this.exports[job.steps](job.desc[0]);
  }

  dispose(): void {
    Atomics.store(this.ctrl, 0, -1);
    Atomics.notify(this.ctrl, 0);
  }
}

/** Two threads sharing one memory (needs worker_threads and SharedArrayBuffer). */
export function duoTeam(memory = newMemory()): Team {
  return new DuoTeam(memory);
}
