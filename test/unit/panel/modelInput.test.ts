/**
 * "Unroll: Choose Model…" drives the visualizer: the text is encoded with the chosen model's own vocabulary
 * or input width (checked against the reference fixtures), and a data/model mismatch is one clear line.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { loadModel, requireNetwork } from '../../../src/model/load';
import { runNetwork } from '../../../src/engine/trace';
import { toDense } from '../../../src/input';
import { UnrollError } from '../../../src/engine/types';
import { encodeForModel, type ChosenModelInput } from '../../../src/panel/modelInput';
import { encodeSource } from '../../../src/panel/traceSession';
import type { SequenceSource } from '../../../src/protocol/messages';

const REF = path.resolve(__dirname, '../../../../test/fixtures/reference');
const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(REF, `${name}.json`), 'utf8'));

function chosen(file: string): ChosenModelInput {
  const full = path.join(REF, file);
  const read = (p: string) => { const f = path.isAbsolute(p) ? p : path.join(REF, p); return fs.existsSync(f) ? fs.readFileSync(f) : undefined; };
  const m = loadModel(full, fs.readFileSync(full), { readSibling: read });
  return { label: m.label, network: requireNetwork(m), ...(m.vocab ? { vocab: m.vocab } : {}) };
}

const src = (text: string, reading?: string): SequenceSource => ({ text, label: 't', fromCurrentLine: false, originalLength: text.length, startOffset: 5, ...(reading ? { reading } : {}) });

function throwsLine(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof UnrollError && re.test(e.message) && !e.message.includes('\n'));
}

describe('visualizing with the chosen model', () => {
  it('a chosen char model reads the text with its own vocabulary: the fixture tokens, and the run gives its logits', () => {
    const fx = fixture('char_lstm_public');
    const m = chosen('char_lstm_public.safetensors');
    const seq = encodeForModel(src(fx.text), m);
    assert.deepStrictEqual(Array.from(seq.ids!), fx.tokens);
    assert.strictEqual(seq.offsets[0], 5, 'offsets stay document offsets');
    const trace = runNetwork(m.network, toDense(seq));
    const h = trace.exactStep(fx.tokens.length - 1).layers[0].forward.h;
    const want: number[] = fx.expected.hN[0];
    for (let u = 0; u < want.length; u++) assert.ok(Math.abs(h[u] - want[u]) <= 5e-5 * Math.max(1, Math.abs(want[u])), `h_T[${u}]`);
  });

  it('a vocabulary in another order gives other ids than the built-in one (the model\'s, not the default)', () => {
    const m = chosen('char_lstm_public.safetensors');
    const reversed = [...m.vocab!.vocab].reverse();
    const seq = encodeForModel(src('ab'), { ...m, vocab: { vocab: reversed, unkId: 0 } });
    assert.deepStrictEqual(Array.from(seq.ids!), [reversed.indexOf('a'), reversed.indexOf('b')]);
    assert.notDeepStrictEqual(Array.from(seq.ids!), Array.from(encodeSource(src('ab')).ids!));
  });

  it('numbers into a char model: one line saying it reads characters', () => {
    throwsLine(() => encodeForModel(src('1, 2, 3', 'numbers'), chosen('char_lstm_public.safetensors')), /reads characters/);
  });

  it('a CSV with the model\'s 3 columns runs as the fixture x; 1 column into input size 3 is one line', () => {
    const fx = fixture('gru_i3_h4_t5');
    const m = chosen('gru_i3_h4_t5.safetensors');
    const csv = 'a,b,c\n' + (fx.x as number[][]).map((r) => r.join(',')).join('\n');
    const seq = encodeForModel(src(csv, 'csv'), m);
    assert.strictEqual(seq.steps, 5);
    assert.deepStrictEqual(Array.from(toDense(seq)), Array.from(new Float32Array((fx.x as number[][]).flat())));
    throwsLine(() => encodeForModel(src('1\n2\n3\n', 'numbers'), m), /3/);
  });

  it('text into a model without a vocabulary: characters do not fit, so words (hashed) with a note saying so', () => {
    const seq = encodeForModel(src('hello there'), chosen('gru_i3_h4_t5.safetensors'));
    assert.strictEqual(seq.encoding, 'words');
    assert.strictEqual(seq.inputSize, 3);
    assert.ok(seq.notes.some((n) => /gru_i3_h4_t5.*no vocabulary/.test(n)), seq.notes.join(' | '));
    throwsLine(() => encodeForModel(src('hello', 'chars'), chosen('gru_i3_h4_t5.safetensors')), /gru_i3_h4_t5\.safetensors has no vocabulary.*put gru_i3_h4_t5\.vocab\.json next to it/);
  });

  it('the char model without its vocab.json, text read as characters: says which file to add, not "it fits as Words"', () => {
    // Opening char_lstm_public.onnx alone and "Visualize with this model" on text the editor read as characters.
    const { vocab: _, ...alone } = chosen('char_lstm_public.onnx');
    throwsLine(() => encodeForModel(src('hello world', 'chars'), alone),
      /^char_lstm_public\.onnx has no vocabulary, so Unroll cannot tell which character each of its 97 inputs stands for; put char_lstm_public\.vocab\.json next to it/);
  });

  it('a character missing from a vocabulary without an unknown token is named with its place', () => {
    const m = chosen('char_lstm_public.safetensors');
    throwsLine(() => encodeForModel(src('ab\nxé'), { ...m, vocab: { vocab: m.vocab!.vocab.map((s, i) => (i === 96 ? '¤' : s)), unkId: -1 } }), /"é".*line 2/);
  });
});
