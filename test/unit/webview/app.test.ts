import * as assert from 'assert';
import type { InitMessage, RenderReport, WebviewStrings } from '../../../src/protocol/messages';
import { installDom, FakeHost } from './jsdomEnv';
import { App } from '../../../webview/main';

const strings = new Proxy({}, { get: (_t, k) => (k === 'step' ? 'Step' : k === 'token' ? 'Token' : k === 'emptySelection' ? 'Nothing to visualize' : String(k)) }) as WebviewStrings;

function init(text: string, extra: Partial<InitMessage> = {}): InitMessage {
  return {
    type: 'init', strings, tokens: Array.from(text), notices: [],
    source: { text, label: 'a.txt:1:1–1:6', fromCurrentLine: false, originalLength: text.length },
    ...extra,
  };
}

function report(app: App, _host: FakeHost): RenderReport {
  return app.report(7);
}

describe('webview app (jsdom)', () => {
  let host: FakeHost;
  let app: App;
  beforeEach(() => {
    host = installDom();
    app = new App(document.getElementById('app')!);
  });
  afterEach(() => host.cleanup());

  it('says ready before anything else, then shows one labelled cell per token', () => {
    app.start();
    assert.deepStrictEqual(host.posted[0], { type: 'ready' });
    app.onMessage(init('hi yo\n'));
    const cells = [...document.querySelectorAll('.cell')];
    assert.deepStrictEqual(cells.map((c) => c.querySelector('.token')!.textContent), ['h', 'i', '␣', 'y', 'o', '↵']);
    assert.strictEqual(cells[0].getAttribute('aria-label'), 'Step 0: h');
    const r = report(app, host);
    assert.deepStrictEqual(r.tokens, ['h', 'i', '␣', 'y', 'o', '↵']);
    assert.strictEqual(r.stepCount, 6);
    assert.strictEqual(r.mode, 'detailed');
    assert.strictEqual(r.counter, 'Step 0 (0–5) · Token “h”');
  });

  it('answers a report request through the host channel', async () => {
    app.onMessage(init('ab'));
    app.onMessage({ type: 'renderReportRequest', id: 9 });
    await new Promise((r) => setTimeout(r, 0));
    const r = host.posted.find((m) => m.type === 'renderReport');
    assert.ok(r && r.type === 'renderReport' && r.id === 9 && r.stepCount === 2);
  });

  it('an empty selection shows a clear message and no cells', () => {
    app.onMessage(init(''));
    assert.strictEqual(document.querySelectorAll('.cell').length, 0);
    assert.strictEqual(document.querySelector('.message')!.textContent, 'Nothing to visualize');
    assert.strictEqual(report(app, host).mode, 'empty');
  });

  it('a run that fails shows the error and no longer says it is computing', () => {
    app.onMessage(init('abc'));
    app.onMessage({ type: 'traceProgress', progress: 0.5 });
    assert.match(document.querySelector('.progress')!.textContent ?? '', /50%/);
    app.onMessage({ type: 'error', message: 'Unroll could not compute the network: model.onnx is not an ONNX model' });
    assert.strictEqual(document.querySelector('.message')!.textContent, 'Unroll could not compute the network: model.onnx is not an ONNX model');
    assert.strictEqual(document.querySelector('.progress')!.textContent, '');
  });

  it('shows the host notices (current line, truncation)', () => {
    app.onMessage(init('abc', { notices: ['No selection: showing the current line (a.txt line 3).'] }));
    assert.deepStrictEqual([...document.querySelectorAll('.notice')].map((n) => n.textContent), ['No selection: showing the current line (a.txt line 3).']);
  });

  it('100,000 tokens render only what is visible (no freeze)', () => {
    const t0 = Date.now();
    app.onMessage(init('x'.repeat(100_000)));
    const r = report(app, host);
    assert.ok(document.querySelectorAll('.cell').length <= 96, 'virtualised');
    assert.strictEqual(r.stepCount, 100_000);
    assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
  });

  it('arrow keys, Home and End move the highlighted step and tell the host', () => {
    app.start();
    app.onMessage(init('abcdef'));
    const key = (k: string) => document.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true }));
    key('ArrowRight');
    key('ArrowRight');
    assert.strictEqual(document.querySelector('.cell.current .token')!.textContent, 'c');
    key('End');
    assert.strictEqual(report(app, host).step, 5);
    key('Home');
    key('ArrowLeft');
    assert.strictEqual(report(app, host).step, 0);
    const changes = host.posted.filter((m) => m.type === 'stepChanged').map((m) => (m as { step: number }).step);
    assert.deepStrictEqual(changes, [1, 2, 5, 0]);
  });

  it('an init with token spans (large selections) shows the same cells as one with token strings', () => {
    app.start();
    app.onMessage(init('hi yo\n', { tokens: [], spans: { starts: Uint32Array.from([0, 1, 2, 3, 4, 5]), lengths: Uint32Array.from([1, 1, 1, 1, 1, 1]) } }));
    const r = report(app, host);
    assert.deepStrictEqual(r.tokens, ['h', 'i', '␣', 'y', 'o', '↵']);
    assert.strictEqual(r.counter, 'Step 0 (0–5) · Token “h”');
  });

  it('selecting a unit or gate tells the host (the editor colouring follows), "h" when no gate is selected', () => {
    app.start();
    app.onMessage(init('abcdef'));
    app.store.update({ unit: 3 });
    app.store.update({ gate: 'f' });
    const sel = host.posted.filter((m) => m.type === 'unitSelected');
    assert.deepStrictEqual(sel, [{ type: 'unitSelected', unit: 3, channel: 'h' }, { type: 'unitSelected', unit: 3, channel: 'f' }]);
  });

  it('persists the view with setState and restores it after a reload of the same text', async () => {
    app.onMessage(init('abcdef'));
    app.store.update({ step: 4, stepWidth: 80 });
    await new Promise((r) => setTimeout(r, 5));
    const saved = host.state;
    assert.strictEqual(saved?.view?.step, 4);
    host.cleanup();
    host = installDom(saved);
    app = new App(document.getElementById('app')!);
    app.onMessage(init('abcdef'));
    assert.strictEqual(app.store.get().step, 4);
    assert.strictEqual(app.store.get().stepWidth, 80);
    assert.strictEqual(document.querySelector('.cell.current .token')!.textContent, 'e');
  });

  it('a different text after reload starts from the host view, not the stale one', () => {
    host.state = { source: { text: 'old', label: '', fromCurrentLine: false, originalLength: 3 }, view: { step: 2 } };
    app.onMessage(init('new text'));
    assert.strictEqual(app.store.get().step, 0);
  });
});
