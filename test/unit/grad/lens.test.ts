/**
 * The memory lens against the fixtures' gradNorms (PyTorch autograd, float64) and against the engine's
 * own trace for the log-probability readout.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { networkFromSpec, parseSpec } from '../../../src/model/spec';
import { runNetwork } from '../../../src/engine/trace';
import { memoryLens } from '../../../src/engine/grad/lens';

const REF = path.resolve(__dirname, '../../../../test/fixtures/reference');
const load = (name: string) => {
  const doc = JSON.parse(fs.readFileSync(path.join(REF, `${name}.json`), 'utf8'));
  const spec = parseSpec(doc);
  const net = networkFromSpec(spec, { name: spec.weightsFile!, bytes: fs.readFileSync(path.join(REF, spec.weightsFile!)) });
  return { doc, spec, net };
};
const maxAbs = (a: ArrayLike<number>) => Math.max(...Array.from(a, Math.abs));

describe('grad: memory lens', function () {
  this.timeout(30000);
  for (const name of ['lstm_i4_h8_t200', 'gru_i4_h8_t200', 'rnn_tanh_i4_h8_t200', 'lstm_peephole_i4_h8_t200']) {
    it(`${name}: a vector readout at T reproduces the fixture's gradNorms`, () => {
      const { doc, spec, net } = load(name);
      const T = doc.seqLen;
      const v = Float64Array.from(doc.grad.lossWeights.layers[0].forward.h[T - 1]);
      const lens = memoryLens(net, spec.x!, { kind: 'vector', layer: 0, direction: 0, step: T - 1, v });
      const want = doc.grad.gradNorms.layers[0].forward;
      for (const key of ['h', 'c'] as const) {
        if (!want[key]) continue;
        const got = lens.layers[0][0][key];
        const err = Math.max(...want[key].map((e: number, t: number) => Math.abs(got[t] - e)));
        assert.ok(err <= 1e-4 * maxAbs(want[key]), `${key}: error ${err}`);
      }
      assert.ok(Math.abs(lens.value - doc.grad.gradNorms.lossValue) <= 1e-4 * Math.max(1, Math.abs(doc.grad.gradNorms.lossValue)));
    });
  }

  it('a log-probability readout: value and ‖∂ log p/∂h_T‖ agree with the engine trace\'s logits', () => {
    const { doc, spec, net } = load('char_lstm_public');
    const T = 40;
    const x = spec.x!.subarray(0, T * 97);
    const token = doc.tokens[T];
    const lens = memoryLens(net, x, { kind: 'logprob', step: T - 1, token });
    const logits = runNetwork(net, x).exactRange(T - 1, T).logits!;
    const mx = maxAbs(logits);
    const lse = mx + Math.log(Array.from(logits).reduce((s, z) => s + Math.exp(z - mx), 0));
    assert.ok(Math.abs(lens.value - (logits[token] - lse)) < 1e-4, `${lens.value} vs ${logits[token] - lse}`);
    const W = net.decoder!.W;
    const H = net.shape.hiddenSize;
    const g = new Float64Array(H);
    for (let v = 0; v < 97; v++) {
      const d = (v === token ? 1 : 0) - Math.exp(logits[v] - lse);
      for (let j = 0; j < H; j++) g[j] += d * W[v * H + j];
    }
    const want = Math.hypot(...g);
    assert.ok(Math.abs(lens.layers[0][0].h[T - 1] - want) < 1e-4 * want, `${lens.layers[0][0].h[T - 1]} vs ${want}`);
    assert.ok(lens.layers[0][0].h[0] > 0 && lens.layers[0][0].c[0] > 0, 'earlier steps still get gradient');
  });

  it('rejects readouts the network does not have, with one clear line', () => {
    const { spec, net } = load('gru_i4_h8_t200');
    assert.throws(() => memoryLens(net, spec.x!, { kind: 'unit', layer: 0, direction: 0, unit: 0, step: 5, state: 'c' }), /only the LSTM family has a cell state/);
    assert.throws(() => memoryLens(net, spec.x!, { kind: 'unit', layer: 0, direction: 1, unit: 0, step: 5 }), /no layer 0 direction 1/);
    assert.throws(() => memoryLens(net, spec.x!, { kind: 'logprob', step: 5, token: 1 }), /needs a model with a decoder/);
    assert.throws(() => memoryLens(net, spec.x!, { kind: 'unit', layer: 0, direction: 0, unit: 0, step: 999 }), /step 999 is outside/);
  });
});
