/**
 * The analysis views' requests and the latest answer of each kind. Only the newest request of a kind is
 * kept: an answer that does not match it (older view, older run) is dropped. Pure apart from `send`.
 */
import type {
  AnalysisToWebview, HeatmapMessage, PredictionsMessage, UnitSeriesMessage, UnitStatsMessage, WebviewToHost,
} from '../../src/protocol/messages';

export interface HeatmapQuery {
  layer: number;
  direction: number;
  channel: string;
  start: number;
  count: number;
  bins: number;
}

export class AnalysisData {
  runId = -1;
  heatmap: HeatmapMessage | undefined;
  /** Unit statistics by `layer/direction/channel` (a few channels: the heatmap's and the scatter's gate). */
  readonly stats = new Map<string, UnitStatsMessage>();
  private readonly statsPending = new Set<string>();
  series: UnitSeriesMessage | undefined;
  predictions: PredictionsMessage | undefined;
  lossStrip: Float32Array | undefined;
  private nextId = 1;
  private readonly wanted = new Map<string, { id: number; key: string }>();
  /** Called with the kind of answer that arrived. */
  onData: (kind: AnalysisToWebview['type'], m: AnalysisToWebview) => void = () => undefined;

  constructor(private readonly send: (m: WebviewToHost) => void) {}

  reset(runId: number): void {
    this.runId = runId;
    this.heatmap = this.series = this.predictions = undefined;
    this.stats.clear();
    this.statsPending.clear();
    this.lossStrip = undefined;
    this.wanted.clear();
  }

  /** Sends a request unless the same one is pending or already answered; returns its id. */
  private ask(kind: string, key: string, make: (id: number) => WebviewToHost, answered: boolean): void {
    if (this.runId < 0) return;
    const w = this.wanted.get(kind);
    if (w && w.key === key && (answered || w.id)) return;
    const id = this.nextId++;
    this.wanted.set(kind, { id, key });
    this.send(make(id));
  }

  requestHeatmap(q: HeatmapQuery): void {
    const key = JSON.stringify(q);
    const h = this.heatmap;
    const answered = !!h && h.layer === q.layer && h.direction === q.direction && h.channel === q.channel && h.start === q.start && h.count === q.count && h.bins === q.bins;
    this.ask('heatmap', key, (id) => ({ type: 'requestHeatmap', id, runId: this.runId, ...q }), answered);
  }

  /** Statistics of a channel, asked once per run (undefined until they arrive). */
  statsOf(layer: number, direction: number, channel: string): UnitStatsMessage | undefined {
    const key = `${layer}/${direction}/${channel}`;
    const hit = this.stats.get(key);
    if (hit || this.runId < 0 || this.statsPending.has(key)) return hit;
    this.statsPending.add(key);
    this.send({ type: 'requestUnitStats', id: this.nextId++, runId: this.runId, layer, direction, channel });
    return undefined;
  }

  requestSeries(layer: number, direction: number, channel: string, unit: number): void {
    const s = this.series;
    const answered = !!s && s.layer === layer && s.direction === direction && s.channel === channel && s.unit === unit;
    this.ask('unitSeries', `${layer}/${direction}/${channel}/${unit}`, (id) => ({ type: 'requestUnitSeries', id, runId: this.runId, layer, direction, channel, unit }), answered);
  }

  requestPredictions(step: number, k = 5): void {
    const answered = this.predictions?.step === step;
    this.ask('predictions', String(step), (id) => ({ type: 'requestPredictions', id, runId: this.runId, step, k }), answered);
  }

  /** An answer from the host: kept only if it answers the newest request of its kind. */
  onMessage(m: AnalysisToWebview): void {
    if (m.type === 'exportDone') return this.onData(m.type, m);
    if (m.type === 'unitStats') {
      const key = `${m.layer}/${m.direction}/${m.channel}`;
      if (m.runId !== this.runId || !this.statsPending.delete(key)) return;
      this.stats.set(key, m);
      return this.onData(m.type, m);
    }
    if (m.runId !== this.runId || this.wanted.get(m.type)?.id !== m.id) return;
    if (m.type === 'heatmap') this.heatmap = m;
    else if (m.type === 'unitSeries') this.series = m;
    else {
      this.predictions = m;
      if (m.lossStrip) this.lossStrip = m.lossStrip;
    }
    this.onData(m.type, m);
  }
}
