/**
 * The walkthrough's weather CSV (pressure ≈ 1013) through the seeded random LSTM: raw, every gate saturates
 * (f = 0, i = 1 — the picture shows nothing); standardised per column (the default), the gates move.
 */
import * as assert from 'assert';
import { DEFAULT_RANDOM_MODEL, encodeSource, sequenceTokens, TraceSession } from '../../../src/panel/traceSession';
import type { SequenceSource } from '../../../src/protocol/messages';

const WEATHER = 'temp,humidity,pressure\n21.5,40,1013\n22.1,42,1012\n23.0,45,1010\n22.7,44,1011\n21.9,41,1012\n';
const source: SequenceSource = { text: WEATHER, label: 'weather.csv', fromCurrentLine: false, originalLength: WEATHER.length, reading: 'csv' };

/** Share of forget and input gate values, over all steps and units, that are not pinned at 0 or 1. */
async function unsaturated(standardize: boolean): Promise<number> {
  const seq = encodeSource(source, DEFAULT_RANDOM_MODEL.seed, standardize);
  const s = TraceSession.runLocal(1, seq, DEFAULT_RANDOM_MODEL);
  let free = 0;
  let all = 0;
  for (let t = 0; t < seq.steps; t++) {
    const v = (await s.exactStep({ type: 'requestExactStep', id: t, runId: 1, layer: 0, direction: 0, step: t })).values;
    for (const g of [v.f, v.i]) for (const x of g) {
      all++;
      if (x > 0.02 && x < 0.98) free++;
    }
  }
  return free / all;
}

describe('panel: numbers into the seeded random network', () => {
  it('standardised by default: the gates are not pinned, the panel has its notice, tokens stay raw', async () => {
    const seq = encodeSource(source);
    assert.match(seq.standardized!.note, /^Numbers standardised per column for the random network: .*pressure mean 1011\.6, std 1\.0 — set unroll\.numbers\.standardize to false/);
    assert.deepStrictEqual(sequenceTokens(seq), ['21.5,40,1013', '22.1,42,1012', '23.0,45,1010', '22.7,44,1011', '21.9,41,1012']);
    const free = await unsaturated(true);
    assert.ok(free > 0.5, `only ${(free * 100).toFixed(0)}% of f/i values are between 0.02 and 0.98`);
  });

  it('with unroll.numbers.standardize off the raw pressure saturates the gates (why the default is on)', async () => {
    assert.strictEqual(encodeSource(source, DEFAULT_RANDOM_MODEL.seed, false).standardized, undefined);
    const free = await unsaturated(false);
    assert.ok(free < 0.1, `${(free * 100).toFixed(0)}% of f/i values are unsaturated with raw inputs`);
  });
});
