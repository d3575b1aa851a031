/**
 * Numbers through the seeded random network are z-scored per column; a chosen model reads them raw.
 * Expected means, stds and z-scores are worked out by hand from the selected numbers (comments show how).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { defaultCharVocabulary } from '../../../src/input/chars';
import { planReadings } from '../../../src/input/readings';
import { setStandardizeNumbers } from '../../../src/input/standardize';
import { InputTarget, tokenText, truncateSequence } from '../../../src/input/types';
import { messageOf, render, type Translate } from '../../../src/l10n/format';
import { format2, root } from '../l10n/templates';

const DEFAULT: InputTarget = { kind: 'default', charVocab: defaultCharVocabulary(), hashedDim: 16, seed: 7 };
const WEATHER = 'temp,humidity,pressure\n21.5,40,1013\n22.1,42,1012\n23.0,45,1010\n22.7,44,1011\n21.9,41,1012\n';
const OFF_HINT = ' — set unroll.numbers.standardize to false to feed raw values.';

const column = (v: Float32Array, cols: number, k: number) => Array.from(v).filter((_, i) => i % cols === k);
function assertClose(actual: number[], expected: number[], tol = 1e-5): void {
  assert.strictEqual(actual.length, expected.length);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) <= tol, `[${i}] ${a} ≠ ${expected[i]}`));
}

describe('input/standardize: numbers for the random network', () => {
  it('a weather CSV: each column z-scored over the selection, the notice names every mean and std', () => {
    const seq = planReadings(WEATHER, DEFAULT).obvious.encode();
    // pressure 1013,1012,1010,1011,1012: mean 1011.6, squared deviations 1.96+.16+2.56+.36+.16 = 5.2, std √1.04
    const sp = Math.sqrt(1.04);
    assertClose(column(seq.values!, 3, 2), [1.4 / sp, 0.4 / sp, -1.6 / sp, -0.6 / sp, 0.4 / sp]);
    // humidity 40,42,45,44,41: mean 42.4, std √(17.2/5) = √3.44
    const sh = Math.sqrt(3.44);
    assertClose(column(seq.values!, 3, 1), [-2.4 / sh, -0.4 / sh, 2.6 / sh, 1.6 / sh, -1.4 / sh]);
    // temp 21.5,22.1,23.0,22.7,21.9: mean 22.24, std √(1.472/5) = √0.2944 (float32 inputs: looser tolerance)
    const st = Math.sqrt(0.2944);
    assertClose(column(seq.values!, 3, 0), [-0.74 / st, -0.14 / st, 0.76 / st, 0.46 / st, -0.34 / st], 1e-4);
    const note = 'Numbers standardised per column for the random network: temp mean 22.24, std 0.54; humidity mean 42.4, std 1.9; pressure mean 1011.6, std 1.0' + OFF_HINT;
    assert.strictEqual(seq.standardized?.note, note);
    assert.ok(seq.notes.includes(note), 'the editor announcement shows the notes');
    assertClose(seq.standardized!.mean, [22.24, 42.4, 1011.6], 1e-4);
    assertClose(seq.standardized!.std, [st, sh, sp], 1e-4);
    // What a person selected is still what the labels and hovers show.
    assert.strictEqual(tokenText(seq, 0), '21.5,40,1013');
    assert.strictEqual(seq.model, 'random-sized-to-data');
  });

  it('a single CSV column and a plain number list', () => {
    const pressure = planReadings(WEATHER, DEFAULT).fitting.find((r) => r.id === 'csv:2')!.encode();
    assert.strictEqual(pressure.standardized?.note, 'Numbers standardised per column for the random network: pressure mean 1011.6, std 1.0' + OFF_HINT);
    // 3 1 4 1 5 9 2 6: mean 31/8 = 3.875, squared deviations sum 52.875, std √6.609375 = 2.5709
    const list = planReadings('3, 1, 4, 1, 5, 9, 2, 6', DEFAULT).obvious.encode();
    assert.strictEqual(list.standardized?.note, 'Numbers standardised for the random network: mean 3.9, std 2.6' + OFF_HINT);
    assertClose(Array.from(list.values!), [3, 1, 4, 1, 5, 9, 2, 6].map((v) => (v - 3.875) / Math.sqrt(6.609375)));
    assert.deepStrictEqual([tokenText(list, 0), tokenText(list, 5)], ['3', '9']);
  });

  it('a constant column reads 0 (not float noise blown up to ±1), and the notice says so', () => {
    const seq = planReadings('a,flag\n1,0.1\n2,0.1\n3,0.1\n', DEFAULT).obvious.encode();
    assert.deepStrictEqual(column(seq.values!, 2, 1), [0, 0, 0]);
    // a: 1,2,3 → mean 2, std √(2/3)
    assertClose(column(seq.values!, 2, 0), [-1, 0, 1].map((d) => d / Math.sqrt(2 / 3)));
    assert.match(seq.standardized!.note, /: a mean 2\.00, std 0\.82; flag constant at 0\.1 \(reads 0\) — /);
    const flat = planReadings('1013, 1013, 1013', DEFAULT).obvious.encode();
    assert.deepStrictEqual(Array.from(flat.values!), [0, 0, 0]);
    assert.strictEqual(flat.standardized?.note, 'Numbers standardised for the random network: every value is 1013, so every step reads 0' + OFF_HINT);
    // One step is a constant column too: no division by zero.
    assert.deepStrictEqual(Array.from(planReadings('[[5, 7]]', DEFAULT).obvious.encode().values!), [0, 0]);
  });

  it('a wide selection names four columns and counts the rest', () => {
    const seq = planReadings('[[1,2,3,4,5,6],[3,4,5,6,7,8]]', DEFAULT).obvious.encode();
    assert.strictEqual(seq.standardized?.note, 'Numbers standardised per column for the random network: column 1 mean 2.0, std 1.0; column 2 mean 3.0, std 1.0; column 3 mean 4.0, std 1.0; column 4 mean 5.0, std 1.0; … 2 more columns' + OFF_HINT);
    assert.deepStrictEqual(Array.from(seq.values!), [-1, -1, -1, -1, -1, -1, 1, 1, 1, 1, 1, 1]);
  });

  it('a long CSV header is cut in the notice', () => {
    const seq = planReadings(`${'x'.repeat(300)},b\n1,2\n3,4\n`, DEFAULT).obvious.encode();
    assert.match(seq.standardized!.note, /: x{23}… mean 2\.0, std 1\.0; b mean 3\.0, std 1\.0 — /);
  });

  it('the setting off (unroll.numbers.standardize = false): raw values, no notice', () => {
    const raw = planReadings(WEATHER, { ...DEFAULT, standardize: false }).obvious.encode();
    assert.deepStrictEqual(column(raw.values!, 3, 2), [1013, 1012, 1010, 1011, 1012]);
    assert.strictEqual(raw.standardized, undefined);
    assert.ok(!raw.notes.some((n) => /standardised/.test(n)));
    // The host sets the default from the setting; a target that does not say follows it.
    setStandardizeNumbers(false);
    try {
      assert.deepStrictEqual(Array.from(planReadings('1, 2, 3', DEFAULT).obvious.encode().values!), [1, 2, 3]);
    } finally {
      setStandardizeNumbers(true);
    }
    assert.deepStrictEqual(Array.from(planReadings('1, 2, 3', DEFAULT).obvious.encode().values!), [-Math.sqrt(1.5), 0, Math.sqrt(1.5)].map(Math.fround));
  });

  it('a chosen model reads the numbers raw: its input scaling is its own', () => {
    const seq = planReadings(WEATHER, { kind: 'dense', inputSize: 3, modelName: 'weather.onnx' }).obvious.encode();
    assert.deepStrictEqual(column(seq.values!, 3, 2), [1013, 1012, 1010, 1011, 1012]);
    assert.strictEqual(seq.standardized, undefined);
    assert.strictEqual(seq.model, 'given');
  });

  it('NaN and malformed numbers keep their clear errors', () => {
    const plan = planReadings('1, 2, NaN, 4', DEFAULT);
    assert.match(plan.problem!, /^line 1, column 7: "NaN" is not a finite number; Unroll needs finite values/);
    assert.ok(!plan.fitting.some((r) => r.id === 'numbers'), 'no numbers reading is offered past the NaN');
    assert.match(planReadings('a,b\n1,2\n3,NaN\n', DEFAULT).problem!, /^line 3, column 3: b "NaN" is not a finite number/);
  });

  it('truncating to the token limit keeps the selection-wide scaling and its notice', () => {
    const seq = planReadings('3, 1, 4, 1, 5, 9, 2, 6', DEFAULT).obvious.encode();
    const cut = truncateSequence(seq, 3);
    assertClose(Array.from(cut.values!), [3, 1, 4].map((v) => (v - 3.875) / Math.sqrt(6.609375)));
    assert.strictEqual(cut.standardized?.note, seq.standardized?.note);
  });

  it('the notice in Chinese: every part translated', () => {
    const zh = JSON.parse(fs.readFileSync(path.join(root, 'l10n/bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string>;
    const tZh: Translate = (template, ...args) => format2(zh[template] ?? template, args);
    const note = planReadings(WEATHER, DEFAULT).obvious.encode().standardized!.note;
    assert.strictEqual(render(messageOf(note)!, tZh), '数字已为随机网络按列标准化：temp 均值 22.24，标准差 0.54；humidity 均值 42.4，标准差 1.9；pressure 均值 1011.6，标准差 1.0 —— 将 unroll.numbers.standardize 设为 false 可送入原始值。');
  });
});
