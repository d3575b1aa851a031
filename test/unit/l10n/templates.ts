/**
 * Finds every localisable template in src/: the first argument of `msg(…)`, `UnrollError.of(…)` and the
 * other calls listed in CALLS. A template must be a plain string literal, so the bundle can be checked.
 */
import * as fs from 'fs';
import * as path from 'path';

export const root = path.resolve(__dirname, '../../../..');

/** Calls whose first argument is a template (the `\b` keeps `foo.msg(` out; `.of(` needs its class). */
const CALLS = /(?<![\w.])msg\(|\bUnrollError\.of\(|\bExprError\.of\(/g;

export interface Found {
  template?: string;
  /** file:line, for failure messages. */
  at: string;
  /** Set when the first argument is not a string literal. */
  nonLiteral?: string;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** Comments blanked (same length, so line numbers stay); strings are left alone. */
function withoutComments(src: string): string {
  let out = '';
  for (let i = 0; i < src.length; ) {
    const c = src[i];
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < src.length && src[j] !== c) j += src[j] === '\\' ? 2 : 1;
      out += src.slice(i, j + 1);
      i = j + 1;
    } else if (src.startsWith('//', i)) {
      const j = src.indexOf('\n', i);
      const end = j < 0 ? src.length : j;
      out += ' '.repeat(end - i);
      i = end;
    } else if (src.startsWith('/*', i)) {
      const j = src.indexOf('*/', i + 2);
      const end = j < 0 ? src.length : j + 2;
      out += src.slice(i, end).replace(/[^\n]/g, ' ');
      i = end;
    } else if (c === '/' && /[(,=:!&|?;{}\[]\s*$/.test(out.slice(-20))) {
      // A regex literal: skip it whole so its quotes are not read as strings.
      let j = i + 1;
      let inClass = false;
      while (j < src.length && (src[j] !== '/' || inClass) && src[j] !== '\n') {
        if (src[j] === '\\') j++;
        else if (src[j] === '[') inClass = true;
        else if (src[j] === ']') inClass = false;
        j++;
      }
      out += src.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function unescape(body: string): string {
  return body.replace(/\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/g, (_, e: string) => {
    if (e[0] === 'u' && e.length > 1) return String.fromCodePoint(parseInt(e.replace(/[u{}]/g, ''), 16));
    if (e[0] === 'x' && e.length === 3) return String.fromCharCode(parseInt(e.slice(1), 16));
    return ({ n: '\n', t: '\t', r: '\r', '0': '\0' } as Record<string, string>)[e] ?? e;
  });
}

export function findTemplates(dir = path.join(root, 'src')): Found[] {
  const found: Found[] = [];
  for (const file of walk(dir)) {
    const rel = path.relative(root, file);
    if (rel === path.join('src', 'l10n', 'format.ts')) continue; // defines msg itself
    const src = withoutComments(fs.readFileSync(file, 'utf8'));
    for (const m of src.matchAll(CALLS)) {
      let i = m.index! + m[0].length;
      while (/\s/.test(src[i])) i++;
      const at = `${rel}:${src.slice(0, m.index).split('\n').length}`;
      const q = src[i];
      if (q !== "'" && q !== '"') {
        found.push({ at, nonLiteral: src.slice(i, i + 40).split('\n')[0] });
        continue;
      }
      let j = i + 1;
      while (src[j] !== q) j += src[j] === '\\' ? 2 : 1;
      if (!/^\s*[,)]/.test(src.slice(j + 1))) {
        found.push({ at, nonLiteral: src.slice(i, j + 10) }); // 'a' + b: not one literal
        continue;
      }
      found.push({ at, template: unescape(src.slice(i + 1, j)) });
    }
  }
  return found;
}

/** vscode.l10n.t's substitution (its `format2`), to check what VS Code itself will show. */
export function format2(template: string, args: readonly unknown[]): string {
  if (args.length === 0) return template;
  return template.replace(/\{([^}]+)\}/g, (whole, key: string) => ((args as unknown as Record<string, unknown>)[key] ?? whole) as string);
}

export const placeholders = (s: string) => [...new Set(s.match(/\{\d+\}/g) ?? [])].sort();
