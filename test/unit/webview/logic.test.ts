import * as assert from 'assert';
import { divergingLut, parseColor, sequentialLut, symmetricRemap, textOn, valueColor, channelKind } from '../../../webview/colors';
import { diagramFor, formatValue, mermaidSource, nodeValueText, shortToken } from '../../../webview/diagrams';
import { breakReason, nextBreak, type Breakpoints } from '../../../webview/views/timeline';
import { BLOCK_STEPS, TraceData } from '../../../webview/data';
import { bandOrder, layoutBands } from '../../../webview/views/painter';
import type { TraceSummary, WebviewToHost } from '../../../src/protocol/messages';

const theme = { background: [30, 30, 30] as [number, number, number], open: [0, 200, 0] as [number, number, number], negative: [0, 0, 255] as [number, number, number], positive: [255, 128, 0] as [number, number, number] };

describe('colour scales', () => {
  it('parses the colour forms VS Code themes use', () => {
    assert.deepStrictEqual(parseColor('#1f1f1f'), [31, 31, 31]);
    assert.deepStrictEqual(parseColor('#fff'), [255, 255, 255]);
    assert.deepStrictEqual(parseColor('#0078d4cc'), [0, 120, 212]);
    assert.deepStrictEqual(parseColor(' rgba(10, 20, 30, 0.5)'), [10, 20, 30]);
    assert.strictEqual(parseColor('var(--x)'), undefined);
  });
  it('a closed gate is the background, an open gate the theme colour', () => {
    const lut = sequentialLut(theme);
    assert.deepStrictEqual([...lut.slice(0, 3)], theme.background);
    assert.deepStrictEqual([...lut.slice(255 * 4, 255 * 4 + 3)], theme.open);
  });
  it('the diverging scale runs negative → background → positive', () => {
    const lut = divergingLut(theme);
    assert.deepStrictEqual([...lut.slice(0, 3)], theme.negative);
    assert.deepStrictEqual([...lut.slice(255 * 4, 255 * 4 + 3)], theme.positive);
    const mid = [...lut.slice(127 * 4, 127 * 4 + 3)];
    assert.ok(mid.every((c, i) => Math.abs(c - theme.background[i]) <= 6), `near background at 0: ${mid}`);
  });
  it('unbounded channels (C) map 0 to the middle whatever their range', () => {
    // C in [-0.5, 2]: code for value 0 is 255·0.5/2.5 = 51; it must land on the neutral middle.
    const map = symmetricRemap(-0.5, 2);
    assert.ok(Math.abs(map[51] - 127.5) <= 1, `0 → ${map[51]}`);
    assert.strictEqual(map[255], 255, '+max → +1');
    assert.ok(Math.abs(map[0] - 95.6) <= 1, '−0.5 is a quarter of the way to −1');
  });
  it('exact values get the same colours as the scales, and text stays readable', () => {
    assert.deepStrictEqual(valueColor(1, 'sigmoid', theme), theme.open);
    assert.deepStrictEqual(valueColor(-5, 'diverging', theme), theme.negative, 'clamped');
    assert.deepStrictEqual(valueColor(NaN, 'diverging', theme), theme.background);
    assert.strictEqual(textOn([255, 255, 255]), '#000000');
    assert.strictEqual(textOn([20, 20, 20]), '#ffffff');
    assert.deepStrictEqual(['i', 'f', 'o', 'r', 'z', 'g', 'n', 'c', 'h'].map(channelKind).join(), 'sigmoid,sigmoid,sigmoid,sigmoid,sigmoid,diverging,diverging,diverging,diverging');
  });
});

