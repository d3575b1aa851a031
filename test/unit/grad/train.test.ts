/**
 * Training: Adam and clipping against their definitions, reproducibility, cancellation that leaves the
 * caller's weights intact, NaN stopping with the step, a loss that actually falls, and the code labeler
 * the interpretability search relies on.
 */
import * as assert from 'assert';
import { Adam, clipGradNorm, globalNorm } from '../../../src/engine/train/adam';
import { CHAR_VOCAB, encodeCharIds, newCharNetwork } from '../../../src/engine/train/charModel';
import { labelCode, pearson } from '../../../src/engine/train/codeLabels';
import { evaluateNextToken, paramsFromFlat, runStreamJob, trainNextToken, type TrainConfig } from '../../../src/engine/train/trainer';

const small: TrainConfig = { steps: 30, batch: 2, chunk: 12, lr: 1e-2, clip: 5, seed: 5 };
const text = 'if (a) { b("x"); }\n'.repeat(40);

describe('train: optimiser, loop and labels', function () {
  this.timeout(60000);

  it('Adam: the first step moves every weight by lr · g / (|g| + eps) (bias-corrected moments)', () => {
    const p = Float64Array.from([1, -2, 0.5]);
    const g = Float64Array.from([0.3, -4, 0]);
    new Adam([p]).step([g], { lr: 0.1, eps: 1e-8 });
    const want = [1 - (0.1 * 0.3) / (0.3 + 1e-8), -2 + (0.1 * 4) / (4 + 1e-8), 0.5];
    p.forEach((v, k) => assert.ok(Math.abs(v - want[k]) < 1e-12, `${k}: ${v} vs ${want[k]}`));
  });

  it('clipGradNorm scales to the max norm and leaves small gradients alone', () => {
    const a = [Float64Array.from([3, 0]), Float64Array.from([4])];
    assert.strictEqual(clipGradNorm(a, 1), 5);
    assert.ok(Math.abs(globalNorm(a) - 1) < 1e-6);
    const b = [Float64Array.from([0.3, 0.4])];
    clipGradNorm(b, 1);
    assert.deepStrictEqual(Array.from(b[0]), [0.3, 0.4]);
  });

  it('the vocabulary is the fixtures\' 97 symbols and text maps onto it', () => {
    assert.strictEqual(CHAR_VOCAB.length, 97);
    assert.deepStrictEqual(Array.from(encodeCharIds('\nA~\r\né')), [0, 34, 95, 0, 96]);
  });

  it('the same seed gives bit-identical weights; the loss falls on a repetitive text', async () => {
    const ids = encodeCharIds(text);
    const a = await trainNextToken(newCharNetwork('lstm', 8, 1), ids, small);
    const b = await trainNextToken(newCharNetwork('lstm', 8, 1), ids, small);
    assert.ok(a.status === 'done' && b.status === 'done');
    assert.deepStrictEqual(Array.from(a.net.layers[0][0].R), Array.from(b.net.layers[0][0].R));
    assert.ok(a.losses[a.losses.length - 1] < 0.6 * a.losses[0], `loss ${a.losses[0]} → ${a.losses[a.losses.length - 1]}`);
    const before = evaluateNextToken(newCharNetwork('lstm', 8, 1), ids).meanNll;
    const after = evaluateNextToken(a.net, ids).meanNll;
    assert.ok(after < before - 1, `held loss ${before} → ${after}`);
  });

  it('streams computed elsewhere (as worker threads do, from copied weights) give bit-identical weights', async () => {
    const ids = encodeCharIds(text);
    const cfg = { ...small, steps: 8, batch: 3 };
    const inline = await trainNextToken(newCharNetwork('lstm', 6, 4), ids, cfg);
    const base = newCharNetwork('lstm', 6, 4);
    const remote = await trainNextToken(base, ids, cfg, {
      runJobs: async (flat, jobs) => {
        const { params, dec } = paramsFromFlat(base, flat.map((a) => a.slice())); // a thread sees a copy
        return jobs.map((j) => runStreamJob(base, params, dec, j));
      },
    });
    assert.ok(inline.status === 'done' && remote.status === 'done');
    assert.deepStrictEqual(remote.losses, inline.losses);
    assert.deepStrictEqual(Array.from(remote.net.decoder!.W), Array.from(inline.net.decoder!.W));
    assert.deepStrictEqual(Array.from(remote.net.layers[0][0].W), Array.from(inline.net.layers[0][0].W));
  });

  it('cancelling leaves the previous weights intact and returns none', async () => {
    const base = newCharNetwork('gru', 8, 2);
    const copy = Float32Array.from(base.layers[0][0].W);
    const signal = { aborted: false };
    const r = await trainNextToken(base, encodeCharIds(text), { ...small, steps: 100 }, {
      signal,
      tick: () => new Promise((res) => setImmediate(res)),
      onProgress: (p) => {
        if (p.step === 7) signal.aborted = true;
      },
    });
    assert.strictEqual(r.status, 'cancelled');
    assert.strictEqual(r.steps, 7);
    assert.ok(!('net' in r));
    assert.deepStrictEqual(base.layers[0][0].W, copy);
  });

  it('a NaN loss stops the run and names the step', async () => {
    const base = newCharNetwork('rnn', 8, 3);
    base.decoder!.W[0] = Infinity;
    const r = await trainNextToken(base, encodeCharIds(text), small);
    assert.strictEqual(r.status, 'nan');
    assert.ok(r.status === 'nan' && /diverged at step 1:/.test(r.message), JSON.stringify(r));
  });

  it('labels bracket depth, strings (template ${…} is code) and comments after each character', () => {
    const src = "f(a, 'b)', `x${[1]}y`) // c(\n/* ( */ g[/[(]/]";
    const L = labelCode(src);
    const at = (ch: string, from = 0) => src.indexOf(ch, from);
    assert.strictEqual(L.bracketDepth[at('(')], 1);
    assert.strictEqual(L.insideString[at('b')], 1);
    assert.strictEqual(L.bracketDepth[at(')')], 1, "')' inside a string does not close");
    assert.strictEqual(L.insideString[at('x')], 1);
    assert.strictEqual(L.insideString[at('[')], 0, '${…} is code');
    assert.strictEqual(L.bracketDepth[at('1')], 2);
    assert.strictEqual(L.insideString[at('y')], 1);
    assert.strictEqual(L.bracketDepth[at(' //') - 1], 0);
    assert.strictEqual(L.insideComment[at('c(')], 1);
    assert.strictEqual(L.bracketDepth[at('c(') + 1], 0, "'(' in a comment does not open");
    assert.strictEqual(L.insideComment[at('( */')], 1);
    assert.strictEqual(L.bracketDepth[at('g[') + 1], 1);
    assert.strictEqual(L.bracketDepth[src.length - 2], 1, 'a regex literal with brackets leaves the depth alone');
    assert.strictEqual(L.bracketDepth[src.length - 1], 0);
  });

  it('pearson: ±1 for linear series, 0 for a constant', () => {
    assert.ok(Math.abs(pearson([1, 2, 3], [2, 4, 6]) - 1) < 1e-12);
    assert.ok(Math.abs(pearson([1, 2, 3], [3, 2, 1]) + 1) < 1e-12);
    assert.strictEqual(pearson([1, 1, 1], [1, 2, 3]), 0);
  });
});
