/**
 * Which reading of a selection is the obvious one, which others fit the model, and — when the obvious
 * reading does not fit — one message saying how to fix it.
 */
import { encodeChars } from './chars';
import { checkColumn, columnName, detectDelimiter, encodeCsv, parseCsv, type CsvTable } from './csv';
import { encodeNumbers, looksNumeric } from './numbers';
import { standardizeNumbersByDefault, standardizeSequence } from './standardize';
import { encodeWordEmbeddings, encodeWordIds } from './words';
import { EncodeOptions, EncodedSequence, InputTarget, UnrollError } from './types';
import { msg } from '../l10n/format';

export interface Reading {
  /** 'chars' | 'words' | 'numbers' | 'csv' | 'csv:<column index>' */
  id: string;
  /** Short label for a quick pick: "Characters", "CSV column price". */
  label: string;
  /** One line: what it gives and which network reads it. */
  detail: string;
  /** Encode (memoised); throws UnrollError with the mismatch / malformed message. */
  encode(): EncodedSequence;
}

export interface ReadingPlan {
  /** The most obvious reading of the text, whether or not it fits the model. */
  obvious: Reading;
  /** Why it is obvious, for the status message ("looks like CSV with a header"). */
  why: string;
  /** Readings that encode and fit the model, best first (obvious first when it fits). */
  fitting: Reading[];
  /** Set when the obvious reading fails: a malformed-number error or a data/model mismatch with the fix. */
  problem?: string;
}

function memo(id: string, label: string, detail: string, run: () => EncodedSequence): Reading {
  let done: { seq?: EncodedSequence; err?: unknown } | undefined;
  return {
    id,
    label,
    detail,
    encode() {
      if (!done) {
        try {
          done = { seq: run() };
        } catch (err) {
          done = { err };
        }
      }
      if (done.err) throw done.err;
      return done.seq!;
    },
  };
}

function modelName(target: InputTarget): string {
  return target.kind === 'default' ? msg('the default network') : target.modelName;
}

/** Why numbers `cols` wide do not fit the model, with the fix; undefined when they fit. */
function numericMisfit(cols: number, featureNames: string[] | undefined, target: InputTarget): string | undefined {
  if (target.kind === 'default') return undefined;
  const what = featureNames && cols > 1 ? msg('{0} numeric columns ({1})', cols, featureNames.join(', ')) : cols > 1 ? msg('{0} features per step', cols) : msg('one value per step');
  if (target.kind === 'vocab') {
    return target.vocab.level === 'char'
      ? msg('The selection is numbers ({0}) but {1} reads characters from a vocabulary; read the selection as characters, or choose "No model" with Unroll: Choose Model… (and leave the "unroll.model" setting empty) for a random network sized to the data.', what, target.modelName)
      : msg('The selection is numbers ({0}) but {1} reads words from a vocabulary; read the selection as words, or choose "No model" with Unroll: Choose Model… (and leave the "unroll.model" setting empty) for a random network sized to the data.', what, target.modelName);
  }
  if (cols === target.inputSize) return undefined;
  const fix =
    cols > target.inputSize && target.inputSize === 1
      ? msg('select a single column (pick "CSV column …" in Unroll: Visualize with a Chosen Reading…)')
      : cols === 1
        ? msg('select {0} columns (CSV rows or a list of lists with {0} values each)', target.inputSize)
        : msg('select data with {0} values per step', target.inputSize);
  return msg('The selection has {0} but {1} reads {2} per step; {3}, or choose "No model" with Unroll: Choose Model… (and leave the "unroll.model" setting empty) for a random network sized to the data.', what, target.modelName, target.inputSize, fix);
}

/**
 * Throws when a numeric sequence's width does not match the model. Numbers for the default (seeded random)
 * network are standardised per column (target.standardize, else the unroll.numbers.standardize default);
 * a given model reads them raw: its input scaling is its own.
 */
function checkNumericFit(seq: EncodedSequence, target: InputTarget): EncodedSequence {
  const misfit = numericMisfit(seq.inputSize, seq.featureNames, target);
  if (misfit) throw new UnrollError(misfit);
  if (target.kind !== 'default') seq.model = 'given';
  else if (target.standardize ?? standardizeNumbersByDefault()) return standardizeSequence(seq);
  return seq;
}

function textReadings(text: string, target: InputTarget, opts: EncodeOptions): Reading[] {
  const chars = (): Reading | null => {
    if (target.kind === 'default') {
      return memo('chars', msg('Characters'), msg("one-hot over the built-in character model's {0} symbols", target.charVocab.symbols.length), () => encodeChars(text, target.charVocab, opts));
    }
    if (target.kind === 'vocab' && target.vocab.level === 'char') {
      return memo('chars', msg('Characters'), msg("one-hot over {0}'s {1} symbols", target.modelName, target.vocab.symbols.length), () => encodeChars(text, target.vocab, opts));
    }
    return null;
  };
  const words = (): Reading | null => {
    if (target.kind === 'vocab') {
      if (target.vocab.level !== 'word') return null;
      return memo('words', msg('Words'), msg("ids from {0}'s {1}-word vocabulary", target.modelName, target.vocab.symbols.length), () => encodeWordIds(text, target.vocab, opts));
    }
    const dim = target.kind === 'default' ? target.hashedDim : target.inputSize;
    const seed = target.seed ?? 0;
    return memo('words', msg('Words'), msg('hashed seeded embeddings of width {0} (random network)', dim), () => {
      const seq = encodeWordEmbeddings(text, dim, seed, opts);
      if (target.kind === 'dense') {
        seq.model = 'given';
        seq.notes.push(msg('{0} has no vocabulary: words are hashed seeded embeddings, not what it was trained on.', target.modelName));
      }
      return seq;
    });
  };
  const order = target.kind === 'vocab' && target.vocab.level === 'word' ? [words(), chars()] : [chars(), words()];
  return order.filter((r): r is Reading => r !== null);
}

