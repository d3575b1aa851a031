/**
 * Encoding the visualized text for a model the person chose ("Unroll: Choose Model…"). Pure (no `vscode`):
 * the reading the editor picked (or characters) is re-planned against the model's own vocabulary or input
 * width, so a data/model mismatch becomes the input module's one actionable line instead of a wrong run.
 */
import type { Network } from '../engine/types';
import { UnrollError } from '../engine/types';
import { makeVocabulary, planReadings, where, type EncodedSequence, type InputTarget, type Vocabulary } from '../input';
import type { SequenceSource } from '../protocol/messages';

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
    const kind = wanted === 'chars' ? 'characters' : wanted === 'words' ? 'words' : wanted.startsWith('csv') ? 'CSV rows' : 'numbers';
    throw new UnrollError(why ?? `${m.label} cannot read the selection as ${kind}${plan.fitting.length ? `; it fits as ${plan.fitting.map((r) => r.label).join(' or ')} (Unroll: Choose Reading…)` : ''}.`);
  }
  const seq = reading.encode();
  if (seq.inputSize !== m.network.shape.inputSize) {
    throw new UnrollError(`${m.label} reads ${m.network.shape.inputSize} values per step but the selection read as ${seq.description} gives ${seq.inputSize}.`);
  }
  if (seq.ids) {
    const bad = seq.ids.indexOf(-1);
    if (bad >= 0) {
      throw new UnrollError(`"${text.substr(seq.offsets[bad] - seq.baseOffset, seq.lengths[bad])}" (${where(text, seq.offsets[bad] - seq.baseOffset)}) is not in ${m.label}'s vocabulary, which has no unknown token; select text it knows.`);
    }
  }
  return seq;
}
