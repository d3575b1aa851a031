/** Test helpers: a TraceSession over a fixture network, and its analysis source (exact values locally). */
import type { AnalysisSource } from '../../../src/analysis/answers';
import type { Kernel } from '../../../src/engine/kernel';
import { runNetwork } from '../../../src/engine/trace';
import type { Network } from '../../../src/engine/types';
import { encodeChars, defaultCharVocabulary, toDense, tokenText } from '../../../src/input';
import { DEFAULT_RANDOM_MODEL, TraceSession } from '../../../src/panel/traceSession';

/** Runs `net` (a character model over the default 97-symbol vocabulary) on `text`. */
export function charSession(net: Network, text: string, runId = 1, kernel?: Kernel): TraceSession {
  const seq = encodeChars(text, defaultCharVocabulary(), { baseOffset: 0 });
  const x = toDense(seq);
  const t0 = Date.now();
  const trace = runNetwork(net, x, kernel ? { kernel } : {});
  return TraceSession.fromTrace(runId, seq, net, { ...DEFAULT_RANDOM_MODEL, hiddenSize: net.shape.hiddenSize }, trace, x, Date.now() - t0);
}

export function analysisSourceOf(s: TraceSession, symbols?: readonly string[]): AnalysisSource {
  return {
    runId: s.runId,
    trace: s.trace,
    exactStep: async (layer, dir, step) => (await s.exactStep({ type: 'requestExactStep', id: 0, runId: s.runId, layer, direction: dir, step })).values,
    tokenAt: (t) => tokenText(s.seq, t),
    ...(s.network.decoder ? { decoder: s.network.decoder, ids: s.seq.ids, symbols: symbols ?? defaultCharVocabulary().symbols } : {}),
  };
}
