/**
 * Every reference fixture, run from its own weight file through the spec loader and the Trace, compared
 * tensor by tensor (h, c, gates, m, output, hN, cN, logits, nll) within the fixture's tolerance.
 * Run twice: with the default checkpoint interval and with K = 2, so every value also goes through
 * checkpoint recomputation across chunk borders.
 */
import * as assert from 'assert';
import { toExpected } from '../../../src/engine/expected';
import { runNetwork } from '../../../src/engine/trace';
import { compareAll, fixtureNames, loadFixture } from './helpers';

const names = fixtureNames();

describe('engine: reference fixtures', function () {
  this.timeout(60_000); // a shared 2-core machine under load: the trained fixtures take seconds, not ms
  it('finds all 52 public fixtures (and any others placed in the folder)', () => {
    assert.ok(names.length >= 52, `only ${names.length} fixtures found`);
  });

  it('compares every tensor a fixture provides (27 for a 2-layer bidirectional LSTM, as verify.mjs counts)', () => {
    const { doc, spec, net } = loadFixture('lstm_i3_h4_t6_l2_bi');
    const out = toExpected(runNetwork(net, spec.x!), spec.tokens);
    assert.strictEqual(compareAll(doc.expected, out, doc.tolerance).tensors, 27);
  });

  it('would notice a wrong value: one perturbed gate entry fails the comparison', () => {
    const { doc, spec, net } = loadFixture('gru_i3_h4_t5');
    const out = toExpected(runNetwork(net, spec.x!), spec.tokens);
    out.layers[0].forward.gates.z[2][1] += 2e-5;
    assert.throws(() => compareAll(doc.expected, out, doc.tolerance), /gates\.z\[2\]\[1\]|gates\.z/);
  });

  for (const K of [undefined, 2]) {
    describe(K ? `with checkpoints every ${K} steps` : 'with the default checkpoint interval', () => {
      for (const name of names) {
        it(name, () => {
          const { doc, spec, net } = loadFixture(name);
          assert.ok(spec.x, 'fixture has x');
          const trace = runNetwork(net, spec.x!, { h0: spec.h0, c0: spec.c0, checkpointEvery: K });
          const out = toExpected(trace, spec.tokens);
          const { tensors } = compareAll(doc.expected, out, doc.tolerance);
          // A fixture compares at least h, output and hN of one direction.
          assert.ok(tensors >= 3, `${tensors} tensors compared`);
        });
      }
    });
  }
});
