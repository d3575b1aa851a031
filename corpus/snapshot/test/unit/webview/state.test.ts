import * as assert from 'assert';
import { Store, MAX_STEP_WIDTH, MIN_STEP_WIDTH } from '../../../webview/state';
import { DETAIL_MIN_WIDTH, scrollToShow, visibleRange, zoomScroll } from '../../../webview/lod';

describe('webview state store (the one selection all views follow)', () => {
  const limits = { steps: 10, layers: 2, directions: 2, units: 8, gates: ['i', 'f', 'g', 'o'] };

  it('clamps step, layer, direction, unit into the sequence and network', () => {
    const s = new Store();
    s.setLimits(limits);
    s.update({ step: 99, layer: 5, direction: 3, unit: -2 });
    assert.deepStrictEqual([s.get().step, s.get().layer, s.get().direction, s.get().unit], [9, 1, 1, 0]);
    s.update({ step: -5 });
    assert.strictEqual(s.get().step, 0);
  });

  it('rejects a gate the cell does not have and clamps zoom', () => {
    const s = new Store();
    s.setLimits(limits);
    s.update({ gate: 'z' });
    assert.strictEqual(s.get().gate, '');
    s.update({ gate: 'f', stepWidth: 1e9 });
    assert.strictEqual(s.get().gate, 'f');
    assert.strictEqual(s.get().stepWidth, MAX_STEP_WIDTH);
    s.update({ stepWidth: 0 });
    assert.strictEqual(s.get().stepWidth, MIN_STEP_WIDTH);
  });

  it('notifies listeners with exactly the keys that changed, and not at all for no-ops', () => {
    const s = new Store();
    s.setLimits(limits);
    const seen: string[][] = [];
    s.subscribe((_st, changed) => seen.push([...changed].sort()));
    s.update({ step: 3 });
    s.update({ step: 3 });
    s.update({ step: 4, unit: 2 });
    assert.deepStrictEqual(seen, [['step'], ['step', 'unit']]);
  });

  it('a shorter new sequence pulls the current step back inside it', () => {
    const s = new Store();
    s.setLimits(limits);
    s.update({ step: 8 });
    s.setLimits({ ...limits, steps: 3 });
    assert.strictEqual(s.get().step, 2);
  });

  it('stepBy reports whether it moved (stops at the ends)', () => {
    const s = new Store();
    s.setLimits(limits);
    assert.strictEqual(s.stepBy(-1), false);
    assert.strictEqual(s.stepBy(1), true);
    s.update({ step: 9 });
    assert.strictEqual(s.stepBy(1), false);
  });

  it('an empty sequence cannot play', () => {
    const s = new Store();
    s.setLimits({ ...limits, steps: 0 });
    s.update({ playing: true });
    assert.strictEqual(s.get().playing, false);
  });
});

describe('level of detail', () => {
  it('few wide steps are detailed cells; many narrow steps are compact columns', () => {
    assert.deepStrictEqual(visibleRange(5, 56, 0, 800), { mode: 'detailed', first: 0, end: 5 });
    const r = visibleRange(10000, 4, 4000, 800);
    assert.deepStrictEqual(r, { mode: 'compact', first: 1000, end: 1200 });
    assert.strictEqual(visibleRange(10000, DETAIL_MIN_WIDTH - 1, 0, 800).mode, 'compact');
    assert.strictEqual(visibleRange(0, 56, 0, 800).mode, 'empty');
  });

  it('caps detailed cells even on a very wide viewport', () => {
    assert.strictEqual(visibleRange(1000, 30, 0, 30 * 200).mode, 'compact');
  });

  it('scrolls only when the step leaves the view, keeping a margin', () => {
    assert.strictEqual(scrollToShow(3, 50, 0, 800), 0);
    const left = scrollToShow(40, 50, 0, 800);
    assert.ok(40 * 50 + 50 <= left + 800 && 40 * 50 >= left, `step 40 visible at scrollLeft ${left}`);
    assert.strictEqual(scrollToShow(0, 50, 1000, 800), 0);
  });

  it('zooming keeps the step under the pointer in place', () => {
    // Pointer at x=200 over step (1000+200)/50 = 24; after zoom to 100px that step must still sit at x=200.
    const left = zoomScroll(200, 1000, 50, 100);
    assert.strictEqual((left + 200) / 100, 24);
  });
});