describe('cell diagrams', () => {
  const lstm = { family: 'lstm' as const, peephole: false, coupling: 'none', resetAfter: true };
  it('the LSTM graph has the classic parts and computes each node from the exact values', () => {
    const d = diagramFor(lstm);
    assert.deepStrictEqual(d.nodes.map((n) => n.id), ['x', 'hp', 'cp', 'f', 'i', 'g', 'o', 'mf', 'mi', 'add', 'c', 'tc', 'mo', 'h']);
    const v = { f: new Float32Array([0.5]), i: new Float32Array([0.25]), g: new Float32Array([-0.8]), o: new Float32Array([0.9]), c_prev: new Float32Array([2]), c: new Float32Array([0.8]), h: new Float32Array([0.6]), h_prev: new Float32Array([0.1]) };
    const val = (id: string) => d.nodes.find((n) => n.id === id)!.value!(v, 0)!;
    assert.strictEqual(val('mf'), 1, 'f ⊙ C_{t−1} = 0.5 · 2');
    assert.ok(Math.abs(val('mi') + 0.2) < 1e-6, 'i ⊙ C̃ = 0.25 · −0.8');
    assert.ok(Math.abs(val('tc') - Math.tanh(0.8)) < 1e-6);
    assert.ok(Math.abs(val('mo') - 0.6) < 1e-6, 'o ⊙ tanh(C) is h');
  });
  it('peepholes and coupled gates change the graph, not just the title', () => {
    const peep = diagramFor({ ...lstm, peephole: true });
    assert.ok(peep.edges.includes('cp -. peephole .-> f') && peep.edges.includes('c -. peephole .-> o'));
    const cifg = diagramFor({ ...lstm, coupling: 'keep-forget' });
    assert.ok(cifg.edges.includes('f -- "1 − f" --> i'));
    assert.ok(!cifg.edges.includes('x --> i'), 'i is not computed from the input');
    assert.match(cifg.nodes.find((n) => n.id === 'i')!.name, /1 − f/);
    const onnx = diagramFor({ ...lstm, coupling: 'keep-input' });
    assert.ok(onnx.edges.includes('i -- "1 − i" --> f'));
  });
  it('the GRU graph follows h_t = (1 − z)⊙n + z⊙h_{t−1}; Cho shows r⊙h_{t−1}', () => {
    const cho = diagramFor({ family: 'gru', peephole: false, coupling: 'none', resetAfter: false });
    const v = { r: new Float32Array([0.5]), z: new Float32Array([0.25]), n: new Float32Array([0.4]), h_prev: new Float32Array([-1]), h: new Float32Array([0.05]) };
    const val = (id: string) => cho.nodes.find((n) => n.id === id)!.value?.(v, 0);
    assert.strictEqual(val('rh'), -0.5);
    assert.ok(Math.abs(val('mn')! - 0.75 * 0.4) < 1e-7);
    assert.strictEqual(val('mh'), -0.25);
    const torch = diagramFor({ family: 'gru', peephole: false, coupling: 'none', resetAfter: true });
    assert.strictEqual(torch.nodes.find((n) => n.id === 'rh')!.value, undefined, 'r ⊙ (U h + b) is not in the trace: no fake number');
  });
  it('the RNN loop body and its activation', () => {
    assert.match(diagramFor({ family: 'rnn', peephole: false, coupling: 'none', resetAfter: true, nonlinearity: 'relu' }).title, /relu/);
  });
  it('mermaid text: placeholders for the render-once layout, values and fills when annotated, escaped labels', () => {
    const d = diagramFor(lstm);
    const plain = mermaidSource(d);
    assert.match(plain, /^flowchart LR\n/);
    assert.ok(plain.includes('f["fₜ = σ(…)<br/>+0.000"]'));
    const v = { f: new Float32Array([0.731]) };
    const ann = mermaidSource(d, { values: v, unit: 0, token: '"<', fills: { f: '#00ff00' } });
    assert.ok(ann.includes('f["fₜ = σ(…)<br/>+0.731"]'));
    assert.ok(ann.includes('x[/"xₜ<br/>“#quot;#lt;”"/]'), 'quotes and < cannot break the mermaid syntax');
    assert.ok(ann.includes('style f fill:#00ff00'));
    assert.ok(ann.includes('c["Cₜ<br/>—"]'), 'missing values say so');
    // The x node is laid out around a value-wide placeholder; the copied text keeps the whole token.
    assert.ok(plain.includes('x[/"xₜ<br/>“0.00”"/]'));
    assert.ok(mermaidSource(d, { values: v, unit: 0, token: '2024-01-01,17.5' }).includes('“2024-01-01,17.5”'));
  });
  it('the live x node shows a token in the laid-out width (4 columns): short ones whole, long ones cut with …, line breaks as ↵', () => {
    const x = diagramFor(lstm).nodes.find((n) => n.id === 'x')!;
    const live = (token: string) => nodeValueText(x, { unit: 0, token, live: true });
    assert.deepStrictEqual(['h', 'word', '0.12', '2024-01-01,17.5', '\n', 'a\tb', '中文字符测试'].map(live),
      ['“h”', '“word”', '“0.12”', '“202…”', '“↵”', '“a→b”', '“中…”']);
    // Wide characters take two columns, and a cut never splits a surrogate pair.
    assert.strictEqual(shortToken('中文'), '中文');
    assert.strictEqual(shortToken('😀😀😀'), '😀…');
  });
  it('formats values with a sign and fixed width', () => {
    assert.deepStrictEqual([0.5, -0.0004, -1.23456, Infinity, undefined].map(formatValue), ['+0.500', '−0.000', '−1.235', '+∞', '—']);
  });
});

