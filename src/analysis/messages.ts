/**
 * The analysis views' part of the host <-> webview protocol (heatmaps, unit statistics, text colouring,
 * predictions, export). Declared here and re-exported by src/protocol/messages.ts, whose unions include
 * these members and whose parseWebviewMessage delegates to `parseAnalysisMessage`. Pure.
 */

export type ExportFormat = 'csv' | 'npy';
export type ImageFormat = 'png' | 'svg';

// ---------------------------------------------------------------- webview -> host

/** Codes of one channel for steps [start, start+count) reduced into `bins` columns (min, max, mean). */
export interface HeatmapRequest {
  type: 'requestHeatmap';
  id: number;
  runId: number;
  layer: number;
  direction: number;
  channel: string;
  start: number;
  count: number;
  bins: number;
}

/** Per-unit mean, variance and saturation of one channel over every step. */
export interface UnitStatsRequest {
  type: 'requestUnitStats';
  id: number;
  runId: number;
  layer: number;
  direction: number;
  channel: string;
}

/** One unit's codes at every step (text colouring) and its most saturated steps. */
export interface UnitSeriesRequest {
  type: 'requestUnitSeries';
  id: number;
  runId: number;
  layer: number;
  direction: number;
  channel: string;
  unit: number;
}

/** Top-k next tokens at a step, and the per-step loss of the actual next token (decoder models only). */
export interface PredictionsRequest {
  type: 'requestPredictions';
  id: number;
  runId: number;
  step: number;
  k: number;
}

/** Save a channel's exact values (every step × unit) of one layer and direction as CSV or NPY. */
export interface ExportTensorRequest {
  type: 'exportTensor';
  id: number;
  runId: number;
  layer: number;
  direction: number;
  channel: string;
  format: ExportFormat;
}

/** Save a picture of a view the webview drew (PNG as base64, SVG as text). */
export interface SaveImageRequest {
  type: 'saveImage';
  id: number;
  format: ImageFormat;
  /** Suggested file name without folder. */
  name: string;
  data: string;
}

export type AnalysisToHost = HeatmapRequest | UnitStatsRequest | UnitSeriesRequest | PredictionsRequest | ExportTensorRequest | SaveImageRequest;

// ---------------------------------------------------------------- host -> webview

export interface HeatmapMessage {
  type: 'heatmap';
  id: number;
  runId: number;
  layer: number;
  direction: number;
  channel: string;
  start: number;
  count: number;
  bins: number;
  /** Units per column. */
  width: number;
  lo: number;
  hi: number;
  /** bins × width codes each, column-major by bin (bin k's units at k·width). */
  min: Uint8Array;
  max: Uint8Array;
  mean: Uint8Array;
}

export interface UnitStatsMessage {
  type: 'unitStats';
  id: number;
  runId: number;
  layer: number;
  direction: number;
  channel: string;
  steps: number;
  mean: Float64Array;
  variance: Float64Array;
  low: Float64Array;
  high: Float64Array;
  /** Correlation of each unit with the text's bracket depth (NaN where either never changes). */
  bracket: Float64Array;
}

export interface UnitSeriesMessage {
  type: 'unitSeries';
  id: number;
  runId: number;
  layer: number;
  direction: number;
  channel: string;
  unit: number;
  lo: number;
  hi: number;
  /** One code per step. */
  codes: Uint8Array;
  /** Steps where the unit is saturated (< 0.1 or > 0.9), most extreme first, at most 64 (sigmoid gates). */
  saturatedSteps: number[];
}

export interface PredictionsMessage {
  type: 'predictions';
  id: number;
  runId: number;
  step: number;
  /** Top-k at this step: token text and probability. */
  top: { token: string; prob: number }[];
  /** The actual next token, its probability and loss (−ln p); absent at the last step. */
  actual?: { token: string; prob: number; loss: number };
  /** −ln p(token t+1 | ≤ t) for every step (NaN at the last); sent once per run, then omitted. */
  lossStrip?: Float32Array;
  /** Set when the model has no decoder: why there are no predictions (top is then empty). */
  unavailable?: string;
}

/** Outcome of an export or image save: a line to show (saved path, cancelled, or the error). */
export interface ExportDoneMessage {
  type: 'exportDone';
  id: number;
  ok: boolean;
  message: string;
}

export type AnalysisToWebview = HeatmapMessage | UnitStatsMessage | UnitSeriesMessage | PredictionsMessage | ExportDoneMessage;

// ---------------------------------------------------------------- guards

const MAX_ID = 2 ** 31;
/** Heatmap columns per request: a wide screen at device pixel ratio 2 stays well below. */
export const MAX_HEATMAP_BINS = 8192;
/** Largest image a webview may hand over to be saved (base64 PNG or SVG text). */
export const MAX_IMAGE_CHARS = 64 * 1024 * 1024;
const CHANNELS = new Set(['i', 'f', 'g', 'o', 'r', 'z', 'n', 'c', 'h', 'm']);

function isIndex(v: unknown, max = MAX_ID): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
}
function isChannel(v: unknown): v is string {
  return typeof v === 'string' && CHANNELS.has(v);
}

/** Validates an analysis message from the (untrusted) webview; undefined when any field is off. */
export function parseAnalysisMessage(m: Record<string, unknown>): AnalysisToHost | undefined {
  const base = isIndex(m.id) && isIndex(m.runId);
  const where = base && isIndex(m.layer, 64) && isIndex(m.direction, 1) && isChannel(m.channel);
  switch (m.type) {
    case 'requestHeatmap':
      if (where && isIndex(m.start) && isIndex(m.count) && (m.count as number) > 0 && isIndex(m.bins, MAX_HEATMAP_BINS) && (m.bins as number) > 0) {
        return { type: 'requestHeatmap', id: m.id as number, runId: m.runId as number, layer: m.layer as number, direction: m.direction as number, channel: m.channel as string, start: m.start, count: m.count as number, bins: m.bins as number };
      }
      return undefined;
    case 'requestUnitStats':
      return where ? { type: 'requestUnitStats', id: m.id as number, runId: m.runId as number, layer: m.layer as number, direction: m.direction as number, channel: m.channel as string } : undefined;
    case 'requestUnitSeries':
      return where && isIndex(m.unit, 65_536)
        ? { type: 'requestUnitSeries', id: m.id as number, runId: m.runId as number, layer: m.layer as number, direction: m.direction as number, channel: m.channel as string, unit: m.unit }
        : undefined;
    case 'requestPredictions':
      return base && isIndex(m.step) && isIndex(m.k, 50) && (m.k as number) > 0
        ? { type: 'requestPredictions', id: m.id as number, runId: m.runId as number, step: m.step, k: m.k as number }
        : undefined;
    case 'exportTensor':
      return where && (m.format === 'csv' || m.format === 'npy')
        ? { type: 'exportTensor', id: m.id as number, runId: m.runId as number, layer: m.layer as number, direction: m.direction as number, channel: m.channel as string, format: m.format }
        : undefined;
    case 'saveImage':
      // The name is only a suggestion in the save dialog; keep it to a plain file name.
      if (isIndex(m.id) && (m.format === 'png' || m.format === 'svg') && typeof m.name === 'string' && /^[\w.-]{1,80}$/.test(m.name) &&
        typeof m.data === 'string' && m.data.length <= MAX_IMAGE_CHARS) {
        if (m.format === 'png' && !/^[A-Za-z0-9+/]*={0,2}$/.test(m.data)) return undefined;
        return { type: 'saveImage', id: m.id, format: m.format, name: m.name, data: m.data };
      }
      return undefined;
    default:
      return undefined;
  }
}
