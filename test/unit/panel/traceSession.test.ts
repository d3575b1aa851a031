import * as assert from 'assert';
import { builtInModelFile, DEFAULT_RANDOM_MODEL, encodeSource, sequenceTokens, settingsForSource, TraceSession, validateRandomModel, cellSpecFor } from '../../../src/panel/traceSession';
import type { SequenceSource } from '../../../src/protocol/messages';
import { AdaptiveBlock, compileExpression, formatNumber, scanCondition, traceSource } from '../../../src/expr';
import { tokenText, toDense } from '../../../src/input';

const src = (text: string): SequenceSource => ({ text, label: 't', fromCurrentLine: false, originalLength: text.length, startOffset: 10 });

describe('trace session (the data behind the webview)', () => {
  const seq = encodeSource(src('ab\r\ncd é'));
  const session = TraceSession.runLocal(3, seq, DEFAULT_RANDOM_MODEL);

  it('tokens follow the encoder: CRLF is one step, offsets are document offsets', () => {
    assert.deepStrictEqual(sequenceTokens(seq), ['a', 'b', '\r\n', 'c', 'd', ' ', 'é']);
    assert.strictEqual(seq.offsets[3], 14);
  });

  it('a window carries every LSTM channel as 8-bit codes for exactly the asked steps', () => {
    const w = session.window({ type: 'requestWindow', id: 1, runId: 3, layer: 0, direction: 0, start: 2, count: 100 });
    assert.deepStrictEqual(w.channels.map((c) => c.name), ['i', 'f', 'g', 'o', 'c', 'h']);
    assert.strictEqual(w.start, 2);
    assert.strictEqual(w.count, 5, 'clipped to the 7 steps');
    for (const c of w.channels) {
      assert.ok(c.data instanceof Uint8Array);
      assert.strictEqual(c.data.length, 5 * 16);
    }
    const f = w.channels.find((c) => c.name === 'f')!;
    assert.deepStrictEqual([f.lo, f.hi], [0, 1], 'sigmoid gates use the fixed 0..1 scale');
  });

  it('window codes decode to within one 8-bit step of the exact values', async () => {
    const w = session.window({ type: 'requestWindow', id: 1, runId: 3, layer: 0, direction: 0, start: 4, count: 1 });
    const e = await session.exactStep({ type: 'requestExactStep', id: 2, runId: 3, layer: 0, direction: 0, step: 4 });
    for (const ch of w.channels) {
      const exact = e.values[ch.name];
      const q = (ch.hi - ch.lo) / 255;
      for (let u = 0; u < 16; u++) assert.ok(Math.abs(ch.lo + ch.data[u] * q - exact[u]) <= q / 2 + 1e-6, `${ch.name}[${u}]`);
    }
  });

  it('exact values satisfy the LSTM equations C_t = f⊙C_{t−1} + i⊙C̃ and h_t = o⊙tanh(C_t)', async () => {
    const v = (await session.exactStep({ type: 'requestExactStep', id: 2, runId: 3, layer: 0, direction: 0, step: 3 })).values;
    const prev = (await session.exactStep({ type: 'requestExactStep', id: 3, runId: 3, layer: 0, direction: 0, step: 2 })).values;
    for (let u = 0; u < 16; u++) {
      assert.strictEqual(v.c_prev[u], prev.c[u]);
      assert.ok(Math.abs(v.f[u] * v.c_prev[u] + v.i[u] * v.g[u] - v.c[u]) < 1e-6);
      assert.ok(Math.abs(v.o[u] * Math.tanh(v.c[u]) - v.h[u]) < 1e-6);
    }
  });

  it('scans a condition at every step and points at a bad character', async () => {
    const all = await session.scan({ type: 'scan', id: 4, runId: 3, expression: 't >= 5' }, undefined, async () => undefined);
    assert.deepStrictEqual(all, { type: 'scanResult', id: 4, hits: [5, 6] });
    const bad = await session.scan({ type: 'scan', id: 5, runId: 3, expression: 'f.mean < @' }, undefined, async () => undefined);
    assert.ok(bad?.error, 'an error line');
    assert.match(bad!.error!, /\n {9}\^/, 'the caret sits under the @ (column 10)');
    const gru = await session.scan({ type: 'scan', id: 6, runId: 3, expression: 'z.max > 0.5' }, undefined, async () => undefined);
    assert.ok(gru?.error && /z/.test(gru.error), 'an LSTM has no z gate');
  });

  it('rejects layers/directions the network does not have', () => {
    assert.throws(() => session.window({ type: 'requestWindow', id: 1, runId: 3, layer: 1, direction: 0, start: 0, count: 1 }), /layer 1 does not exist/);
    assert.throws(() => session.window({ type: 'requestWindow', id: 1, runId: 3, layer: 0, direction: 1, start: 0, count: 1 }), /direction 1/);
  });

  it('GRU sessions record r, z, n, h and follow h_t = (1 − z)⊙n + z⊙h_{t−1}', async () => {
    const g = TraceSession.runLocal(1, seq, { ...DEFAULT_RANDOM_MODEL, cell: 'gru', hiddenSize: 5 });
    assert.deepStrictEqual(g.summary.channels, ['r', 'z', 'n', 'h']);
    const v = (await g.exactStep({ type: 'requestExactStep', id: 1, runId: 1, layer: 0, direction: 0, step: 2 })).values;
    for (let u = 0; u < 5; u++) assert.ok(Math.abs((1 - v.z[u]) * v.n[u] + v.z[u] * v.h_prev[u] - v.h[u]) < 1e-6);
  });

  it('bidirectional stacks expose the reverse direction of every layer', async () => {
    const b = TraceSession.runLocal(1, seq, { ...DEFAULT_RANDOM_MODEL, numLayers: 2, bidirectional: true, hiddenSize: 4 });
    assert.strictEqual(b.summary.numDirections, 2);
    const w = b.window({ type: 'requestWindow', id: 1, runId: 1, layer: 1, direction: 1, start: 0, count: 7 });
    assert.strictEqual(w.channels[0].data.length, 7 * 4);
  });

  it('settings are validated with the setting name in the message', () => {
    assert.throws(() => validateRandomModel({ hiddenSize: 0 }), /unroll\.randomModel\.hiddenSize/);
    assert.throws(() => validateRandomModel({ cell: 'transformer' as never }), /unroll\.randomModel\.cell must be one of/);
    assert.strictEqual(cellSpecFor('gru_cho').resetAfter, false);
    assert.strictEqual(cellSpecFor('lstm_cifg').coupling, 'keep-forget');
  });
});