describe('breakpoints on the timeline', () => {
  const tokens = ['a', 'b', 'a', 'c', 'a', 'b'];
  const bp = (p: Partial<Breakpoints>): Breakpoints => ({ steps: new Set(), tokens: new Set(), condition: '', conditionHits: [], ...p });
  it('finds the next stop after the current step from steps, tokens and condition hits', () => {
    assert.strictEqual(nextBreak(bp({ steps: new Set([4]) }), tokens, 0), 4);
    assert.strictEqual(nextBreak(bp({ steps: new Set([4]), tokens: new Set(['c']) }), tokens, 0), 3);
    assert.strictEqual(nextBreak(bp({ conditionHits: [1, 2, 5] }), tokens, 2), 5);
    assert.strictEqual(nextBreak(bp({ conditionHits: [1, 2] }), tokens, 2), -1);
    assert.strictEqual(nextBreak(bp({}), tokens, 0), -1);
  });
  it('logpoints never stop playback', () => {
    assert.strictEqual(nextBreak(bp({ conditionHits: [1, 2], conditionLogs: ['a', 'b'] }), tokens, 0), -1);
    assert.strictEqual(nextBreak(bp({ conditionHits: [1], conditionLogs: ['a'], steps: new Set([3]) }), tokens, 0), 3);
  });
  it('says why a step stops', () => {
    assert.strictEqual(breakReason(bp({ steps: new Set([2]), tokens: new Set(['a']), condition: 'f.mean < 0.2', conditionHits: [2] }), tokens, 2), 'step 2, token “a”, f.mean < 0.2');
  });
});

