/**
 * Text on coloured diagram nodes (issue 4): black or white by WCAG contrast, readable on every fill the
 * node scales produce in VS Code 1.100's own theme colours; and the diagram's layout choice.
 */
import * as assert from 'assert';
import { contrastRatio, parseColor, textOn, valueColor, type Rgb, type ThemeColors } from '../../../webview/colors';
import { chooseLayout, MAX_SCALE, svgSize } from '../../../webview/views/diagram';
import { edgeEnds, flowStages } from '../../../webview/views/diagramFlow';
import { diagramFor } from '../../../webview/diagrams';

const hex = (s: string): Rgb => parseColor(s)!;
/**
 * editor.background and charts.green / charts.blue / charts.orange as VS Code 1.100.3 defines them
 * (theme-defaults JSON and the colour registry's dark / light / hcDark / hcLight defaults).
 */
const THEMES: Record<string, ThemeColors> = {
  'Dark Modern': { background: hex('#1f1f1f'), open: hex('#89d185'), negative: hex('#3794ff'), positive: hex('#d18616') },
  'Light Modern': { background: hex('#ffffff'), open: hex('#388a34'), negative: hex('#1a85ff'), positive: hex('#d18616') },
  'Dark High Contrast': { background: hex('#000000'), open: hex('#89d185'), negative: hex('#3794ff'), positive: hex('#ab5a00') },
  'Light High Contrast': { background: hex('#ffffff'), open: hex('#374e06'), negative: hex('#1a85ff'), positive: hex('#0f4a85') },
};

describe('diagram text colour (WCAG contrast)', () => {
  it('contrast ratios match WCAG 2 reference values', () => {
    assert.strictEqual(contrastRatio([0, 0, 0], [255, 255, 255]), 21);
    assert.strictEqual(contrastRatio([255, 255, 255], [0, 0, 0]), 21, 'order does not matter');
    assert.strictEqual(contrastRatio([119, 119, 119], [119, 119, 119]), 1);
    // #767676 on white is the classic "just passes AA" grey (4.54:1); #777777 just fails (4.48:1).
    assert.ok(Math.abs(contrastRatio(hex('#767676'), [255, 255, 255]) - 4.54) < 0.01);
    assert.ok(Math.abs(contrastRatio(hex('#777777'), [255, 255, 255]) - 4.48) < 0.01);
  });

  it('the open forget gate on Dark Modern (light green) gets dark text; white on it was unreadable', () => {
    const fill = valueColor(0.792, 'sigmoid', THEMES['Dark Modern']);
    assert.strictEqual(textOn(fill), '#000000');
    assert.ok(contrastRatio(fill, [0, 0, 0]) >= 4.5);
    assert.ok(contrastRatio(fill, [255, 255, 255]) < 3, `white on ${fill} would be ${contrastRatio(fill, [255, 255, 255]).toFixed(2)}:1`);
  });

  it('every fill of every scale, in light, dark and both high-contrast themes, gets text at 4.5:1 or more', () => {
    for (const [name, theme] of Object.entries(THEMES)) {
      for (let k = -200; k <= 200; k++) {
        const v = k / 100; // −2 … 2: past the ends of both scales too (clamped)
        for (const kind of ['sigmoid', 'diverging'] as const) {
          const fill = valueColor(v, kind, theme);
          const text = textOn(fill);
          const ratio = contrastRatio(fill, hex(text));
          assert.ok(ratio >= 4.5, `${name}: ${kind} ${v} fill rgb(${fill}) with ${text} is ${ratio.toFixed(2)}:1`);
        }
      }
      // A value of 0 is the background itself: the theme's own kind of text (white on dark, black on light).
      assert.strictEqual(textOn(valueColor(0, 'diverging', theme)), name.startsWith('Dark') ? '#ffffff' : '#000000', name);
    }
  });

  it('picks the better of black and white on every grey', () => {
    for (let g = 0; g <= 255; g++) {
      const c: Rgb = [g, g, g];
      const best = Math.max(contrastRatio(c, [0, 0, 0]), contrastRatio(c, [255, 255, 255]));
      assert.strictEqual(contrastRatio(c, hex(textOn(c))), best, `grey ${g}`);
      assert.ok(best >= 4.58 - 1e-9, `grey ${g}: ${best}`);
    }
  });
});

