import * as assert from 'assert';
import { parsePersistedState, parseWebviewMessage, MAX_WINDOW_STEPS } from '../../../src/protocol/messages';

describe('protocol: messages from the webview are validated', () => {
  it('accepts each well-formed message type', () => {
    assert.deepStrictEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepStrictEqual(
      parseWebviewMessage({ type: 'requestWindow', id: 3, runId: 1, layer: 0, direction: 1, start: 100, count: 64 }),
      { type: 'requestWindow', id: 3, runId: 1, layer: 0, direction: 1, start: 100, count: 64 });
    assert.deepStrictEqual(parseWebviewMessage({ type: 'stepChanged', step: 7, layer: 1, direction: 0 }),
      { type: 'stepChanged', step: 7, layer: 1, direction: 0 });
    assert.deepStrictEqual(parseWebviewMessage({ type: 'copyText', text: 'graph TD' }), { type: 'copyText', text: 'graph TD' });
    assert.deepStrictEqual(parseWebviewMessage({ type: 'scan', id: 1, runId: 2, expression: 'f.mean < 0.2' }),
      { type: 'scan', id: 1, runId: 2, expression: 'f.mean < 0.2' });
  });

  it('a unit selection reaches the host only with a unit index and a plain channel name', () => {
    assert.deepStrictEqual(parseWebviewMessage({ type: 'unitSelected', unit: 39, channel: 'c' }), { type: 'unitSelected', unit: 39, channel: 'c' });
    assert.strictEqual(parseWebviewMessage({ type: 'unitSelected', unit: -1, channel: 'h' }), undefined);
    assert.strictEqual(parseWebviewMessage({ type: 'unitSelected', unit: 2, channel: 'h; rm' }), undefined);
  });

  it('drops extra fields instead of passing them on', () => {
    const m = parseWebviewMessage({ type: 'stepChanged', step: 1, layer: 0, direction: 0, evil: '<script>' });
    assert.deepStrictEqual(Object.keys(m!).sort(), ['direction', 'layer', 'step', 'type']);
  });

  const bad: [string, unknown][] = [
    ['null', null],
    ['a string', 'ready'],
    ['an array', [{ type: 'ready' }]],
    ['an unknown type', { type: 'runShell', cmd: 'rm -rf /' }],
    ['a negative step', { type: 'stepChanged', step: -1, layer: 0, direction: 0 }],
    ['a fractional step', { type: 'stepChanged', step: 1.5, layer: 0, direction: 0 }],
    ['NaN', { type: 'stepChanged', step: NaN, layer: 0, direction: 0 }],
    ['a string number', { type: 'stepChanged', step: '3', layer: 0, direction: 0 }],
    ['direction 2', { type: 'stepChanged', step: 0, layer: 0, direction: 2 }],
    ['a zero-length window', { type: 'requestWindow', id: 1, runId: 1, layer: 0, direction: 0, start: 0, count: 0 }],
    ['an oversize window', { type: 'requestWindow', id: 1, runId: 1, layer: 0, direction: 0, start: 0, count: MAX_WINDOW_STEPS + 1 }],
    ['a missing id', { type: 'requestExactStep', runId: 1, layer: 0, direction: 0, step: 0 }],
    ['a huge expression', { type: 'scan', id: 1, runId: 1, expression: 'x'.repeat(5000) }],
    ['a non-string copy', { type: 'copyText', text: { toString: 'x' } }],
    ['a report with a non-string token', { type: 'renderReport', id: 1, stepCount: 1, tokens: [1], notices: [], message: '', step: 0, mode: 'detailed', counter: '', diagramValues: {} }],
  ];
  for (const [what, raw] of bad) {
    it(`rejects ${what}`, () => assert.strictEqual(parseWebviewMessage(raw), undefined));
  }
});

describe('protocol: persisted state from a restored webview', () => {
  it('keeps a valid source and view', () => {
    const st = parsePersistedState({ source: { text: 'abc', label: 'a.txt line 1', fromCurrentLine: true, originalLength: 3, uri: 'file:///a.txt' }, view: { step: 2, stepWidth: 40, gate: 'f' } });
    assert.strictEqual(st.source?.text, 'abc');
    assert.strictEqual(st.source?.uri, 'file:///a.txt');
    assert.deepStrictEqual(st.view, { step: 2, stepWidth: 40, gate: 'f' });
  });
  it('drops malformed parts instead of throwing', () => {
    assert.deepStrictEqual(parsePersistedState(undefined), {});
    assert.deepStrictEqual(parsePersistedState('junk'), {});
    const st = parsePersistedState({ source: { text: 5, label: 'x' }, view: { step: -4, stepWidth: Infinity, speed: 0, layer: 1 } });
    assert.strictEqual(st.source, undefined);
    assert.deepStrictEqual(st.view, { layer: 1 });
  });
});

describe('protocol: cell and reading survive a reload only when well-formed', () => {
  it('keeps lstm/gru names and reading ids, drops anything else', () => {
    const ok = parsePersistedState({ source: { text: 'a', label: '', fromCurrentLine: false, originalLength: 1, cell: 'gru_cho', reading: 'csv:2' } });
    assert.strictEqual(ok.source?.cell, 'gru_cho');
    assert.strictEqual(ok.source?.reading, 'csv:2');
    const bad = parsePersistedState({ source: { text: 'a', label: '', fromCurrentLine: false, originalLength: 1, cell: '<img>', reading: 'words; rm' } });
    assert.strictEqual(bad.source?.cell, undefined);
    assert.strictEqual(bad.source?.reading, undefined);
  });
});
