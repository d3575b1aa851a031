/**
 * Adam (Kingma & Ba 2015) with global gradient-norm clipping, over a flat list of float64 tensors.
 * Bias-corrected moments, as torch.optim.Adam (no weight decay).
 */
export interface AdamConfig {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

export class Adam {
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];
  private t = 0;

  constructor(private readonly params: Float64Array[]) {
    this.m = params.map((p) => new Float64Array(p.length));
    this.v = params.map((p) => new Float64Array(p.length));
  }

  get stepCount(): number {
    return this.t;
  }

  step(grads: Float64Array[], cfg: AdamConfig): void {
    const b1 = cfg.beta1 ?? 0.9;
    const b2 = cfg.beta2 ?? 0.999;
    const eps = cfg.eps ?? 1e-8;
    this.t++;
    const c1 = 1 - Math.pow(b1, this.t);
    const c2 = 1 - Math.pow(b2, this.t);
    for (let k = 0; k < this.params.length; k++) {
      const p = this.params[k];
      const g = grads[k];
      const m = this.m[k];
      const v = this.v[k];
      for (let j = 0; j < p.length; j++) {
        m[j] = b1 * m[j] + (1 - b1) * g[j];
        v[j] = b2 * v[j] + (1 - b2) * g[j] * g[j];
        p[j] -= (cfg.lr * (m[j] / c1)) / (Math.sqrt(v[j] / c2) + eps);
      }
    }
  }
}

/** L2 norm over all tensors. */
export function globalNorm(grads: Float64Array[]): number {
  let s = 0;
  for (const g of grads) for (let j = 0; j < g.length; j++) s += g[j] * g[j];
  return Math.sqrt(s);
}

/** Scale gradients so their global norm is at most maxNorm (torch.nn.utils.clip_grad_norm_); returns the norm before. */
export function clipGradNorm(grads: Float64Array[], maxNorm: number): number {
  const n = globalNorm(grads);
  if (maxNorm > 0 && n > maxNorm) {
    const s = maxNorm / (n + 1e-6);
    for (const g of grads) for (let j = 0; j < g.length; j++) g[j] *= s;
  }
  return n;
}