describe('trace session: the reading and cell the editor chose', () => {
  it('a "words" reading gives one step per word; unknown readings fall back to characters', () => {
    const words = encodeSource({ ...src('hello big world'), reading: 'words' });
    assert.deepStrictEqual(sequenceTokens(words), ['hello', 'big', 'world']);
    assert.strictEqual(words.inputSize, 32);
    assert.strictEqual(encodeSource({ ...src('ab'), reading: 'csv:7' }).steps, 2);
  });
  it('a numbers reading runs through a network sized to the data', () => {
    const nums = encodeSource({ ...src('1.5, 2, -3'), reading: 'numbers' });
    assert.deepStrictEqual(sequenceTokens(nums), ['1.5', '2', '-3']);
    const s = TraceSession.runLocal(1, nums, DEFAULT_RANDOM_MODEL);
    assert.strictEqual(s.summary.steps, 3);
  });
  it('Visualize GRU/RNN pick the cell; anything else keeps the setting', () => {
    assert.strictEqual(settingsForSource(DEFAULT_RANDOM_MODEL, { ...src('a'), cell: 'gru' }).cell, 'gru');
    assert.strictEqual(settingsForSource(DEFAULT_RANDOM_MODEL, { ...src('a'), cell: 'transformer' }).cell, 'lstm');
  });
});

describe('trace session: hit counts and logpoints', () => {
  const seq = encodeSource(src('abcdefg'));
  const session = TraceSession.runLocal(1, seq, DEFAULT_RANDOM_MODEL);
  const now = async () => undefined;
  it('"%3" fires on every third hit, counted in step order', async () => {
    const r = await session.scan({ type: 'scan', id: 1, runId: 1, expression: 't >= 1', hitCondition: '%3' }, undefined, now);
    assert.deepStrictEqual(r, { type: 'scanResult', id: 1, hits: [3, 6] });
  });
  it('a log message gives one line per hit, aligned with the hits', async () => {
    const r = await session.scan({ type: 'scan', id: 2, runId: 1, expression: 't == 2 || t == 4', logMessage: 'at {t}' }, undefined, now);
    assert.deepStrictEqual(r?.hits, [2, 4]);
    assert.deepStrictEqual(r?.logs, ['at 2', 'at 4']);
  });
  it('a bad hit count is one clear line', async () => {
    const r = await session.scan({ type: 'scan', id: 3, runId: 1, expression: 't > 0', hitCondition: 'often' }, undefined, now);
    assert.ok(r?.error && /hit count/.test(r.error), r?.error);
  });
});