/** A reading plus how to tell, cheaply, whether it fits (a message when it does not). */
interface Candidate {
  reading: Reading;
  problem: () => string | undefined;
}

function viaEncode(r: Reading): Candidate {
  return {
    reading: r,
    problem: () => {
      try {
        r.encode();
        return undefined;
      } catch (e) {
        if (!(e instanceof UnrollError)) throw e;
        return e.message;
      }
    },
  };
}

/**
 * Plan the readings of `text` for `target`. Never throws for non-empty text: problems are reported in
 * `problem`, and `fitting` may then hold the readings that would work. Cheap for large selections:
 * text readings are not encoded here, and each CSV column is read once whatever the readings.
 */
export function planReadings(text: string, target: InputTarget, opts: EncodeOptions = {}): ReadingPlan {
  if (text.length === 0) throw UnrollError.of('The selection is empty; select some text, numbers or CSV rows.');
  const numeric: Candidate[] = [];
  let why = msg('looks like text');
  let parseError: string | undefined;

  if (looksNumeric(text)) {
    const delimiter = detectDelimiter(text);
    const lines = text.split(/\r\n|\n|\r/, 3).filter((l) => l.trim()).length;
    let csv: CsvTable | undefined;
    if (delimiter && lines >= 2 && !/^\s*[[(]/.test(text)) {
      try {
        const table = parseCsv(text, delimiter, opts.maxTokens);
        if (table.numericColumns.length > 0) csv = table;
      } catch (e) {
        if (!(e instanceof UnrollError)) throw e;
        parseError = e.message;
      }
    }
    if (csv) {
      const table = csv;
      why = table.header ? msg('looks like CSV with a header') : msg('looks like CSV');
      const cols = table.numericColumns;
      const names = cols.map((k) => columnName(table, k));
      const columnsProblem = (ks: number[]) => {
        const bad = ks.map((k) => checkColumn(text, table, k)).filter((c) => c.message).sort((x, y) => x.badRow - y.badRow)[0];
        return bad?.message ?? numericMisfit(ks.length, ks.map((k) => columnName(table, k)), target);
      };
      numeric.push({
        reading: memo('csv', cols.length > 1 ? msg('CSV, {0} columns', names.length) : msg('CSV column {0}', names[0]), cols.length > 1 ? msg('multivariate: {0} per step, one step per row', names.join(', ')) : msg('one step per row'), () => checkNumericFit(encodeCsv(text, { ...opts, table }), target)),
        problem: () => columnsProblem(cols),
      });
      if (cols.length > 1) {
        for (const k of cols) {
          numeric.push({
            reading: memo(`csv:${k}`, msg('CSV column {0}', columnName(table, k)), msg('univariate: one value per row'), () => checkNumericFit(encodeCsv(text, { ...opts, table, columns: [k] }), target)),
            problem: () => columnsProblem([k]),
          });
        }
      }
    } else {
      // A flat number list / array literal (not offered next to CSV rows: the rows are the obvious reading).
      const flat = memo('numbers', msg('Numbers'), msg('a number list or array literal; nested lists are steps × features'), () => checkNumericFit(encodeNumbers(text, opts), target));
      const c = viaEncode(flat);
      const problem = c.problem();
      if (!problem) {
        why = /[[]/.test(text) ? msg('looks like an array literal') : msg('looks like a number list');
        numeric.push(c);
      } else if (/per step|reads (characters|words)/.test(problem)) {
        numeric.push(c);
      } else if (!parseError) {
        parseError = problem;
        why = msg('looks like numbers');
      }
    }
  }

  const text_ = textReadings(text, target, opts).map((r): Candidate => ({
    reading: r,
    problem: () => (r.id === 'words' && !/\S/.test(text) ? msg('The selection has no words.') : undefined),
  }));
  const all = [...numeric, ...text_];
  const fitting = all.filter((c) => c.problem() === undefined).map((c) => c.reading);
  const obvious = numeric[0] ?? text_[0];
  let problem: string | undefined;
  if (parseError && numeric.length === 0) problem = parseError;
  else if (obvious) problem = obvious.problem();
  if (!obvious) return { obvious: fitting[0], why, fitting, problem: msg('{0} cannot read this selection.', modelName(target)) };
  return { obvious: obvious.reading, why, fitting, problem };
}
