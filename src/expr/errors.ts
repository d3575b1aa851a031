/**
 * Errors of the expression language. Every error points at a character of the source (1-based column)
 * so the UI can draw a caret under it; `message` is already one line a person can act on.
 */
import { UnrollError } from '../engine/types';
import { msg } from '../l10n/format';

export class ExprError extends UnrollError {
  /** 1-based column of the offending character in the expression text. */
  readonly column: number;
  /** How many characters the caret underlines (at least 1). */
  readonly length: number;
  /** The message without the "column N: " prefix (localisable like `message` when made by `msg`). */
  readonly reason: string;

  constructor(reason: string, column: number, length = 1) {
    super(msg('column {0}: {1}', column, reason));
    this.name = 'ExprError';
    this.reason = reason;
    this.column = column;
    this.length = Math.max(1, length);
  }
}

/**
 * Two lines for a monospace display: the source and a caret under the offending character(s); `reason`
 * is the error's reason in the display language (default: English).
 */
export function caretLines(source: string, err: ExprError, reason = err.reason): string {
  const maxShown = 120;
  // Long expressions are windowed around the error so the caret stays on screen.
  const start = Math.max(0, Math.min(err.column - 1 - 40, source.length - maxShown));
  const shown = source.slice(start, start + maxShown).replace(/[\r\n\t]/g, ' ');
  const caretAt = err.column - 1 - start;
  const width = Math.max(1, Math.min(err.length, shown.length - caretAt));
  return `${start > 0 ? '…' : ''}${shown}\n${start > 0 ? ' ' : ''}${' '.repeat(Math.max(0, caretAt))}${'^'.repeat(width)} ${reason}`;
}

/** Levenshtein distance, for "did you mean" hints on short names. */
function distance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/** " (did you mean 'mean'?)" when a candidate is close, else "". */
export function didYouMean(word: string, candidates: readonly string[]): string {
  let best = '';
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best && bestD <= Math.min(3, Math.max(1, Math.ceil(word.length / 2))) ? msg(" (did you mean '{0}'?)", best) : '';
}
