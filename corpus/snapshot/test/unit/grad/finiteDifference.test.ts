/**
 * Central finite differences of the float64 loss against the analytic BPTT gradients, one small random
 * network per cell kind (including the variants no fixture covers: keep-forget CIFG, ONNX clip), with a
 * loss on h_t, C_t and a decoder cross-entropy, for every weight tensor, the input and the initial states.
 */
import * as assert from 'assert';
import type { CellSpec, DirectionWeights, Network } from '../../../src/engine/types';
import { gateCount, layerInputSize, numDirections, outputSize } from '../../../src/engine/types';
import { backwardNetwork, decoderParamsOf, forwardNetwork, paramsOf, type LossSpec } from '../../../src/engine/grad/network';
import { Prng } from '../../../src/engine/train/prng';

function cell(over: Partial<CellSpec> & Pick<CellSpec, 'family'>): CellSpec {
  return { nonlinearity: 'tanh', peephole: false, coupling: 'none', resetAfter: true, projSize: 0, ...over };
}

function randomNet(c: CellSpec, In: number, H: number, L: number, bi: boolean, rng: Prng, scale = 0.6): Network {
  const shape = { inputSize: In, hiddenSize: H, numLayers: L, bidirectional: bi };
  const G = gateCount(c.family);
  const Out = outputSize(c, shape);
  const r = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-scale, scale));
  const layers: DirectionWeights[][] = [];
  for (let l = 0; l < L; l++) {
    const row: DirectionWeights[] = [];
    for (let d = 0; d < numDirections(shape); d++)
      row.push({
        W: r(G * H * layerInputSize(c, shape, l)),
        R: r(G * H * Out),
        bW: r(G * H),
        bR: r(G * H),
        P: c.peephole ? r(3 * H) : undefined,
        Wproj: c.projSize ? r(Out * H) : undefined,
      });
    layers.push(row);
  }
  const V = 5;
  return { cell: c, shape, layers, decoder: { W: r(V * numDirections(shape) * Out), b: r(V), vocabSize: V }, source: 'test' };
}

const KINDS: [string, CellSpec, number, number, boolean][] = [
  ['rnn tanh, 2 layers, bidirectional', cell({ family: 'rnn' }), 3, 4, true],
  ['rnn relu', cell({ family: 'rnn', nonlinearity: 'relu' }), 3, 4, false],
  ['lstm, 2 layers, bidirectional', cell({ family: 'lstm' }), 3, 3, true],
  ['lstm with projection', cell({ family: 'lstm', projSize: 2 }), 3, 4, true],
  ['lstm peephole', cell({ family: 'lstm', peephole: true }), 2, 3, false],
  ['lstm CIFG keep-input (ORT)', cell({ family: 'lstm', coupling: 'keep-input' }), 2, 3, false],
  ['lstm CIFG keep-forget (Greff)', cell({ family: 'lstm', coupling: 'keep-forget', peephole: true }), 2, 3, false],
  ['lstm with ONNX clip', cell({ family: 'lstm', clip: 0.7 }), 2, 3, false],
  ['gru reset-after (PyTorch)', cell({ family: 'gru' }), 3, 3, true],
  ['gru reset-before (Cho)', cell({ family: 'gru', resetAfter: false }), 3, 3, true],
];

describe('grad: finite differences agree with BPTT for every cell kind', function () {
  this.timeout(30000);
  for (const [label, c, In, H, bi] of KINDS) {
    it(label, () => {
      const rng = new Prng(label.length * 7919);
      const L = bi ? 2 : 1;
      const net = randomNet(c, In, H, L, bi, rng);
      const T = 5;
      const D = numDirections(net.shape);
      const Out = outputSize(c, net.shape);
      const x = Float64Array.from({ length: T * In }, () => rng.uniform(-1.5, 1.5));
      const h0 = Array.from({ length: L * D }, () => Float64Array.from({ length: Out }, () => rng.uniform(-0.5, 0.5)));
      const c0 = Array.from({ length: L * D }, () => Float64Array.from({ length: H }, () => rng.uniform(-0.5, 0.5)));
      const w = (n: number) => Float64Array.from({ length: n }, () => rng.normal());
      const loss: LossSpec = {
        h: Array.from({ length: L }, () => Array.from({ length: D }, () => w(T * Out))),
        c: Array.from({ length: L }, () => Array.from({ length: D }, () => w(T * H))),
        nllTargets: Int32Array.from({ length: T }, (_, t) => (t === T - 1 ? -1 : rng.int(5))),
      };
      const params = paramsOf(net);
      const dec = decoderParamsOf(net)!;
      const lossAt = (): number =>
        backwardNetwork(net, params, forwardNetwork(net, params, { steps: T, x, tokens: null }, { h0, c0 }), loss, dec, { statesOnly: true }).lossValue;
      const g = backwardNetwork(net, params, forwardNetwork(net, params, { steps: T, x, tokens: null }, { h0, c0 }), loss, dec, { inputGrad: true });
      const checks: [string, Float64Array, Float64Array][] = [['x', x, g.x!], ['decoder.W', dec.W, g.decoder!.W], ['decoder.b', dec.b, g.decoder!.b]];
      h0.forEach((r, k) => checks.push([`h0[${k}]`, r, g.h0[k]]));
      if (c.family === 'lstm') c0.forEach((r, k) => checks.push([`c0[${k}]`, r, g.c0[k]]));
      params.forEach((row, l) =>
        row.forEach((p, d) => {
          for (const key of ['W', 'R', 'bW', 'bR', 'P', 'Wproj'] as const) {
            const a = p[key];
            if (a) checks.push([`${key} l${l} d${d}`, a, g.weights[l][d][key]!]);
          }
        }),
      );
      const eps = 1e-6;
      let compared = 0;
      for (const [name, arr, grad] of checks) {
        const scale = Math.max(1e-3, ...Array.from(grad, Math.abs));
        for (let k = 0; k < arr.length; k++) {
          const keep = arr[k];
          arr[k] = keep + eps;
          const up = lossAt();
          arr[k] = keep - eps;
          const down = lossAt();
          arr[k] = keep;
          const fd = (up - down) / (2 * eps);
          assert.ok(Math.abs(fd - grad[k]) <= 1e-6 * scale + 1e-8, `${name}[${k}]: finite difference ${fd} vs BPTT ${grad[k]}`);
          compared++;
        }
      }
      assert.ok(compared > 50);
    });
  }

  it('CIFG ignores the forget rows (exactly zero gradient), keep-forget ignores the input rows', () => {
    for (const coupling of ['keep-input', 'keep-forget'] as const) {
      const rng = new Prng(3);
      const net = randomNet(cell({ family: 'lstm', coupling }), 2, 3, 1, false, rng);
      const params = paramsOf(net);
      const x = Float64Array.from({ length: 8 }, () => rng.uniform(-1, 1));
      const caches = forwardNetwork(net, params, { steps: 4, x, tokens: null });
      const g = backwardNetwork(net, params, caches, { h: [[Float64Array.from({ length: 12 }, () => rng.normal())]] });
      const dead = coupling === 'keep-input' ? 1 : 0; // block f (1) or i (0)
      const W = g.weights[0][0].W;
      const live = 1 - dead;
      assert.ok(W.subarray(dead * 3 * 2, (dead + 1) * 3 * 2).every((v) => v === 0), `${coupling}: dead gate rows got gradient`);
      assert.ok(W.subarray(live * 3 * 2, (live + 1) * 3 * 2).some((v) => v !== 0), `${coupling}: live gate rows got none`);
    }
  });
});
