/**
 * "Find all" in the engine worker (TraceSession.fromRemote → RemoteTrace.scan → expr/scanJob.ts): the
 * same hits, logs and errors as the in-process scan and as brute-force exact evaluation; the extension
 * host's thread idles while the worker scans; hovers are answered meanwhile; a stale scan stops the worker.
 */
import * as assert from 'assert';
import * as path from 'path';
import { performance } from 'perf_hooks';
import type { Network } from '../../../src/engine/types';
import { CancelledError } from '../../../src/engine/trace';
import { compileCondition, compileExpression, traceSource, type StepSource } from '../../../src/expr';
import { defaultCharVocabulary, encodeChars, toDense, tokenText, type EncodedSequence } from '../../../src/input';
import { messageOf } from '../../../src/l10n/format';
import { DEFAULT_RANDOM_MODEL, encodeSource, sequenceTokens, TraceSession } from '../../../src/panel/traceSession';
import type { ScanRequest, ScanResultMessage } from '../../../src/protocol/messages';
import { EngineClient, type RemoteTrace } from '../../../src/worker/engineClient';
import { loadFixture as loadEngineFixture, ROOT } from '../engine/helpers';
import { arraySource, fixtureSteps, loadFixture, metaOf } from '../expr/fixtureSource';

const req = (expression: string, more: Partial<ScanRequest> = {}): ScanRequest => ({ type: 'scan', id: 7, runId: 1, expression, ...more });
const noYield = async (): Promise<void> => undefined;

/** Hits of every condition from one pass over exact values at every step (the truth for a trace). */
function brute(src: StepSource, exprs: string[]): number[][] {
  const conds = exprs.map((e) => compileCondition(e, src.meta));
  const hits = exprs.map((): number[] => []);
  src.forEachStep(0, src.steps, (s) => conds.forEach((c, i) => c.test(s) && hits[i].push(s.t)));
  return hits;
}

/** The same trace twice: scanned by the worker, and scanned in this thread (the local path). */
function sessions(seq: EncodedSequence, network: Network, remote: RemoteTrace): { worker: TraceSession; local: TraceSession } {
  const settings = { ...DEFAULT_RANDOM_MODEL, hiddenSize: remote.meta.shape.hiddenSize };
  return {
    worker: TraceSession.fromRemote(1, seq, network, settings, remote),
    local: TraceSession.fromTrace(1, seq, network, settings, remote.local, toDense(seq), 0),
  };
}

