/**
 * Token limits with intent: above the configurable limit the person is asked (truncate, or run in full
 * with progress); above the hard cap the encoders have already stopped and this says so.
 */
import { msg } from '../l10n/format';
import { DEFAULT_TOKEN_LIMIT, EncodedSequence, HARD_CAP_TOKENS, fmtCount } from './types';

export type LimitDecision =
  | { kind: 'ok'; note?: string }
  /** Ask: "Truncate to {limit}" or "Run all {steps} with progress". */
  | { kind: 'ask'; steps: number; limit: number; question: string; note?: string };

/** Clamp a configured limit to 1 … hard cap (a bad setting must not disable the cap). */
export function effectiveLimit(configured: unknown): number {
  const n = typeof configured === 'number' && Number.isFinite(configured) ? Math.floor(configured) : DEFAULT_TOKEN_LIMIT;
  return Math.min(HARD_CAP_TOKENS, Math.max(1, n));
}

export function decideLimit(seq: EncodedSequence, configuredLimit: unknown): LimitDecision {
  const limit = effectiveLimit(configuredLimit);
  const note =
    seq.truncated?.reason === 'hard-cap'
      ? msg('Truncated to {0} steps: {1} is the hard cap ({2} characters not read).', fmtCount(seq.steps), fmtCount(HARD_CAP_TOKENS), fmtCount(seq.truncated.unreadChars))
      : undefined;
  if (seq.steps <= limit) return { kind: 'ok', note };
  return {
    kind: 'ask',
    steps: seq.steps,
    limit,
    question: msg('The selection is {0} steps, above the limit of {1} (setting unroll.tokenLimit). Truncate to the first {1}, or run all of it with progress?', fmtCount(seq.steps), fmtCount(limit)),
    note,
  };
}
