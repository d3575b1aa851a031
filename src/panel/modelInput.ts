/**
 * Encoding the visualized text for a model the person chose ("Unroll: Choose Model…"). Pure (no `vscode`):
 * the reading the editor picked (or characters) is re-planned against the model's own vocabulary or input
 * width, so a data/model mismatch becomes the input module's one actionable line instead of a wrong run.
 */
import type { Network } from '../engine/types';
import { UnrollError } from '../engine/types';
import { msg } from '../l10n/format';
import { makeVocabulary, planReadings, where, type EncodedSequence, type InputTarget, type Vocabulary } from '../input';
import type { SequenceSource } from '../protocol/messages';
import { sidecarNames } from '../model/sidecars';

/** What the visualizer needs from a chosen model (a subset of modelChoice.runnable()). */
export interface ChosenModelInput {
  label: string;
  network: Network;
  vocab?: { vocab: string[]; unkId: number };
}

/** The model's vocabulary as the encoders want it; a file without an unknown id gets unkId -1 (checked after encoding). */
export function modelVocabulary(v: { vocab: string[]; unkId: number }): Vocabulary {
  const level = v.vocab.every((s, i) => i === v.unkId || [...s].length === 1) ? 'char' : 'word';
  if (v.unkId >= 0) return makeVocabulary(v.vocab, v.unkId, level);
  const index = new Map<string, number>();
  v.vocab.forEach((s, i) => { if (!index.has(s)) index.set(s, i); });
  return { level, symbols: v.vocab, unkId: -1, index };
}

export function modelTarget(m: ChosenModelInput): InputTarget {
  return m.vocab
    ? { kind: 'vocab', vocab: modelVocabulary(m.vocab), modelName: m.label }
    : { kind: 'dense', inputSize: m.network.shape.inputSize, modelName: m.label };
}

/**
 * The sequence the chosen model reads: the source's reading (characters when none was chosen) re-planned
 * for the model. Throws one UnrollError line when the data does not fit the model.
 */
export function encodeForModel(source: SequenceSource, m: ChosenModelInput): EncodedSequence {
  const text = source.text;
  const plan = planReadings(text, modelTarget(m), { baseOffset: source.startOffset ?? 0 });
  const wanted = source.reading ?? 'chars';
  let reading = plan.fitting.find((r) => r.id === wanted);
  if (!reading && !source.reading) reading = plan.fitting[0];
  if (!reading) {
    // The reading the person got does not fit this model: say why, with the input module's fix.
    const same = [plan.obvious].find((r) => r.id === wanted);
    let why = plan.problem;
    if (same && !why) {
      try { same.encode(); } catch (e) { if (e instanceof UnrollError) why = e.message; else throw e; }
    }
    if (why) throw new UnrollError(why);
    // One-hot inputs without a vocabulary file: which input is which character is unknowable, say where it goes.
    if (wanted === 'chars' && !m.vocab) {
      throw UnrollError.of('{0} has no vocabulary, so Unroll cannot tell which character each of its {1} inputs stands for; put {2} next to it, e.g. {3}, or read the selection as Words (hashed, not what it was trained on) with Unroll: Visualize with a Chosen Reading….',
        m.label, m.network.shape.inputSize, sidecarNames(m.label).vocab, '`{"vocab": ["\\n", " ", "a", …], "unkId": -1}`');
    }
    // "as …" whole, so the phrase is translated as one piece (a bare "words" would collide with the reading id).
    const asKind = wanted === 'chars' ? msg('as characters') : wanted === 'words' ? msg('as words') : wanted.startsWith('csv') ? msg('as CSV rows') : msg('as numbers');
    throw plan.fitting.length
      ? UnrollError.of('{0} cannot read the selection {1}; it fits as {2} (Unroll: Visualize with a Chosen Reading…).', m.label, asKind, plan.fitting.map((r) => r.label).join(' or '))
      : UnrollError.of('{0} cannot read the selection {1}.', m.label, asKind);
  }
  const seq = reading.encode();
  if (seq.inputSize !== m.network.shape.inputSize) {
    throw UnrollError.of('{0} reads {1} values per step but the selection read as {2} gives {3}.', m.label, m.network.shape.inputSize, seq.description, seq.inputSize);
  }
  if (seq.ids) {
    const bad = seq.ids.indexOf(-1);
    if (bad >= 0) {
      throw UnrollError.of('"{0}" ({1}) is not in {2}\'s vocabulary, which has no unknown token; select text it knows.', text.substr(seq.offsets[bad] - seq.baseOffset, seq.lengths[bad]), where(text, seq.offsets[bad] - seq.baseOffset), m.label);
    }
  }
  return seq;
}
