/**
 * Playback in the webview (jsdom, whose requestAnimationFrame runs at 60 Hz): one store update per
 * frame that may move several steps, yet it stops exactly at a breakpoint, prints every logpoint it
 * passes, stops at the end; and starting or stopping playback is not taken for a theme change.
 */
import * as assert from 'assert';
import type { InitMessage, WebviewStrings } from '../../../src/protocol/messages';
import { installDom, FakeHost } from './jsdomEnv';
import { App } from '../../../webview/main';
import type { TimelineView } from '../../../webview/views/timeline';
import { buildStrings } from '../../../src/panel/stringTable';

const strings = new Proxy({}, { get: (_t, k) => (k === 'step' ? 'Step' : k === 'breakpointHit' ? 'Breakpoint hit' : String(k)) }) as WebviewStrings;

function init(text: string): InitMessage {
  return {
    type: 'init', strings, tokens: Array.from(text), notices: [],
    source: { text, label: 'a.txt', fromCurrentLine: false, originalLength: text.length },
  };
}

async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('webview playback (jsdom)', () => {
  let host: FakeHost;
  let app: App;
  const key = (k: string) => document.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true }));
  const setSpeed = (v: number) => {
    const sel = document.querySelector<HTMLSelectElement>('select.speed')!;
    sel.value = String(v);
    sel.dispatchEvent(new Event('change'));
  };
  const logs = () => host.posted.filter((m) => m.type === 'log').map((m) => (m as { text: string }).text);
  const timeline = () => (app as unknown as { timeline: TimelineView }).timeline;
  beforeEach(() => {
    host = installDom();
    app = new App(document.getElementById('app')!);
    app.start();
  });
  afterEach(() => {
    app.store.update({ playing: false });
    host.cleanup();
  });

  it('at 120 steps/s (two steps a frame) stops exactly on a token breakpoint and says why', async () => {
    app.onMessage(init('abcdefghijklmnopqrstuvwxyz'));
    app.store.update({ step: 13 });
    (document.querySelector('button.token-bp') as HTMLButtonElement).click(); // break on "n"
    key('Home');
    setSpeed(120);
    key(' ');
    assert.strictEqual(app.store.get().playing, true);
    await until('the breakpoint', () => !app.store.get().playing);
    assert.strictEqual(app.store.get().step, 13);
    assert.strictEqual(timeline().status.textContent, 'Breakpoint hit: Step 13 — token “n”');
    assert.deepStrictEqual(logs(), ['[breakpoint] step 13 “n”: token “n”']);
    assert.strictEqual(document.querySelector('.cell.current .token')?.textContent, 'n');
  });

  it('the ◆ button says it sets (or removes) a breakpoint at every step with the current token', () => {
    app.onMessage({ ...init('ab\nab'), strings: buildStrings((m) => m) });
    const btn = document.querySelector('button.token-bp') as HTMLButtonElement;
    assert.strictEqual(btn.title, 'Break at every step whose token is “a”');
    assert.strictEqual(btn.getAttribute('aria-label'), btn.title);
    btn.click();
    assert.strictEqual(btn.title, 'Remove the breakpoint at every step whose token is “a”');
    assert.strictEqual(btn.getAttribute('aria-pressed'), 'true');
    app.store.update({ step: 2 });
    assert.strictEqual(btn.title, 'Break at every step whose token is “↵”');
    app.store.update({ step: 3 });
    assert.strictEqual(btn.title, 'Remove the breakpoint at every step whose token is “a”');
    btn.click();
    assert.strictEqual(btn.getAttribute('aria-pressed'), 'false');
    assert.match(document.querySelector('canvas.marks')!.getAttribute('title')!, /^Breakpoints: click a step/);
  });

  it('while playing the host hears the step at most ~10 times a second, each the step shown then; the last is the step it stops at', async () => {
    const text = 'x'.repeat(150);
    app.onMessage(init(text));
    const posted = () => host.posted.filter((m) => m.type === 'stepChanged').map((m) => (m as { step: number }).step);
    const before = posted().length;
    setSpeed(120);
    const t0 = Date.now();
    const seen: [number, number][] = [];
    const sub = app.store.subscribe((st) => seen.push([Date.now(), st.step]));
    key(' ');
    await until('the end', () => !app.store.get().playing);
    sub();
    const ms = Date.now() - t0;
    const during = posted().slice(before);
    // 150 steps shown one frame at a time, but ≤ one message per 100 ms (+ the first and the final one).
    assert.ok(seen.length > 20, `playback showed only ${seen.length} updates`);
    assert.ok(during.length >= 3 && during.length <= ms / 100 + 2, `${during.length} messages in ${ms} ms`);
    assert.strictEqual(during.at(-1), 149);
    assert.deepStrictEqual([...during].sort((a, b) => a - b), during, 'steps in order');
    // Paused, every step reaches the host at once.
    const n = posted().length;
    key('ArrowLeft');
    key('ArrowLeft');
    assert.deepStrictEqual(posted().slice(n), [148, 147]);
  });

  it('prints every logpoint hit it passes, in order, and stops at the last step', async () => {
    app.onMessage(init('abcdefghijklmnopqrstuvwxyz'));
    timeline().setConditionResult('t % 3 == 1', [1, 2, 4, 7, 25], undefined, ['one', 'two', 'four', 'seven', 'last']);
    setSpeed(120);
    key(' ');
    await until('the end', () => !app.store.get().playing);
    assert.strictEqual(app.store.get().step, 25);
    assert.deepStrictEqual(logs(), ['one', 'two', 'four', 'seven', 'last'].map((m, k) => {
      const t = [1, 2, 4, 7, 25][k];
      return `[logpoint] step ${t} “${'abcdefghijklmnopqrstuvwxyz'[t]}”: ${m}`;
    }));
  });

  it('pausing keeps the step; the counter and the current cell follow every played frame', async () => {
    app.onMessage(init('x'.repeat(500)));
    setSpeed(60);
    key(' ');
    await until('a few steps', () => app.store.get().step >= 3);
    key(' ');
    const at = app.store.get().step;
    await new Promise((r) => setTimeout(r, 100));
    assert.strictEqual(app.store.get().step, at, 'no step after the pause');
    assert.strictEqual(document.querySelector('.timeline .counter')?.textContent?.startsWith(`Step ${at} `), true);
    assert.strictEqual(document.querySelector('.cell.current')?.getAttribute('data-step'), String(at));
  });

  it('while playing, the cells of the next page are built ahead (not reported as shown); pausing drops them', async () => {
    const text = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    app.onMessage(init(text));
    const shown = app.report(1).tokens;
    assert.deepStrictEqual(shown, Array.from(text.slice(0, shown.length)), 'the first page');
    const n = shown.length;
    setSpeed(1);
    key(' ');
    const cells = () => [...document.querySelectorAll<HTMLElement>('.cell')];
    await until('the next page', () => cells().length === 2 * n);
    for (const c of cells()) {
      const step = Number(c.dataset.step);
      assert.strictEqual(c.querySelector('.token')!.textContent, text[step]);
      assert.strictEqual(c.style.left, `${step * 56}px`);
    }
    assert.deepStrictEqual(app.report(2).tokens, shown, 'a report names the cells in view only');
    key(' ');
    await until('the page alone', () => cells().length === n);
    assert.deepStrictEqual(cells().map((c) => c.dataset.step), shown.map((_t, k) => String(k)));
  });

  it('starting and stopping playback is not a theme change; a new theme class on <body> is', async () => {
    app.onMessage(init('abcdef'));
    let themed = 0;
    (app as unknown as { onThemeChange(): void }).onThemeChange = () => { themed++; };
    key(' ');
    await new Promise((r) => setTimeout(r, 20));
    key(' ');
    await new Promise((r) => setTimeout(r, 20));
    assert.strictEqual(themed, 0, 'play/pause re-themed the panel (mermaid re-rendered, caches dropped)');
    assert.strictEqual(document.body.className, '');
    document.body.className = 'vscode-light';
    await new Promise((r) => setTimeout(r, 20));
    assert.strictEqual(themed, 1);
  });
});
