/**
 * Labels computed from the text itself, to sort units by how well they track them (the classic
 * "bracket-depth cell" of trained character LSTMs). Pure.
 */

/**
 * Nesting depth of (), [], {} after each character, ignoring brackets inside string literals ('…', "…",
 * triple-quoted) and # comments, the way a code tokenizer sees them. Depth never goes below 0
 * (a selection may start inside brackets).
 */
export function bracketDepth(chars: readonly string[]): Float64Array {
  const out = new Float64Array(chars.length);
  let depth = 0;
  let quote = ''; // '', "'", '"', "'''", '"""'
  let comment = false;
  for (let t = 0; t < chars.length; t++) {
    const c = chars[t];
    if (comment) {
      if (c === '\n') comment = false;
    } else if (quote) {
      if (c === '\\') {
        // An escape consumes the next character too; its depth is the same.
        out[t] = depth;
        if (t + 1 < chars.length) out[++t] = depth;
        continue;
      }
      if (quote.length === 3) {
        if (c === quote[0] && chars[t - 1] === c && chars[t - 2] === c && t >= 2) quote = '';
      } else if (c === quote || c === '\n') quote = '';
    } else if (c === '#') comment = true;
    else if (c === "'" || c === '"') {
      quote = chars[t + 1] === c && chars[t + 2] === c ? c.repeat(3) : c;
      if (quote.length === 3) {
        out[t] = out[t + 1] = out[t + 2] = depth;
        t += 2;
        continue;
      }
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth = Math.max(0, depth - 1);
    out[t] = depth;
  }
  return out;
}

/**
 * Pearson correlation of each unit's codes with a label series, accumulated block by block (rows × units
 * codes, step-major). Codes are an affine map of values, so r is the values' r. NaN for a unit or a label
 * that never changes.
 */
export class CorrelationAccumulator {
  private n = 0;
  private sl = 0;
  private sll = 0;
  private readonly sq: Float64Array;
  private readonly sqq: Float64Array;
  private readonly sql: Float64Array;

  constructor(readonly units: number) {
    this.sq = new Float64Array(units);
    this.sqq = new Float64Array(units);
    this.sql = new Float64Array(units);
  }

  add(codes: Uint8Array, rows: number, label: ArrayLike<number>, labelOffset: number): void {
    const W = this.units;
    for (let t = 0; t < rows; t++) {
      const l = label[labelOffset + t];
      this.sl += l;
      this.sll += l * l;
      const base = t * W;
      for (let u = 0; u < W; u++) {
        const q = codes[base + u];
        this.sq[u] += q;
        this.sqq[u] += q * q;
        this.sql[u] += q * l;
      }
    }
    this.n += rows;
  }

  result(): Float64Array {
    const { n, sl } = this;
    const r = new Float64Array(this.units);
    const vl = n * this.sll - sl * sl;
    for (let u = 0; u < this.units; u++) {
      const vq = n * this.sqq[u] - this.sq[u] * this.sq[u];
      const cov = n * this.sql[u] - this.sq[u] * sl;
      r[u] = vl > 1e-9 && vq > 1e-9 ? cov / Math.sqrt(vl * vq) : NaN;
    }
    return r;
  }
}
