/**
 * Every fixture's .onnx file (torch-exported and hand-built, with and without initial states, the trained
 * char models with their decoders) loads through the ONNX graph walk and runs in the engine to the
 * fixture's expected values: every gate, c and h of every layer and direction, and the logits.
 */
import * as assert from 'assert';
import { runNetwork } from '../../../src/engine/trace';
import { loadOnnxNetwork } from '../../../src/model/onnx/graph';
import { assertTraceMatches, fixtureIndex, fixtureJson, flat, readFixtureFile } from './fixtureHelpers';

const CELL_OF: Record<string, { family: string; check: (c: Record<string, unknown>) => boolean }> = {
  rnn_tanh: { family: 'rnn', check: (c) => c.nonlinearity === 'tanh' },
  rnn_relu: { family: 'rnn', check: (c) => c.nonlinearity === 'relu' },
  lstm: { family: 'lstm', check: (c) => !c.peephole && c.coupling === 'none' },
  lstm_peephole: { family: 'lstm', check: (c) => c.peephole === true && c.coupling === 'none' },
  lstm_cifg: { family: 'lstm', check: (c) => !c.peephole && c.coupling === 'keep-input' },
  lstm_cifg_peephole: { family: 'lstm', check: (c) => c.peephole === true && c.coupling === 'keep-input' },
  gru: { family: 'gru', check: (c) => c.resetAfter === true },
  gru_cho: { family: 'gru', check: (c) => c.resetAfter === false },
};

describe('ONNX fixtures trace to the expected values', () => {
  const withOnnx = fixtureIndex().filter((f) => f.files.onnx);

  it('covers every fixture that ships an .onnx file', () => {
    // 50 of the 52 public fixtures: lstm_proj has no ONNX form.
    assert.ok(withOnnx.length >= 50, `only ${withOnnx.length} fixtures with .onnx`);
  });

  for (const entry of withOnnx) {
    it(entry.name, () => {
      const fx = fixtureJson(entry.name);
      const loaded = loadOnnxNetwork(readFixtureFile(entry.files.onnx!), entry.files.onnx);
      const net = loaded.network;
      const want = CELL_OF[entry.cell];
      assert.strictEqual(net.cell.family, want.family, 'cell family');
      assert.ok(want.check(net.cell as unknown as Record<string, unknown>), `cell variant ${JSON.stringify(net.cell)} is not ${entry.cell}`);
      assert.deepStrictEqual(net.shape, {
        inputSize: entry.inputSize,
        hiddenSize: entry.hiddenSize,
        numLayers: entry.numLayers,
        bidirectional: entry.bidirectional,
      });
      assert.strictEqual(!!net.decoder, !!fx.expected.logits, 'decoder present exactly when the fixture has logits');
      assert.deepStrictEqual(loaded.warnings, []);
      // A fixture with a given initial state must have it as a graph input the caller can feed.
      if (fx.h0) assert.ok(loaded.stateInputs.h.length > 0, 'initial h is a graph input');
      else assert.deepStrictEqual(loaded.stateInputs.h, [], 'zero initial state is built inside the graph');
      const x = new Float32Array(flat(fx.x));
      const trace = runNetwork(net, x, {
        ...(fx.h0 ? { h0: new Float32Array(flat(fx.h0)) } : {}),
        ...(fx.c0 ? { c0: new Float32Array(flat(fx.c0)) } : {}),
      });
      assertTraceMatches(trace, fx, entry.name);
    });
  }
});