describe('cell diagram layout', () => {
  // Natural sizes of the LSTM graph as mermaid draws it (12 px text): top-down and left-to-right.
  const lstm = { TD: { w: 472, h: 486 }, LR: { w: 617, h: 288 } };

  it('a 1400×900 window\'s side panel (500 px wide, ~340 px left under the chain) shows it left-to-right, all of it', () => {
    const { direction, scale } = chooseLayout({ w: 501, h: 340 }, lstm);
    assert.strictEqual(direction, 'LR');
    assert.ok(lstm.LR.w * scale <= 501 && lstm.LR.h * scale <= 340, 'fits the box');
    assert.ok(scale > 0.8, `text at ${(12 * scale).toFixed(1)} px`);
  });

  it('a tall narrow panel draws it top-down; a big editor area scales it up, but only to MAX_SCALE', () => {
    assert.strictEqual(chooseLayout({ w: 380, h: 700 }, lstm).direction, 'TD');
    const wide = chooseLayout({ w: 1300, h: 700 }, lstm);
    assert.strictEqual(wide.scale, MAX_SCALE);
  });

  it('keeps the current direction unless the other is clearly larger (no flip-flop on small resizes)', () => {
    // At 470 × 420 both fit at nearly the same scale (TD 0.864, LR 0.762 → TD); a panel that shows LR keeps it
    // only while LR is within 5 %.
    assert.strictEqual(chooseLayout({ w: 470, h: 420 }, lstm).direction, 'TD');
    assert.strictEqual(chooseLayout({ w: 470, h: 420 }, lstm, 'LR').direction, 'TD', '12 % smaller: switch');
    const box = { w: 600, h: 300 }; // LR 0.972, TD 0.617
    assert.strictEqual(chooseLayout(box, lstm, 'TD').direction, 'LR');
    const near = { w: 560, h: 470 }; // LR 0.908, TD 0.967: LR is 6 % smaller → switch
    assert.strictEqual(chooseLayout(near, lstm, 'LR').direction, 'TD');
    const close = { w: 580, h: 470 }; // LR 0.940, TD 0.967 (2.8 % apart): a panel showing LR keeps LR
    assert.strictEqual(chooseLayout(close, lstm, 'LR').direction, 'LR');
    assert.strictEqual(chooseLayout(close, lstm).direction, 'TD');
  });

  it('reads the natural size from the SVG mermaid returns', () => {
    assert.deepStrictEqual(svgSize('<svg id="a" width="100%" viewBox="4 4 617.1875 288" role="img">'), { w: 617.1875, h: 288 });
    assert.deepStrictEqual(svgSize('<svg viewBox="-8 -8 1e3 20">'), { w: 1000, h: 20 });
    assert.strictEqual(svgSize('<svg width="10">'), undefined);
  });
});

describe('cell diagram flow order', () => {
  const stages = (cell: Parameters<typeof diagramFor>[0]) => Object.fromEntries(flowStages(diagramFor(cell)));

  it('reads both ends of every mermaid edge form', () => {
    assert.deepStrictEqual(edgeEnds('cp --> mf'), ['cp', 'mf']);
    assert.deepStrictEqual(edgeEnds('cp -. peephole .-> i'), ['cp', 'i']);
    assert.deepStrictEqual(edgeEnds('f -- "1 − f" --> i'), ['f', 'i']);
    assert.deepStrictEqual(edgeEnds('h -. "next step" .-> hp'), ['h', 'hp']);
  });

  it('LSTM: inputs, then the four gates, f⊙C_{t-1} and i⊙C̃, +, C_t, tanh, ×, and h_t last', () => {
    assert.deepStrictEqual(stages({ family: 'lstm', peephole: false, coupling: 'none', resetAfter: false }),
      { x: 0, hp: 0, cp: 0, f: 1, i: 1, g: 1, o: 1, mf: 2, mi: 2, add: 3, c: 4, tc: 5, mo: 6, h: 7 });
  });

  it('peephole LSTM: the output gate waits for the new C_t it peeks at', () => {
    const s = stages({ family: 'lstm', peephole: true, coupling: 'none', resetAfter: false });
    assert.strictEqual(s.o, 5);
    assert.strictEqual(s.f, 1);
    assert.strictEqual(s.h, 7);
  });

  it('GRU: r and z, then r⊙h and 1 − z, the candidate n, the two products, the sum and h_t', () => {
    assert.deepStrictEqual(stages({ family: 'gru', peephole: false, coupling: 'none', resetAfter: false }),
      { x: 0, hp: 0, r: 1, z: 1, rh: 2, omz: 2, mh: 2, n: 3, mn: 4, add: 5, h: 6 });
  });

  it('RNN: the "next step" loop back to h_{t-1} is not part of this step', () => {
    assert.deepStrictEqual(stages({ family: 'rnn', peephole: false, coupling: 'none', resetAfter: false }), { x: 0, hp: 0, a: 1, h: 2 });
  });
});