describe('trace session: the built-in trained model', () => {
  it('char text runs through a trained char model (the reference fixture stands in for media/models); other readings get random weights', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fs = require('fs') as typeof import('fs');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const path = require('path') as typeof import('path');
    const file = path.resolve(__dirname, '../../../../test/fixtures/reference/char_lstm_public.safetensors');
    const { loadModel, requireNetwork } = require('../../../src/model/load') as typeof import('../../../src/model/load');
    const net = requireNetwork(loadModel(file, fs.readFileSync(file), { readSibling: () => undefined }));
    assert.strictEqual(builtInModelFile('lstm'), 'char_lstm.safetensors');
    assert.strictEqual(builtInModelFile('lstm_peephole'), undefined);
    const chars = encodeSource(src('def f(x):'));
    assert.strictEqual(TraceSession.network(chars, DEFAULT_RANDOM_MODEL, net), net);
    const words = encodeSource({ ...src('def f x'), reading: 'words' });
    assert.notStrictEqual(TraceSession.network(words, DEFAULT_RANDOM_MODEL, net), net, 'words do not fit a char model');
    assert.strictEqual(TraceSession.network(words, DEFAULT_RANDOM_MODEL, net).shape.hiddenSize, 16);
    assert.strictEqual(net.shape.inputSize, 97);
  });
});

describe('trace session: long scans (screened from the 8-bit store, in adaptive blocks)', () => {
  it('20,000 steps: the same hits and logs as evaluating every step exactly, yielding between blocks', async function () {
    this.timeout(60_000);
    let text = '';
    for (let i = 0; text.length < 20_000; i++) text += `function f${i}(a, b) { return (a * ${i % 7}) + [b, "x"]; }\n`;
    const seq = encodeSource(src(text.slice(0, 20_000)));
    const s = TraceSession.runLocal(1, seq, { ...DEFAULT_RANDOM_MODEL, hiddenSize: 32 });
    const x = toDense(seq);
    const exact = traceSource(s.trace, { x, bounds: false, tokenAt: (t) => tokenText(seq, t) });
    const fMean = compileExpression('f.mean', exact.meta);
    const means: number[] = [];
    exact.forEachStep(0, exact.steps, (st) => void means.push(fMean.evaluate(st) as number));
    const low = String([...means].sort((a, b) => a - b)[100]);
    for (const [expression, hitCondition, logMessage] of [[`f.mean <= ${low}`], ['token == "(" && h[3] < h[4]', '%2'], [`f.mean < ${low}`, undefined, 'f={f.mean} {token}']] as [string, string?, string?][]) {
      let yields = 0;
      const r = await s.scan({ type: 'scan', id: 1, runId: 1, expression, hitCondition, logMessage }, undefined, async () => void yields++);
      const want = scanCondition(exact, expression);
      const fired = hitCondition ? want.filter((_, k) => (k + 1) % 2 === 0) : want;
      assert.ok(want.length > 20, `${expression}: ${want.length} hits`);
      assert.deepStrictEqual(r!.hits, fired, expression);
      if (logMessage) assert.strictEqual(r!.logs![7], `f=${formatNumber(means[fired[7]])} ${JSON.stringify(tokenText(seq, fired[7]))}`);
      assert.ok(yields >= 2 && yields < 20_000 / 64, `${yields} yields`);
    }
    // A scan that went stale (another run replaced it) answers nothing.
    assert.strictEqual(await s.scan({ type: 'scan', id: 2, runId: 1, expression: 'h[0] > 0' }, undefined, async () => undefined, () => true), undefined);
  });

  it('blocks grow while they are quick and shrink, down to one chunk, when they are slow', () => {
    const b = new AdaptiveBlock(64);
    assert.strictEqual(b.size, 256);
    b.took(1);
    b.took(1);
    assert.strictEqual(b.size, 1024);
    for (let i = 0; i < 10; i++) b.took(200);
    assert.strictEqual(b.size, 64);
    for (let i = 0; i < 20; i++) b.took(0);
    assert.strictEqual(b.size, 16384);
    b.took(20);
    assert.strictEqual(b.size, 16384, 'on target: unchanged');
  });
});
