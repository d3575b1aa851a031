/**
 * Training a next-token model with the engine's own BPTT: Adam, global gradient clipping, truncated
 * BPTT over chunks (B parallel streams through the token sequence, each carrying its state from one
 * chunk to the next, detached), cosine learning-rate decay, seeded and reproducible.
 *
 * Safe to cancel: the caller's Network is never mutated; a finished run returns NEW weights, a cancelled
 * or diverged run returns none, so the previous weights stay intact and nothing is half-written.
 * Pure: the caller passes the tokens and, for a worker, a `tick` that yields to its event loop.
 */
import type { DirectionWeights, Network } from '../types';
import { UnrollError, numDirections, outputSize } from '../types';
import { backwardNetwork, decoderParamsOf, forwardNetwork, paramsOf, topOutput, type DecoderParams, type Params } from '../grad/network';
import { dotRows } from '../grad/rows';
import { Adam, clipGradNorm } from './adam';
import { Prng } from './prng';

export interface TrainConfig {
  steps: number;
  /** Parallel streams per step (gradients averaged over them). */
  batch: number;
  /** Truncated BPTT length in tokens. */
  chunk: number;
  lr: number;
  /** Final learning rate of the cosine schedule (default lr, i.e. constant). */
  lrFinal?: number;
  /** Global gradient-norm clip (0 = none). */
  clip: number;
  seed: number;
  /** Stop after this many steps while keeping the schedule of `steps` (reproduces a deadline-cut run). */
  stopAfter?: number;
}

export interface TrainProgress {
  step: number;
  steps: number;
  /** Mean cross-entropy of this step's batch (nats per token). */
  loss: number;
  gradNorm: number;
  lr: number;
}

export interface TrainHooks {
  onProgress?: (p: TrainProgress) => void;
  /** Checked every step; when aborted the run stops and returns no weights. */
  signal?: { readonly aborted: boolean };
  /** Awaited every `tickEvery` steps so a worker can receive a cancel message. */
  tick?: () => Promise<void>;
  tickEvery?: number;
  /** Computes the streams' chunks elsewhere (worker threads); must equal runStreamJob on each job. */
  runJobs?: (params: Float64Array[], jobs: StreamJob[]) => Promise<StreamResult[]>;
  /** Asked after every step; true ends the run early WITH the weights so far (e.g. a wall-clock deadline). */
  finishEarly?: (step: number) => boolean;
  /**
   * Periodic snapshots: after every step `due(step)` is asked; when true, `save` receives a copy of the
   * weights so far (training continues unchanged, so checkpoints never alter the result).
   */
  checkpoint?: { due: (step: number) => boolean; save: (net: Network, step: number, losses: readonly number[]) => void | Promise<void> };
}

export type TrainResult =
  | { status: 'done'; net: Network; losses: number[]; steps: number }
  | { status: 'cancelled'; losses: number[]; steps: number }
  | { status: 'nan'; losses: number[]; steps: number; message: string };

/** Every trainable tensor in one fixed order (layers, directions, W R bW bR [P] [Wproj], decoder W b). */
export function flattenParams(params: Params, dec: DecoderParams): Float64Array[] {
  const out: Float64Array[] = [];
  for (const row of params) for (const p of row) out.push(p.W, p.R, p.bW, p.bR, ...(p.P ? [p.P] : []), ...(p.Wproj ? [p.Wproj] : []));
  out.push(dec.W, dec.b);
  return out;
}

/** The inverse of flattenParams for a network shaped like `base` (used by training worker threads). */
export function paramsFromFlat(base: Network, flat: Float64Array[]): { params: Params; dec: DecoderParams } {
  let k = 0;
  const params: Params = base.layers.map((row) =>
    row.map((w) => ({ W: flat[k++], R: flat[k++], bW: flat[k++], bR: flat[k++], P: w.P ? flat[k++] : undefined, Wproj: w.Wproj ? flat[k++] : undefined })),
  );
  return { params, dec: { W: flat[k++], b: flat[k++], vocabSize: base.decoder!.vocabSize } };
}

/** One stream's chunk: inputs x_t, targets y_t and the state carried in from its previous chunk. */
export interface StreamJob {
  x: Int32Array;
  y: Int32Array;
  h0?: Float64Array[];
  c0?: Float64Array[];
}

