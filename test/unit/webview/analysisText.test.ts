/**
 * The virtualised text-by-unit view: row layout (line breaks end rows, long lines wrap at token boundaries,
 * wide characters take two columns), which rows are in the DOM for a scroll position, following the current
 * step, and under jsdom that a 10,000-token text keeps only the visible rows in the DOM while the current
 * token, its colour and clicks still work. Expected values are worked out by hand from the rules above.
 */
import * as assert from 'assert';
import { installDom, type FakeHost } from './jsdomEnv';
import { followRow, labelColumns, layoutRows, rowOf, rowWindow, ROW_PX, TextByUnitView } from '../../../webview/analysis/text';
import type { UnitSeriesMessage } from '../../../src/protocol/messages';

const chars = (s: string) => Array.from(s);

describe('text by unit: row layout', () => {
  it('a line break token ends its row; the next token starts a new one', () => {
    assert.deepStrictEqual([...layoutRows(chars('ab\ncd\n\ne'), 80)], [0, 3, 6, 7]);
    // A trailing line break does not open an empty last row.
    assert.deepStrictEqual([...layoutRows(chars('ab\n'), 80)], [0]);
    assert.deepStrictEqual([...layoutRows(['x', '\r\n', 'y'], 80)], [0, 2]);
  });

  it('a row wraps before the token that would pass the width, never inside a token', () => {
    assert.deepStrictEqual([...layoutRows(chars('abcdefg'), 3)], [0, 3, 6]);
    // Words: "hello"(5) " "(1) "big"(3) " "(1) "world"(5) in 8 columns: "hello " | "big " | "world".
    assert.deepStrictEqual([...layoutRows(['hello', ' ', 'big', ' ', 'world'], 8)], [0, 2, 4]);
    // A token wider than the row still gets a row of its own.
    assert.deepStrictEqual([...layoutRows(['a', 'toolongword', 'b'], 4)], [0, 1, 2]);
  });

  it('East Asian wide characters take two columns', () => {
    assert.strictEqual(labelColumns('中'), 2);
    assert.strictEqual(labelColumns('ab'), 2);
    assert.strictEqual(labelColumns('↵'), 1);
    assert.deepStrictEqual([...layoutRows(chars('中文字'), 4)], [0, 2]);
  });

  it('rowOf finds the row holding a token (first, middle, last of a row)', () => {
    const starts = Int32Array.of(0, 3, 6, 7);
    assert.deepStrictEqual([0, 2, 3, 5, 6, 7, 9].map((t) => rowOf(starts, t)), [0, 0, 1, 1, 2, 3, 3]);
  });

  it('rowWindow keeps the rows in the viewport plus the overscan, clamped to the text', () => {
    // 20 px rows, 4 px top padding, 180 px viewport, overscan 3.
    assert.strictEqual(ROW_PX, 20);
    assert.deepStrictEqual(rowWindow(500, 0, 180), [0, 12]); // rows 0..8 visible (ceil(176/20) = 9), +3
    assert.deepStrictEqual(rowWindow(500, 404, 180), [17, 32]); // rows 20..28 visible
    assert.deepStrictEqual(rowWindow(5, 0, 180), [0, 5]);
    assert.deepStrictEqual(rowWindow(0, 0, 180), [0, 0]);
  });

  it('followRow leaves a visible row alone and brings a hidden one a third of the way down, clamped', () => {
    assert.strictEqual(followRow(3, 500, 0, 180), 0);
    // Row 8: top 4 + 160 = 164, bottom 184 > 180, not fully visible → its top goes to 180/3 = 60 px down.
    assert.strictEqual(followRow(8, 500, 0, 180), 104);
    assert.strictEqual(followRow(9, 500, 0, 180), 124); // 4 + 180 − 60
    assert.strictEqual(followRow(2, 500, 400, 180), 0); // 4 + 40 − 60 < 0 → 0
    assert.strictEqual(followRow(499, 500, 0, 180), 500 * 20 + 8 - 180); // clamped at the bottom
    assert.strictEqual(followRow(3, 500, 0, 180, true), 4); // always: 4 + 60 − 60
  });
});

