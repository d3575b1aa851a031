/**
 * Predictions of a model with a decoder: the top-k next tokens with softmax probabilities, and the loss of
 * the actual next token (−log p), computed in float64 from float32 logits with the max subtracted. Pure.
 */

export interface Prediction {
  id: number;
  prob: number;
}

/** log Σ exp(logits) (stable). */
export function logSumExp(logits: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  if (!Number.isFinite(max)) return max;
  let z = 0;
  for (let i = 0; i < logits.length; i++) z += Math.exp(logits[i] - max);
  return max + Math.log(z);
}

/** The k most probable ids, highest first (ties: lower id first). */
export function topPredictions(logits: ArrayLike<number>, k: number): Prediction[] {
  const lse = logSumExp(logits);
  const ids = Array.from({ length: logits.length }, (_, i) => i).sort((a, b) => logits[b] - logits[a] || a - b);
  return ids.slice(0, Math.max(0, k)).map((id) => ({ id, prob: Math.exp(logits[id] - lse) }));
}

/** −log softmax(logits)[target]. */
export function tokenLoss(logits: ArrayLike<number>, target: number): number {
  if (!(Number.isInteger(target) && target >= 0 && target < logits.length)) throw new RangeError(`token id ${target} is outside the vocabulary of ${logits.length}`);
  return logSumExp(logits) - logits[target];
}
