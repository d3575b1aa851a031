/**
 * Hit conditions: which hits of a breakpoint actually stop (or log). A "hit" is a step where the
 * breakpoint's place and condition hold; hits are numbered 1, 2, 3, … in step order from step 0, so the
 * same breakpoint fires at the same steps whether the trace is played forward, backward or scanned.
 *
 *   N or >=N   from the Nth hit on          %N or every N   every Nth hit (N, 2N, 3N, …)
 *   ==N        only the Nth hit             >N  <N  <=N     as written
 */
import { msg } from '../l10n/format';
import { ExprError } from './errors';

export type HitTest = (hit: number) => boolean;

export function parseHitCondition(text: string): HitTest {
  const m = /^\s*(%|every\b|==|>=|<=|>|<)?\s*(\S*)\s*$/i.exec(text);
  if (!m || text.trim() === '') throw new ExprError(msg('hit condition is empty: write a count such as 10, %10, ==3 or >5'), 1);
  const op = (m[1] ?? '>=').toLowerCase();
  const numText = m[2];
  const numCol = text.indexOf(numText, m[1] ? text.indexOf(m[1]) + m[1].length : 0) + 1;
  if (!/^\d{1,9}$/.test(numText)) {
    throw new ExprError(numText ? msg("hit condition needs a whole number of hits here, found '{0}' (examples: 10, %10, ==3, >5)", numText) : msg("hit condition needs a whole number of hits here, found 'nothing' (examples: 10, %10, ==3, >5)"), Math.max(1, numCol), Math.max(1, numText.length));
  }
  const n = Number(numText);
  switch (op) {
    case '%':
    case 'every':
      if (n === 0) throw new ExprError(msg('every 0th hit never happens: use %1 for every hit'), numCol);
      return (h) => h % n === 0;
    case '==':
      return (h) => h === n;
    case '>=':
      return (h) => h >= n;
    case '>':
      return (h) => h > n;
    case '<=':
      return (h) => h <= n;
    default:
      return (h) => h < n;
  }
}