describe('trace session: scans in the engine worker', function () {
  this.timeout(180_000);
  const client = new EngineClient({ workerPath: path.join(ROOT, 'dist/worker.js') });
  after(() => client.dispose());

  it('the trained char LSTM fixture: worker hits == in-process hits == the fixture\'s own values, logs and hit counts alike', async () => {
    const doc = loadFixture('char_lstm_public');
    const { net } = loadEngineFixture('char_lstm_public');
    const seq = encodeChars(doc.text, defaultCharVocabulary());
    assert.deepStrictEqual(Array.from(seq.ids!), doc.tokens, 'the text encodes to the fixture\'s ids');
    const remote = await client.trace({ network: net, oneHot: { ids: seq.ids!, inputSize: seq.inputSize }, checkpointEvery: 32 });
    const { worker, local } = sessions(seq, net, remote);
    // The truth: the fixture's expected float values, evaluated at every step.
    const truth = arraySource(metaOf(doc), fixtureSteps(doc, sequenceTokens(seq)));
    const conditions: string[] = [];
    for (const lhs of ['f.mean', 'c[39]', 'abs(h[5] - h_prev[5])', 'o.mean', 'h[0]', 'i.mean + x[1]']) {
      // A threshold in a gap between the fixture's values (no value within 1e-3 of it: the tolerance is 5e-5).
      const e = compileExpression(lhs, truth.meta);
      const vals = Array.from({ length: truth.steps }, (_, t) => e.evaluate(truth.stepAt(t)) as number).sort((a, b) => a - b);
      let k = Math.floor(vals.length * 0.1);
      for (let j = k; j < vals.length * 0.9; j++) if (vals[j + 1] - vals[j] > vals[k + 1] - vals[k]) k = j;
      assert.ok(vals[k + 1] - vals[k] > 5e-4, `${lhs}: a gap in its values`);
      conditions.push(`${lhs} < ${(vals[k] + vals[k + 1]) / 2}`);
    }
    conditions.push('argmax(h) == 12 || token == " "', 'token == "(" && c.max > 0.5', 'count(f < 0.1) > 3');
    const want = brute(truth, conditions);
    for (const [n, c] of conditions.entries()) {
      const w = await worker.scan(req(c));
      assert.deepStrictEqual(w, { type: 'scanResult', id: 7, hits: want[n] }, `${c} (worker)`);
      assert.deepStrictEqual(await local.scan(req(c), undefined, noYield), w, `${c} (in-process)`);
      assert.ok(want[n].length > 0 && want[n].length < truth.steps, `${c}: ${want[n].length} hits of ${truth.steps}`);
    }
    // Hit counts and log lines, with the token and an exact value in each line.
    const more = { hitCondition: '%3', logMessage: '{t} {token} {c[39]}' };
    const w = await worker.scan(req(conditions[1], more));
    assert.deepStrictEqual(w?.hits, want[1].filter((_, j) => (j + 1) % 3 === 0));
    assert.deepStrictEqual(await local.scan(req(conditions[1], more), undefined, noYield), w);
    const t = w!.hits![2];
    assert.ok(w!.logs![2].startsWith(`${t} ${JSON.stringify(doc.text[t])} `), w!.logs![2]);
    assert.ok(Math.abs(Number(w!.logs![2].split(' ').pop()) - doc.expected.layers[0].forward.c[t][39]) < 1e-3, w!.logs![2]);
    // Thresholds equal to an exact value at some step: the screen must send those to exact evaluation.
    const exact = traceSource(remote.local, { bounds: false });
    const edge = ['f.mean', 'h[3]', 'c_prev.max'].flatMap((lhs, i) => {
      const v = compileExpression(lhs, exact.meta).evaluate(exact.stepAt(40 + 70 * i)) as number;
      return [`${lhs} >= ${v}`, `${lhs} == ${v}`];
    });
    const exactHits = brute(exact, edge);
    for (const [n, c] of edge.entries()) {
      assert.deepStrictEqual((await worker.scan(req(c)))?.hits, exactHits[n], c);
      assert.deepStrictEqual((await local.scan(req(c), undefined, noYield))?.hits, exactHits[n], c);
    }
    remote.release();
  });

  it('a bad condition, hit count or log message gives the same one-line / caret error as in-process; a released trace says so', async () => {
    const seq = encodeSource({ text: 'ab(cd) e', label: 't', fromCurrentLine: false, originalLength: 8 });
    const net = TraceSession.network(seq, DEFAULT_RANDOM_MODEL);
    const remote = await client.trace({ network: net, oneHot: { ids: seq.ids!, inputSize: seq.inputSize } });
    const { worker, local } = sessions(seq, net, remote);
    const bad: [string, Partial<ScanRequest>][] = [
      ['f.mean < @', {}], ['q > 1', {}], ['h[99] > 0', {}], ['z.max > 0.5', {}], ['h[0] > 0 &&', {}],
      ['t > 0', { hitCondition: 'often' }], ['t > 0', { logMessage: 'v={nope}' }], ['t > 0', { logMessage: '{h[1 +}' }],
    ];
    for (const [expression, more] of bad) {
      const w = await worker.scan(req(expression, more), { layer: 0, dir: 0 });
      const l = await local.scan(req(expression, more), { layer: 0, dir: 0 }, noYield);
      assert.ok(w?.error && !w.hits, `${expression} ${JSON.stringify(more)}: ${JSON.stringify(w)}`);
      assert.deepStrictEqual(w, l, expression);
      if (!more.hitCondition && !more.logMessage) assert.match(w.error, new RegExp(`^${expression.replace(/[[\]().*+?^$|]/g, '\\$&')}\\n *\\^+ `), 'the caret under the offending character');
    }
    // A message the worker made with msg() is registered here too, so the host can show it in zh-cn.
    const hc = await worker.scan(req('t > 0', { hitCondition: 'often!' }));
    if (messageOf((await local.scan(req('t > 0', { hitCondition: 'often!' }), undefined, noYield))!.error!)) assert.ok(messageOf(hc!.error!));
    remote.release();
    assert.deepStrictEqual(await worker.scan(req('t > 0')), { type: 'scanResult', id: 7, error: 'this trace was released; run it again' });
  });

  it('100,000 random one-hot steps: worker == in-process == brute force; the host thread idles while the worker scans', async () => {
    let text = '';
    for (let i = 0; text.length < 100_000; i++) text += `function f${i}(a, b) { return (a * ${i % 7}) + [b, "x"]; } // ${i % 13}\n`;
    const seq = encodeSource({ text: text.slice(0, 100_000), label: 't', fromCurrentLine: false, originalLength: 100_000 });
    const net = TraceSession.network(seq, { ...DEFAULT_RANDOM_MODEL, hiddenSize: 32 });
    const remote = await client.trace({ network: net, oneHot: { ids: seq.ids!, inputSize: seq.inputSize }, kernel: 'wasm' });
    const { worker, local } = sessions(seq, net, remote);
    const exact = traceSource(remote.local, { x: toDense(seq), bounds: false, tokenAt: (t) => tokenText(seq, t) });
    // Thresholds at quantiles of the values (one exact pass), so every condition has hits and misses.
    const lhs = ['f.mean', 'abs(h[5] - h_prev[5])', 'o.max', 'c[3]'];
    const values = lhs.map((): number[] => []);
    const compiled = lhs.map((l) => compileExpression(l, exact.meta));
    exact.forEachStep(0, exact.steps, (s) => compiled.forEach((e, i) => values[i].push(e.evaluate(s) as number)));
    values.forEach((v) => v.sort((a, b) => a - b));
    const q = (l: string, p: number): number => values[lhs.indexOf(l)][Math.floor(p * exact.steps)];
    const conditions = [
      `f.mean < ${q('f.mean', 0.05)}`, 'token == "(" && h[3] < h[4]', `x[10] > 0.5 || abs(h[5] - h_prev[5]) > ${q('abs(h[5] - h_prev[5])', 0.97)}`,
      `o.max > ${q('o.max', 0.5)} && c[3] < ${q('c[3]', 0.3)}`,
    ];
    const want = brute(exact, conditions);
    let active = 0;
    let total = 0;
    for (const [n, c] of conditions.entries()) {
      const elu0 = performance.eventLoopUtilization();
      const w = await worker.scan(req(c));
      const elu = performance.eventLoopUtilization(elu0);
      active += elu.active;
      total += elu.active + elu.idle;
      assert.ok(want[n].length > 50 && want[n].length < 99_000, `${c}: ${want[n].length} hits`);
      assert.deepStrictEqual(w?.hits, want[n], `${c} (worker)`);
      assert.deepStrictEqual((await local.scan(req(c), undefined, noYield))?.hits, want[n], `${c} (in-process)`);
    }
    // The host only posts the requests and reads the answers (scanning here keeps it ~100% busy).
    assert.ok(active < 0.4 * total, `host thread busy ${active.toFixed(0)} of ${total.toFixed(0)} ms while the worker scanned`);
    const more = { hitCondition: '>= 10', logMessage: '{token}{f.mean}' };
    const w = await worker.scan(req(conditions[1], more));
    assert.deepStrictEqual(w?.hits, want[1].slice(9));
    assert.deepStrictEqual(await local.scan(req(conditions[1], more), undefined, noYield), w);
    remote.release();
  });

  it('hovers are answered while a long scan runs; a stale scan stops the worker and answers nothing', async () => {
    const seq = encodeSource({ text: 'x = [a, b];\n'.repeat(5_000), label: 't', fromCurrentLine: false, originalLength: 60_000 });
    const net = TraceSession.network(seq, { ...DEFAULT_RANDOM_MODEL, hiddenSize: 64 });
    const remote = await client.trace({ network: net, oneHot: { ids: seq.ids!, inputSize: seq.inputSize }, kernel: 'wasm' });
    const { worker } = sessions(seq, net, remote);
    // A log line of eight values at every step needs every step's exact values: seconds of work at this size.
    const long = req('t >= 0', { logMessage: '{h.mean} {c.std} {f.norm} {sum(i * g)} {argmax(o)} {h_prev.max} {o.std} {count(c > 0)}' });
    let stale = false;
    let answered: ScanResultMessage | undefined | 'pending' = 'pending';
    const started = performance.now();
    const scan = worker.scan(long, undefined, undefined, () => stale).then((r) => (answered = r));
    await worker.scan(req('t == 0')); // the long scan is under way in the worker once this one has been answered
    const h0 = performance.now();
    const hover = await worker.exactStep({ type: 'requestExactStep', id: 1, runId: 1, layer: 0, direction: 0, step: 45_678 });
    const hoverMs = performance.now() - h0;
    assert.strictEqual(hover.values.h.length, 64);
    assert.strictEqual(answered, 'pending', 'the long scan was still running when the hover was answered');
    assert.ok(hoverMs < 2000, `hover answered in ${hoverMs.toFixed(0)} ms during the scan`);
    stale = true;
    const s0 = performance.now();
    assert.strictEqual(await scan, undefined, 'a stale scan answers nothing');
    const stopMs = performance.now() - s0;
    assert.ok(stopMs < 1500, `stopped ${stopMs.toFixed(0)} ms after going stale (${(s0 - started).toFixed(0)} ms in)`);
    // The worker's own answer to a cancelled scan (it only sends it once its loop has stopped).
    const ac = new AbortController();
    const direct = remote.scan({ expression: 't >= 0', logMessage: long.logMessage, layer: 0, dir: 0 }, () => ({ source: seq.source, baseOffset: seq.baseOffset, offsets: seq.offsets, lengths: seq.lengths }), ac.signal);
    setTimeout(() => ac.abort(), 50);
    await assert.rejects(direct, CancelledError);
    // …and the worker serves the next request.
    assert.deepStrictEqual((await worker.scan(req('t == 5 || t == 59999')))?.hits, [5, 59_999]);
    remote.release();
  });
});