describe('text by unit: virtualised DOM (jsdom)', function () {
  this.timeout(20_000); // jsdom builds hundreds of spans per test: slow on a loaded machine
  let host: FakeHost;
  beforeEach(() => { host = installDom(); });
  afterEach(() => host.cleanup());

  // 10,000 tokens in 250 lines of 39 characters and a line break: 250 rows at the default 80 columns.
  const tokens = chars('x = foo(bar[1], "baz") + qux  # comment\n'.repeat(250));
  const series = (channel = 'c'): UnitSeriesMessage => ({
    type: 'unitSeries', id: 1, runId: 1, layer: 0, direction: 0, channel, unit: 5, lo: -1, hi: 1,
    codes: Uint8Array.from({ length: tokens.length }, (_, t) => (t * 37) % 256), saturatedSteps: [],
  });
  const shownSteps = (v: TextByUnitView) => [...v.body.querySelectorAll<HTMLElement>('.tok')].map((e) => Number(e.dataset.step));

  it('keeps only the rows around the viewport in the DOM, whatever the length', () => {
    assert.strictEqual(tokens.length, 10_000);
    const v = new TextByUnitView('Text', 'Most variable');
    v.render(tokens, 0, series(), [30, 30, 30], 'Unit 5');
    // Rows 0..11 (see rowWindow) of 40 tokens each.
    assert.deepStrictEqual(shownSteps(v), Array.from({ length: 12 * 40 }, (_, t) => t));
    assert.strictEqual(v.body.querySelector('.text-rows')!.getAttribute('style')?.includes(`height: ${250 * ROW_PX}px`), true, 'the spacer has the height of all 250 rows');
  });

  it('follows the current step: a far step scrolls its row into view and is the one marked current', () => {
    const v = new TextByUnitView('Text', 'Most variable');
    const s = series();
    v.render(tokens, 0, s, [30, 30, 30], 'Unit 5');
    v.render(tokens, 6000, s, [30, 30, 30], 'Unit 5'); // row 150
    assert.strictEqual(v.body.scrollTop, 4 + 150 * 20 - 60);
    const shown = shownSteps(v);
    assert.ok(shown.includes(6000) && !shown.includes(0), 'the rows around step 6000 replaced those at the start');
    assert.ok(shown.length <= 15 * 40, `${shown.length} tokens in the DOM`);
    const current = [...v.body.querySelectorAll<HTMLElement>('.tok.current')];
    assert.deepStrictEqual(current.map((e) => e.dataset.step), ['6000']);
    assert.strictEqual(current[0].getAttribute('aria-current'), 'true');
    // One step on inside the same row: no scroll, the mark moves.
    v.render(tokens, 6001, s, [30, 30, 30], 'Unit 5');
    assert.strictEqual(v.body.scrollTop, 4 + 150 * 20 - 60);
    assert.deepStrictEqual([...v.body.querySelectorAll<HTMLElement>('.tok.current')].map((e) => e.dataset.step), ['6001']);
  });

  it('colours each token by its own code and keeps the value in its title; click moves the step', () => {
    const v = new TextByUnitView('Text', 'Most variable');
    const steps: number[] = [];
    v.onStep = (t) => steps.push(t);
    const s = series();
    v.render(tokens, 0, s, [30, 30, 30], 'Unit 5');
    const spans = [...v.body.querySelectorAll<HTMLElement>('.tok')];
    // Codes 0, 37, 74: three different colours; code 0 is −1 and the title says so.
    assert.strictEqual(new Set(spans.slice(0, 3).map((e) => e.style.background)).size, 3);
    assert.strictEqual(spans[0].title, '0: -1.000');
    // Equal codes, equal colours: tokens 0 and 256 both have code 0 (256·37 mod 256 = 0).
    assert.strictEqual(spans[256].style.background, spans[0].style.background);
    spans[41].dispatchEvent(new MouseEvent('click', { bubbles: true }));
    assert.deepStrictEqual(steps, [41]);
  });

  it('a new unit recolours the rows in the DOM; until its values arrive the old colours stay', () => {
    const v = new TextByUnitView('Text', 'Most variable');
    v.render(tokens, 0, series(), [30, 30, 30], 'Unit 5');
    const before = [...v.body.querySelectorAll<HTMLElement>('.tok')].map((e) => e.style.background);
    assert.strictEqual(v.body.getAttribute('aria-busy'), 'false');
    assert.strictEqual(v.body.dataset.series, 'c/5');
    v.render(tokens, 0, undefined, [30, 30, 30], 'Unit 6');
    assert.deepStrictEqual([...v.body.querySelectorAll<HTMLElement>('.tok')].map((e) => e.style.background), before);
    assert.strictEqual(v.caption.textContent, 'Unit 6');
    // The caption already says unit 6 while the colours are still unit 5's: the view says it is waiting.
    assert.strictEqual(v.body.getAttribute('aria-busy'), 'true');
    assert.strictEqual(v.body.dataset.series, 'c/5');
    const gate = { ...series('f'), lo: 0, hi: 1, unit: 6 };
    v.render(tokens, 0, gate, [30, 30, 30], 'Unit 6');
    assert.strictEqual(v.body.getAttribute('aria-busy'), 'false');
    assert.strictEqual(v.body.dataset.series, 'f/6');
    const after = [...v.body.querySelectorAll<HTMLElement>('.tok')].map((e) => e.style.background);
    assert.notDeepStrictEqual(after, before, 'a gate is drawn on the sequential scale');
    assert.match(v.caption.textContent ?? '', /^Unit 6 · 0\.00\s*0\.50\s*1\.00$/);
  });

  it('the scroller is focusable and announced as a list of the tokens (position in the whole text)', () => {
    const v = new TextByUnitView('Text', 'Most variable');
    v.render(tokens, 0, series(), [30, 30, 30], 'Unit 5');
    assert.strictEqual(v.body.getAttribute('tabindex'), '0');
    assert.strictEqual(v.body.getAttribute('role'), 'list');
    const first = v.body.querySelector<HTMLElement>('.tok')!;
    assert.deepStrictEqual([first.getAttribute('role'), first.getAttribute('aria-posinset'), first.getAttribute('aria-setsize')], ['listitem', '1', '10000']);
  });
});
