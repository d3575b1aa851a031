/**
 * Log messages of logpoints: "f.mean = {f.mean} at {token}". Each {…} is an expression of the same
 * language, compiled once; `{{` and `}}` stand for literal braces. Errors point at the column in the template.
 */
import { compileExpression, type CompileOptions } from './compile';
import { msg } from '../l10n/format';
import { ExprError } from './errors';
import { formatValue, type ExprMeta, type StepValues } from './values';

export type LogTemplate = ((step: StepValues) => string) & { reads: ReadonlySet<string> };

export function compileLogTemplate(template: string, meta: ExprMeta, opts: CompileOptions = {}): LogTemplate {
  const parts: (string | ((s: StepValues) => string))[] = [];
  const reads = new Set<string>();
  let text = '';
  let i = 0;
  while (i < template.length) {
    const ch = template[i];
    if ((ch === '{' || ch === '}') && template[i + 1] === ch) {
      text += ch;
      i += 2;
      continue;
    }
    if (ch === '}') throw new ExprError(msg("'}' without a matching '{' (write '}}' for a literal brace)"), i + 1);
    if (ch !== '{') {
      text += ch;
      i++;
      continue;
    }
    const close = template.indexOf('}', i + 1);
    if (close < 0) throw new ExprError(msg("'{' is not closed: add '}' after the expression (write '{{' for a literal brace)"), i + 1);
    const inner = template.slice(i + 1, close);
    let compiled;
    try {
      compiled = compileExpression(inner, meta, opts);
    } catch (e) {
      // Re-anchor the column from the inner expression to the whole template.
      if (e instanceof ExprError) throw new ExprError(e.reason, i + 1 + e.column, e.length);
      throw e;
    }
    if (text) parts.push(text);
    text = '';
    for (const r of compiled.reads) reads.add(r);
    const isMask = compiled.type === 'mask';
    const ev = compiled.evaluate;
    parts.push((s) => formatValue(ev(s), isMask));
    i = close + 1;
  }
  if (text) parts.push(text);
  return Object.assign((s: StepValues) => parts.map((p) => (typeof p === 'string' ? p : p(s))).join(''), { reads });
}
