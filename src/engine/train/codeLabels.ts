/**
 * Per-character labels of TypeScript/JavaScript source, for finding interpretable units: the bracket
 * nesting depth and whether a character is inside a string or a comment. Each label describes the state
 * AFTER reading character t (an opening quote is inside, the closing quote is outside again; likewise
 * a comment starts at the second character of its opener and ends with the star of a block's closer).
 * A small lexer, not a parser: template literals with ${…} nesting and regex literals (after an operator
 * or an opening bracket) are handled; anything stranger is read as code.
 */
export interface CodeLabels {
  /** Nesting depth of (), [], {} outside strings and comments. */
  bracketDepth: Int32Array;
  insideString: Uint8Array;
  insideComment: Uint8Array;
  /** Inside a string or a comment: the "inside a string/comment" (text that is not code). */
  insideStringOrComment: Uint8Array;
}

type Mode = 'code' | 'line' | 'block' | 'single' | 'double' | 'template' | 'regex';

export function labelCode(text: string): CodeLabels {
  const n = text.length;
  const bracketDepth = new Int32Array(n);
  const insideString = new Uint8Array(n);
  const insideComment = new Uint8Array(n);
  let mode: Mode = 'code';
  let depth = 0;
  // Depth at which each open template literal's ${ started, so its } returns to the template.
  const templates: number[] = [];
  let lastSignificant = '';
  let inClass = false;
  let blockStart = -1;
  for (let t = 0; t < n; t++) {
    const ch = text[t];
    const next = text[t + 1] ?? '';
    switch (mode) {
      case 'code':
        // Like a quote, an opener counts from the character that makes it one: the second of // or /*.
        if (ch === '/' && next === '/') mode = 'line';
        else if (ch === '/' && next === '*') (mode = 'block'), (blockStart = t);
        else if (ch === '/' && (lastSignificant === '' || '(,=:[!&|?{};+-*%<>~^'.includes(lastSignificant))) (mode = 'regex'), (inClass = false);
        else if (ch === "'") (mode = 'single'), (insideString[t] = 1);
        else if (ch === '"') (mode = 'double'), (insideString[t] = 1);
        else if (ch === '`') (mode = 'template'), (insideString[t] = 1);
        else if (ch === '(' || ch === '[' || ch === '{') depth++;
        else if (ch === ')' || ch === ']') depth = Math.max(0, depth - 1);
        else if (ch === '}') {
          if (templates.length && templates[templates.length - 1] === depth) {
            templates.pop();
            mode = 'template';
            insideString[t] = 1;
          } else depth = Math.max(0, depth - 1);
        }
        if (ch !== ' ' && ch !== '\t' && ch !== '\n') lastSignificant = ch;
        break;
      case 'line':
        if (ch === '\n') mode = 'code';
        else insideComment[t] = 1;
        break;
      case 'block':
        // */ closes only after the opener's own * (so /*/ does not); its / is outside, like a closing quote.
        if (ch === '/' && text[t - 1] === '*' && t - 1 > blockStart + 1) (mode = 'code'), (lastSignificant = ' ');
        else insideComment[t] = 1;
        break;
      case 'single':
      case 'double': {
        const quote = mode === 'single' ? "'" : '"';
        if (ch === '\\') {
          insideString[t] = 1;
          bracketDepth[t] = depth; // the escaped character is skipped below
          if (t + 1 < n) insideString[++t] = 1;
        } else if (ch === quote) (mode = 'code'), (lastSignificant = 'a');
        else if (ch === '\n') mode = 'code'; // unterminated: recover at the line end
        else insideString[t] = 1;
        break;
      }
      case 'template':
        if (ch === '\\') {
          insideString[t] = 1;
          bracketDepth[t] = depth; // the escaped character is skipped below
          if (t + 1 < n) insideString[++t] = 1;
        } else if (ch === '`') (mode = 'code'), (lastSignificant = 'a');
        else if (ch === '$' && next === '{') {
          insideString[t] = 1;
          templates.push(depth);
          mode = 'code';
          bracketDepth[t] = depth;
          t++; // the '{' of ${ opens the expression, not a bracket level
          lastSignificant = '{';
        } else insideString[t] = 1;
        break;
      case 'regex':
        if (ch === '\\') (bracketDepth[t] = depth), t++;
        else if (ch === '[') inClass = true;
        else if (ch === ']') inClass = false;
        else if ((ch === '/' && !inClass) || ch === '\n') (mode = 'code'), (lastSignificant = 'a');
        break;
    }
    bracketDepth[t] = depth;
  }
  const insideStringOrComment = new Uint8Array(n);
  for (let t = 0; t < n; t++) insideStringOrComment[t] = insideString[t] | insideComment[t];
  return { bracketDepth, insideString, insideComment, insideStringOrComment };
}

/** Pearson correlation of two equally long series; 0 when either is constant. */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let sa = 0;
  let sb = 0;
  for (let k = 0; k < n; k++) (sa += a[k]), (sb += b[k]);
  const ma = sa / n;
  const mb = sb / n;
  let cab = 0;
  let caa = 0;
  let cbb = 0;
  for (let k = 0; k < n; k++) {
    const x = a[k] - ma;
    const y = b[k] - mb;
    cab += x * y;
    caa += x * x;
    cbb += y * y;
  }
  return caa > 0 && cbb > 0 ? cab / Math.sqrt(caa * cbb) : 0;
}
