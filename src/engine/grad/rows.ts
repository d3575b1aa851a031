/**
 * The two inner loops BPTT and training spend their time in, register-blocked four rows at a time:
 * each load of the shared vector feeds four rows. Every output keeps the summation order of the plain
 * one-row-at-a-time loop, so results are bit-identical to it (and to the PyTorch fixtures' tolerance).
 * Pure.
 */

/** dst[dOff + k] = bias[r0 + k] + Σ_j M[(r0 + k)·cols + j] · vec[vOff + j], for k < n (j ascending). */
export function dotRows(
  M: Float64Array,
  cols: number,
  r0: number,
  n: number,
  vec: Float64Array,
  vOff: number,
  bias: Float64Array,
  dst: Float64Array,
  dOff: number,
): void {
  let k = 0;
  for (; k + 3 < n; k += 4) {
    const r = r0 + k;
    const o0 = r * cols;
    const o1 = o0 + cols;
    const o2 = o1 + cols;
    const o3 = o2 + cols;
    let s0 = bias[r];
    let s1 = bias[r + 1];
    let s2 = bias[r + 2];
    let s3 = bias[r + 3];
    for (let j = 0; j < cols; j++) {
      const v = vec[vOff + j];
      s0 += M[o0 + j] * v;
      s1 += M[o1 + j] * v;
      s2 += M[o2 + j] * v;
      s3 += M[o3 + j] * v;
    }
    dst[dOff + k] = s0;
    dst[dOff + k + 1] = s1;
    dst[dOff + k + 2] = s2;
    dst[dOff + k + 3] = s3;
  }
  for (; k < n; k++) {
    const o = (r0 + k) * cols;
    let s = bias[r0 + k];
    for (let j = 0; j < cols; j++) s += M[o + j] * vec[vOff + j];
    dst[dOff + k] = s;
  }
}

/**
 * For rows r < n with weight d_r = dv[dOff + r]: G[r, :] += d_r · src[sOff + :] (skipped when G is null)
 * and acc[:] += M[r, :] · d_r, rows added in ascending order (the backward pass of dotRows).
 */
export function outerAccum(
  G: Float64Array | null,
  M: Float64Array,
  cols: number,
  n: number,
  dv: Float64Array,
  dOff: number,
  src: Float64Array,
  sOff: number,
  acc: Float64Array,
): void {
  let r = 0;
  for (; r + 3 < n; r += 4) {
    const d0 = dv[dOff + r];
    const d1 = dv[dOff + r + 1];
    const d2 = dv[dOff + r + 2];
    const d3 = dv[dOff + r + 3];
    if (d0 === 0 && d1 === 0 && d2 === 0 && d3 === 0) continue;
    const o0 = r * cols;
    const o1 = o0 + cols;
    const o2 = o1 + cols;
    const o3 = o2 + cols;
    if (G)
      for (let j = 0; j < cols; j++) {
        const v = src[sOff + j];
        G[o0 + j] += d0 * v;
        G[o1 + j] += d1 * v;
        G[o2 + j] += d2 * v;
        G[o3 + j] += d3 * v;
      }
    // Left to right: the same additions in the same order as four single-row passes.
    for (let j = 0; j < cols; j++) acc[j] = acc[j] + M[o0 + j] * d0 + M[o1 + j] * d1 + M[o2 + j] * d2 + M[o3 + j] * d3;
  }
  for (; r < n; r++) {
    const d = dv[dOff + r];
    if (d === 0) continue;
    const o = r * cols;
    if (G) for (let j = 0; j < cols; j++) G[o + j] += d * src[sOff + j];
    for (let j = 0; j < cols; j++) acc[j] += M[o + j] * d;
  }
}

/**
 * G[r, j] += Σ_k D[k·rows + r] · S[k·cols + j], k ascending: the weight gradient of K steps at once,
 * with exactly the additions (and their order) of adding one outer product d_k ⊗ s_k per step, but
 * each G element loaded and stored once instead of K times. Blocked 4 rows × 2 columns.
 */
export function gemmTN(G: Float64Array, rows: number, cols: number, D: Float64Array, S: Float64Array, K: number): void {
  let r = 0;
  for (; r + 3 < rows; r += 4) {
    let j = 0;
    for (; j + 1 < cols; j += 2) {
      const g0 = r * cols + j;
      const g1 = g0 + cols;
      const g2 = g1 + cols;
      const g3 = g2 + cols;
      let a0 = G[g0], b0 = G[g0 + 1], a1 = G[g1], b1 = G[g1 + 1];
      let a2 = G[g2], b2 = G[g2 + 1], a3 = G[g3], b3 = G[g3 + 1];
      for (let k = 0; k < K; k++) {
        const dk = k * rows + r;
        const sk = k * cols + j;
        const s0 = S[sk];
        const s1 = S[sk + 1];
        const d0 = D[dk];
        const d1 = D[dk + 1];
        const d2 = D[dk + 2];
        const d3 = D[dk + 3];
        a0 += d0 * s0;
        b0 += d0 * s1;
        a1 += d1 * s0;
        b1 += d1 * s1;
        a2 += d2 * s0;
        b2 += d2 * s1;
        a3 += d3 * s0;
        b3 += d3 * s1;
      }
      (G[g0] = a0), (G[g0 + 1] = b0), (G[g1] = a1), (G[g1 + 1] = b1);
      (G[g2] = a2), (G[g2 + 1] = b2), (G[g3] = a3), (G[g3 + 1] = b3);
    }
    for (; j < cols; j++) for (let q = r; q < r + 4; q++) gemmCell(G, rows, cols, D, S, K, q, j);
  }
  for (; r < rows; r++) for (let j = 0; j < cols; j++) gemmCell(G, rows, cols, D, S, K, r, j);
}

function gemmCell(G: Float64Array, rows: number, cols: number, D: Float64Array, S: Float64Array, K: number, r: number, j: number): void {
  let a = G[r * cols + j];
  for (let k = 0; k < K; k++) a += D[k * rows + r] * S[k * cols + j];
  G[r * cols + j] = a;
}

/** The first `rows` rows of a row-major [·, cols] matrix, transposed to [cols, rows]. */
export function transpose(M: Float64Array, rows: number, cols: number): Float64Array {
  const T = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) T[j * rows + r] = M[r * cols + j];
  return T;
}