export interface StreamResult {
  loss: number;
  /** Gradients in flattenParams order. */
  grads: Float64Array[];
  /** Final state, carried into the stream's next chunk (detached: no gradient crosses the boundary). */
  h0: Float64Array[];
  c0?: Float64Array[];
}

export function runStreamJob(base: Network, params: Params, dec: DecoderParams, job: StreamJob): StreamResult {
  const T = job.x.length;
  const L = base.shape.numLayers;
  const D = numDirections(base.shape);
  const Out = outputSize(base.cell, base.shape);
  const H = base.shape.hiddenSize;
  const caches = forwardNetwork(base, params, { steps: T, x: null, tokens: job.x }, job);
  const g = backwardNetwork(base, params, caches, { nllTargets: job.y }, dec);
  const grads: Float64Array[] = [];
  for (const row of g.weights) for (const w of row) for (const a of [w.W, w.R, w.bW, w.bR, w.P, w.Wproj]) if (a) grads.push(a);
  grads.push(g.decoder!.W, g.decoder!.b);
  const last = (r: number) => caches[(r / D) | 0][r % D];
  return {
    loss: g.lossValue,
    grads,
    h0: Array.from({ length: L * D }, (_, r) => last(r).h.slice((T - 1) * Out, T * Out)),
    c0: base.cell.family === 'lstm' ? Array.from({ length: L * D }, (_, r) => last(r).c.slice((T - 1) * H, T * H)) : undefined,
  };
}

/** Float64 training parameters → a new float32 Network (the caller's network is untouched). */
export function networkFromParams(base: Network, params: Params, dec: DecoderParams, source: string): Network {
  const f32 = (a: Float64Array | undefined) => (a ? Float32Array.from(a) : undefined);
  const layers: DirectionWeights[][] = params.map((row) =>
    row.map((p) => ({ W: f32(p.W)!, R: f32(p.R)!, bW: f32(p.bW)!, bR: f32(p.bR)!, P: f32(p.P), Wproj: f32(p.Wproj) })),
  );
  return { ...base, layers, decoder: { W: f32(dec.W)!, b: f32(dec.b)!, vocabSize: dec.vocabSize }, source };
}

export async function trainNextToken(base: Network, tokens: Int32Array, cfg: TrainConfig, hooks: TrainHooks = {}): Promise<TrainResult> {
  if (!base.decoder) throw new UnrollError('training needs a model with a decoder (next-token logits)');
  if (base.shape.bidirectional) throw new UnrollError('next-token training needs a unidirectional model');
  const { batch: B, chunk: T } = cfg;
  if (tokens.length < B * (T + 1)) throw new UnrollError(`the corpus has ${tokens.length} tokens, too few for ${B} streams of ${T + 1}`);
  const params = paramsOf(base);
  const dec = decoderParamsOf(base)!;
  const flat = flattenParams(params, dec);
  const opt = new Adam(flat);
  const rng = new Prng(cfg.seed);
  // Streams start evenly spaced with a seeded jitter; each keeps its own h/C between chunks.
  const span = Math.floor(tokens.length / B);
  const pos = Array.from({ length: B }, (_, b) => b * span + rng.int(Math.max(1, span - T - 1)));
  const state: { h0?: Float64Array[]; c0?: Float64Array[] }[] = Array.from({ length: B }, () => ({}));
  const losses: number[] = [];
  const sum = flat.map((p) => new Float64Array(p.length));
  for (let step = 0; step < cfg.steps; step++) {
    if (hooks.signal?.aborted) return { status: 'cancelled', losses, steps: step };
    if (hooks.tick && step % (hooks.tickEvery ?? 1) === 0) await hooks.tick();
    if (hooks.signal?.aborted) return { status: 'cancelled', losses, steps: step };
    const jobs: StreamJob[] = [];
    for (let b = 0; b < B; b++) {
      if (pos[b] + T + 1 > tokens.length) {
        pos[b] = rng.int(span); // wrapped: restart from a fresh state
        state[b] = {};
      }
      jobs.push({ x: tokens.slice(pos[b], pos[b] + T), y: tokens.slice(pos[b] + 1, pos[b] + T + 1), ...state[b] });
      pos[b] += T;
    }
    const results = hooks.runJobs ? await hooks.runJobs(flat, jobs) : jobs.map((j) => runStreamJob(base, params, dec, j));
    if (hooks.signal?.aborted) return { status: 'cancelled', losses, steps: step };
    // Summed in stream order whoever computed them, so threads do not change a single bit.
    for (const s of sum) s.fill(0);
    let loss = 0;
    results.forEach((r, b) => {
      loss += r.loss / B;
      r.grads.forEach((g, k) => addScaled(sum[k], g, 1 / B));
      state[b] = { h0: r.h0, c0: r.c0 };
    });
    const gradNorm = clipGradNorm(sum, cfg.clip);
    if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
      return { status: 'nan', losses, steps: step, message: `training diverged at step ${step + 1}: loss ${loss}, gradient norm ${gradNorm}; lower the learning rate or the clip` };
    }
    const lrFinal = cfg.lrFinal ?? cfg.lr;
    const lr = lrFinal + 0.5 * (cfg.lr - lrFinal) * (1 + Math.cos((Math.PI * step) / Math.max(1, cfg.steps - 1)));
    opt.step(sum, { lr });
    losses.push(loss);
    hooks.onProgress?.({ step: step + 1, steps: cfg.steps, loss, gradNorm, lr });
    if (hooks.checkpoint?.due(step + 1)) {
      await hooks.checkpoint.save(networkFromParams(base, params, dec, `checkpoint (seed ${cfg.seed}, ${step + 1} of ${cfg.steps} steps)`), step + 1, losses);
    }
    if ((cfg.stopAfter && step + 1 >= cfg.stopAfter) || hooks.finishEarly?.(step + 1)) {
      return { status: 'done', net: networkFromParams(base, params, dec, `trained (seed ${cfg.seed}, ${step + 1} of ${cfg.steps} steps)`), losses, steps: step + 1 };
    }
  }
  return { status: 'done', net: networkFromParams(base, params, dec, `trained (seed ${cfg.seed}, ${cfg.steps} steps)`), losses, steps: cfg.steps };
}