describe('trace data cache (windows on demand)', () => {
  const summary = { runId: 7, steps: 2000, channels: ['f', 'h'], hiddenSize: 2, outputSize: 2 } as TraceSummary;
  it('asks only for the blocks it lacks, once, and serves codes from them', () => {
    const sent: WebviewToHost[] = [];
    const d = new TraceData((m) => sent.push(m));
    d.reset(summary);
    d.ensure(0, 0, 100, 700);
    d.ensure(0, 0, 0, 600);
    assert.deepStrictEqual(sent.map((m) => m.type === 'requestWindow' && [m.start, m.count]), [[0, BLOCK_STEPS], [BLOCK_STEPS, BLOCK_STEPS]]);
    const req = sent[0] as Extract<WebviewToHost, { type: 'requestWindow' }>;
    const data = new Uint8Array(BLOCK_STEPS * 2).map((_, k) => k % 256);
    d.onWindow({ type: 'window', id: req.id, runId: 7, layer: 0, direction: 0, start: 0, count: BLOCK_STEPS, channels: [{ name: 'f', width: 2, lo: 0, hi: 1, data }] });
    assert.deepStrictEqual([...d.codes(0, 0, 'f', 3)!.data], [6, 7]);
    assert.strictEqual(d.codes(0, 0, 'f', BLOCK_STEPS), undefined, 'second block not here yet');
    assert.strictEqual(d.codes(0, 1, 'f', 3), undefined, 'other direction');
    d.ensure(0, 0, 0, 10);
    assert.strictEqual(sent.length, 2, 'no second request for a cached block');
  });
  it('drops answers of an older run or an unknown request', () => {
    const sent: WebviewToHost[] = [];
    const d = new TraceData((m) => sent.push(m));
    d.reset(summary);
    d.ensure(0, 0, 0, 10);
    const id = (sent[0] as { id: number }).id;
    d.onWindow({ type: 'window', id, runId: 6, layer: 0, direction: 0, start: 0, count: 1, channels: [] });
    d.onWindow({ type: 'window', id: id + 100, runId: 7, layer: 0, direction: 0, start: 0, count: 1, channels: [] });
    assert.strictEqual(d.codes(0, 0, 'f', 0), undefined);
    assert.strictEqual(d.inFlight, 1);
  });
  it('asks for exact values of a step once and keeps them', () => {
    const sent: WebviewToHost[] = [];
    const d = new TraceData((m) => sent.push(m));
    d.reset(summary);
    assert.strictEqual(d.exactValues(0, 0, 5), undefined);
    assert.strictEqual(d.exactValues(0, 0, 5), undefined);
    assert.strictEqual(sent.length, 1);
    const id = (sent[0] as { id: number }).id;
    d.onExact({ type: 'exactStep', id, runId: 7, layer: 0, direction: 0, step: 5, values: { f: new Float32Array([0.5, 0.25]) } });
    assert.deepStrictEqual([...d.exactValues(0, 0, 5)!.f], [0.5, 0.25]);
  });
});

describe('heat-strip bands', () => {
  it('C on top like the belt, gates in diagram order, h at the bottom', () => {
    assert.deepStrictEqual(bandOrder(['i', 'f', 'g', 'o', 'c', 'h']), ['c', 'f', 'i', 'g', 'o', 'h']);
    assert.deepStrictEqual(bandOrder(['r', 'z', 'n', 'h']), ['r', 'z', 'n', 'h']);
  });
  it('splits the height without overlap', () => {
    const b = layoutBands(['i', 'f', 'g', 'o', 'c', 'h'], { i: 16, f: 16, g: 16, o: 16, c: 16, h: 16 }, 6, 196);
    assert.strictEqual(b.length, 6);
    for (let k = 1; k < b.length; k++) assert.ok(b[k].y >= b[k - 1].y + b[k - 1].h);
    assert.ok(b[5].y + b[5].h <= 6 + 196);
  });
  it('a bidirectional layer shows both directions, forward block above the reverse block', () => {
    const b = layoutBands(['r', 'z', 'n', 'h'], { r: 8, z: 8, n: 8, h: 8 }, 0, 300, 4, 2);
    assert.deepStrictEqual(b.map((x) => x.label), ['→r', '→z', '→n', '→h', '←r', '←z', '←n', '←h']);
    assert.deepStrictEqual(b.map((x) => x.dir), [0, 0, 0, 0, 1, 1, 1, 1]);
    assert.ok(b[4].y - (b[3].y + b[3].h) > 4, 'a wider gap between the blocks');
    assert.ok(b[7].y + b[7].h <= 300);
  });
});