function addScaled(dst: Float64Array, src: Float64Array, s: number): void {
  for (let j = 0; j < dst.length; j++) dst[j] += s * src[j];
}

/**
 * Mean next-token cross-entropy (nats) of a whole token sequence run as ONE continuous sequence from a
 * zero state (chunked only to bound memory; the state carries across chunks). Optionally records
 * every step's C_t (LSTM) or h_t for interpretability.
 */
export function evaluateNextToken(net: Network, tokens: Int32Array, opts: { chunk?: number; record?: 'c' | 'h' } = {}) {
  if (!net.decoder) throw new UnrollError('evaluation needs a model with a decoder');
  const params = paramsOf(net);
  const dec = decoderParamsOf(net)!;
  const chunk = opts.chunk ?? 512;
  const D = numDirections(net.shape);
  const Out = outputSize(net.cell, net.shape);
  const H = net.shape.hiddenSize;
  const L = net.shape.numLayers;
  const lstm = net.cell.family === 'lstm';
  const width = D * Out;
  const V = dec.vocabSize;
  const recW = opts.record === 'c' ? H : Out;
  const record = opts.record ? new Float32Array(tokens.length * recW) : null;
  let init: { h0?: Float64Array[]; c0?: Float64Array[] } = {};
  let total = 0;
  let count = 0;
  const z = new Float64Array(V);
  for (let s = 0; s < tokens.length; s += chunk) {
    const T = Math.min(chunk, tokens.length - s);
    const caches = forwardNetwork(net, params, { steps: T, x: null, tokens: tokens.subarray(s, s + T) }, init);
    const out = topOutput(caches);
    for (let t = 0; t < T && s + t + 1 < tokens.length; t++) {
      let mx = -Infinity;
      dotRows(dec.W, width, 0, V, out, t * width, dec.b, z, 0);
      for (let v = 0; v < V; v++) if (z[v] > mx) mx = z[v];
      let e = 0;
      for (let v = 0; v < V; v++) e += Math.exp(z[v] - mx);
      total += mx + Math.log(e) - z[tokens[s + t + 1]];
      count++;
    }
    const top = caches[L - 1][0];
    if (record) record.set(opts.record === 'c' ? top.c : top.h, s * recW);
    init = {
      h0: Array.from({ length: L * D }, (_, r) => caches[(r / D) | 0][r % D].h.slice((T - 1) * Out, T * Out)),
      c0: lstm ? Array.from({ length: L * D }, (_, r) => caches[(r / D) | 0][r % D].c.slice((T - 1) * H, T * H)) : undefined,
    };
  }
  return { meanNll: count ? total / count : NaN, count, record, recordWidth: recW };
}
