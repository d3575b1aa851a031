/**
 * THE host <-> webview protocol of the Unroll visualizer. Both sides import this module; nothing else
 * defines a message. One discriminated union per direction; requests carry a numeric `id` that the
 * answer echoes (correlation). Messages from the webview are untrusted input: the host accepts them
 * only through `parseWebviewMessage`, which checks every field.
 * Pure: no `vscode` import, no DOM.
 */
import { type AnalysisToHost, type AnalysisToWebview, parseAnalysisMessage } from '../analysis/messages';
import type { AnalysisStrings } from '../analysis/strings';

// The analysis views' messages (heatmaps, unit statistics, predictions, export) are declared there.
export * from '../analysis/messages';

/** Where a sequence came from, kept in webview state so a reloaded window can rebuild the panel. */
export interface SequenceSource {
  /** Text of the visualized range (already capped at MAX_SEQUENCE_CHARS). */
  text: string;
  /** Short human label: "main.py:3:1–5:10" or "main.py line 7". */
  label: string;
  /** true when there was no selection and the current line was used. */
  fromCurrentLine: boolean;
  /** Length of the original text before capping (in UTF-16 code units). */
  originalLength: number;
  /** Document URI and range, so editor features can map steps back to text. */
  uri?: string;
  /** Offset of the range start in the document (UTF-16). */
  startOffset?: number;
  /** Cell to run ('lstm', 'gru', 'rnn_tanh', …); default: the unroll.randomModel.cell setting. */
  cell?: string;
  /** How the text is read: 'chars' (default), 'words', 'numbers', 'csv', 'csv:<column>'. */
  reading?: string;
  /**
   * Only in saved webview state: the text was longer than MAX_SEQUENCE_CHARS (after "Run All"), so `text` is
   * empty and a reloaded window re-reads this many characters from `uri` at `startOffset`.
   */
  textLength?: number;
}

/** Longest text (UTF-16 code units) the visualizer takes; longer selections are cut with a notice. */
export const MAX_SEQUENCE_CHARS = 100_000;

/** What the user's view looks like; persisted with setState so it survives hide/reload. */
export interface ViewState {
  step: number;
  layer: number;
  direction: number;
  unit: number;
  /** Selected gate name ('i','f','g','o','r','z','n','c','h') or '' for none. */
  gate: string;
  /** Width of one time step in CSS pixels (zoom). */
  stepWidth: number;
  /** Playback speed in steps per second. */
  speed: number;
}

/** Localised strings the webview shows. The host fills them with vscode.l10n.t. */
export interface WebviewStrings {
  title: string;
  loading: string;
  emptySelection: string;
  stepsLabel: string;
  step: string;
  token: string;
  play: string;
  pause: string;
  stepBack: string;
  stepForward: string;
  jumpStart: string;
  jumpEnd: string;
  speed: string;
  zoom: string;
  layer: string;
  direction: string;
  forward: string;
  reverse: string;
  unit: string;
  gate: string;
  copyMermaid: string;
  copied: string;
  cellState: string;
  hiddenState: string;
  sigmoidLegend: string;
  tanhLegend: string;
  condition: string;
  conditionPlaceholder: string;
  breakpointHit: string;
  /** The ◆ button's title: {0} is the current step's token, quoted. */
  tokenBreakpointAdd: string;
  tokenBreakpointRemove: string;
  /** The breakpoint marks strip under the scrubber (clickable). */
  breakpointMarks: string;
  hitCount: string;
  hitCountPlaceholder: string;
  logMessage: string;
  logMessagePlaceholder: string;
  keyboardHelp: string;
  timeline: string;
  chain: string;
  diagram: string;
  noModel: string;
  error: string;
  /** The analysis views' strings (src/analysis/strings.ts). */
  analysis: AnalysisStrings;
}

/** Summary of a trace, sent once per run (the values themselves travel in windows). */
export interface TraceSummary {
  /** Run id; answers for an older run are discarded. */
  runId: number;
  steps: number;
  /** Fixture/spec cell name: 'lstm', 'lstm_peephole', 'lstm_cifg', 'gru', 'gru_cho', 'rnn_tanh', … */
  cellName: string;
  family: 'rnn' | 'lstm' | 'gru';
  /** LSTM: i/f/o see the cell state. */
  peephole: boolean;
  /** LSTM: 'none' | 'keep-forget' (i = 1 − f) | 'keep-input' (f = 1 − i). */
  coupling: string;
  /** GRU: PyTorch "reset after" (true) or Cho 2014 "reset before" (false). */
  resetAfter: boolean;
  hiddenSize: number;
  outputSize: number;
  numLayers: number;
  numDirections: number;
  /** Channels recorded per step per layer/direction, e.g. ['i','f','g','o','c','h']. */
  channels: string[];
  /** Where the weights came from ("seeded random (seed 42)"). */
  modelSource: string;
  /** How the text was read ("characters, 97-symbol vocabulary"). */
  encoding: string;
  /** Time the engine took, ms. */
  elapsedMs: number;
  /** Units the model's metadata says mean something (built-in models: measured on held-out code), localised. */
  notableUnits?: NotableUnit[];
}

export interface NotableUnit {
  unit: number;
  /** Channel the unit was measured on ('c' for an LSTM's cell state). */
  channel: string;
  /** "Unit 5 knows it is inside a string or comment (r = 0.58 on held-out code)" */
  label: string;
}

/** One channel's 8-bit codes in a window: value = lo + code · (hi − lo) / 255. */
export interface ChannelWindow {
  name: string;
  /** Values per step (H, or the output size for h). */
  width: number;
  lo: number;
  hi: number;
  /** count × width codes, step-major. */
  data: Uint8Array;
}

// ---------------------------------------------------------------- host -> webview

/** First message after the webview said it is ready (and again after every reload of the webview). */
export interface InitMessage {
  type: 'init';
  strings: WebviewStrings;
  source: SequenceSource;
  /** Tokens, one per time step (display labels are derived by the webview). Empty when `spans` is set. */
  tokens: string[];
  /**
   * Tokens as places in source.text (token t = text.substr(starts[t], lengths[t])): two typed arrays instead
   * of a million strings, so the extension host neither builds nor serializes per-token labels.
   */
  spans?: { starts: Uint32Array; lengths: Uint32Array };
  /** Notices to show above the views (current-line use, truncation). */
  notices: string[];
  /** View state to start from (restored), or undefined for defaults. */
  view?: Partial<ViewState>;
}

/** The trace for the current sequence is ready; the webview may request windows. */
export interface TraceReadyMessage {
  type: 'traceReady';
  summary: TraceSummary;
}

/** The engine is (re)computing; `progress` is 0..1. */
export interface TraceProgressMessage {
  type: 'traceProgress';
  progress: number;
}

/** Answer to WindowRequest: 8-bit compact values for steps [start, start+count) of one layer/direction. */
export interface WindowMessage {
  type: 'window';
  id: number;
  runId: number;
  layer: number;
  direction: number;
  start: number;
  count: number;
  channels: ChannelWindow[];
}

/** Answer to ExactStepRequest: exact float32 values of one step, one array per channel. */
export interface ExactStepMessage {
  type: 'exactStep';
  id: number;
  runId: number;
  layer: number;
  direction: number;
  step: number;
  /** Gate, c, h, h_prev, c_prev (and m) -> exact float32 values of this step. */
  values: Record<string, Float32Array>;
}

/** Answer to ScanRequest (conditional breakpoints). */
export interface ScanResultMessage {
  type: 'scanResult';
  id: number;
  /** Steps where the breakpoint fires (ascending), or an error line pointing at the offending character. */
  hits?: number[];
  /** Logpoints: the log line of each hit, aligned with `hits` (playback prints them instead of stopping). */
  logs?: string[];
  error?: string;
}

/** The host asks what the webview rendered (tests). */
export interface RenderReportRequest {
  type: 'renderReportRequest';
  id: number;
}

/** The host moves the current step (editor, debugger or test). */
export interface SetStepMessage {
  type: 'setStep';
  step: number;
  /** Also select this layer / direction / gate (the debugger stepped into it). */
  layer?: number;
  direction?: number;
  gate?: string;
}

/** A failure to show inline (one line). */
export interface ErrorMessage {
  type: 'error';
  message: string;
}

export type HostToWebview =
  | InitMessage
  | TraceReadyMessage
  | TraceProgressMessage
  | WindowMessage
  | ExactStepMessage
  | ScanResultMessage
  | RenderReportRequest
  | SetStepMessage
  | ErrorMessage
  | AnalysisToWebview;

// ---------------------------------------------------------------- webview -> host

/** The webview has loaded and listens; the host must not post before this. */
export interface ReadyMessage {
  type: 'ready';
}

/** Ask for compact 8-bit values of a range of steps. */
export interface WindowRequest {
  type: 'requestWindow';
  id: number;
  runId: number;
  layer: number;
  direction: number;
  start: number;
  count: number;
}

/** Ask for the exact float32 values of one step. */
export interface ExactStepRequest {
  type: 'requestExactStep';
  id: number;
  runId: number;
  layer: number;
  direction: number;
  step: number;
}

/** Evaluate a breakpoint condition at every step. */
export interface ScanRequest {
  type: 'scan';
  id: number;
  runId: number;
  /** Condition over the step's exact values ('' = every step). */
  expression: string;
  /** Which hits fire: '10', '%10' (every 10th), '>5', '==3'. */
  hitCondition?: string;
  /** Log instead of stopping: a template such as 'f.mean = {f.mean}'. */
  logMessage?: string;
}

/** What the webview currently shows (answer to RenderReportRequest). */
export interface RenderReport {
  type: 'renderReport';
  id: number;
  /** Number of time-step cells the sequence has. */
  stepCount: number;
  /** Labels of the first rendered cells (at most 200). */
  tokens: string[];
  notices: string[];
  message: string;
  step: number;
  /** 'detailed' | 'compact' | 'empty'. */
  mode: string;
  /** Text of the step counter as displayed. */
  counter: string;
  /** Values written on the cell diagram, by node id. */
  diagramValues: Record<string, string>;
}

/** The current step changed in the webview (so the editor and status bar follow). */
export interface StepChangedMessage {
  type: 'stepChanged';
  step: number;
  layer: number;
  direction: number;
}

/** The person selected a unit (and channel) in the webview; the editor's colouring follows when it is shown. */
export interface UnitSelectedMessage {
  type: 'unitSelected';
  unit: number;
  /** Channel name ('h', 'c', a gate); 'h' when no gate is selected. */
  channel: string;
}

/** Put text on the clipboard (webviews cannot reliably do it themselves). */
export interface CopyTextMessage {
  type: 'copyText';
  text: string;
}

/** Log a line into the Unroll output channel (log-only breakpoints, diagnostics). */
export interface LogMessage {
  type: 'log';
  text: string;
}

export type WebviewToHost =
  | ReadyMessage
  | WindowRequest
  | ExactStepRequest
  | ScanRequest
  | RenderReport
  | StepChangedMessage
  | UnitSelectedMessage
  | CopyTextMessage
  | LogMessage
  | AnalysisToHost;

/** Token strings from their places in the source text (see InitMessage.spans); the webview calls it. */
export function unpackTokens(text: string, spans: { starts: Uint32Array; lengths: Uint32Array }): string[] {
  const n = Math.min(spans.starts.length, spans.lengths.length);
  const out = new Array<string>(n);
  for (let t = 0; t < n; t++) out[t] = text.substr(spans.starts[t], spans.lengths[t]);
  return out;
}

// ---------------------------------------------------------------- runtime guards

/** Largest number of steps one window may span: bounds a single answer's size. */
export const MAX_WINDOW_STEPS = 65_536;
const MAX_TEXT = 1_000_000;
const MAX_ID = 2 ** 31;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function isIndex(v: unknown, max = MAX_ID): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
}
function isStr(v: unknown, max = MAX_TEXT): v is string {
  return typeof v === 'string' && v.length <= max;
}
function isStrArray(v: unknown, maxLen: number, maxItem: number): v is string[] {
  return Array.isArray(v) && v.length <= maxLen && v.every((s) => isStr(s, maxItem));
}

/**
 * Validates a message that arrived from the webview. Returns the typed message or undefined;
 * unknown types, missing fields, wrong types, negative or fractional indices and oversize payloads are rejected.
 */
export function parseWebviewMessage(raw: unknown): WebviewToHost | undefined {
  if (!isObj(raw) || typeof raw.type !== 'string') return undefined;
  const m = raw;
  switch (m.type) {
    case 'ready':
      return { type: 'ready' };
    case 'requestWindow':
      if (isIndex(m.id) && isIndex(m.runId) && isIndex(m.layer, 64) && isIndex(m.direction, 1) && isIndex(m.start) &&
        isIndex(m.count, MAX_WINDOW_STEPS) && m.count > 0) {
        return { type: 'requestWindow', id: m.id, runId: m.runId, layer: m.layer, direction: m.direction, start: m.start, count: m.count };
      }
      return undefined;
    case 'requestExactStep':
      if (isIndex(m.id) && isIndex(m.runId) && isIndex(m.layer, 64) && isIndex(m.direction, 1) && isIndex(m.step)) {
        return { type: 'requestExactStep', id: m.id, runId: m.runId, layer: m.layer, direction: m.direction, step: m.step };
      }
      return undefined;
    case 'scan':
      if (isIndex(m.id) && isIndex(m.runId) && isStr(m.expression, 2000) &&
        (m.hitCondition === undefined || isStr(m.hitCondition, 100)) && (m.logMessage === undefined || isStr(m.logMessage, 2000))) {
        const out: ScanRequest = { type: 'scan', id: m.id, runId: m.runId, expression: m.expression };
        if (m.hitCondition) out.hitCondition = m.hitCondition as string;
        if (m.logMessage) out.logMessage = m.logMessage as string;
        return out;
      }
      return undefined;
    case 'renderReport': {
      if (!isIndex(m.id) || !isIndex(m.stepCount) || !isStrArray(m.tokens, 200, 64) || !isStrArray(m.notices, 20, 1000) ||
        !isStr(m.message, 1000) || !isIndex(m.step) || !isStr(m.mode, 20) || !isStr(m.counter, 200) || !isObj(m.diagramValues)) {
        return undefined;
      }
      const diagramValues: Record<string, string> = {};
      const entries = Object.entries(m.diagramValues);
      if (entries.length > 100) return undefined;
      for (const [k, v] of entries) {
        if (!isStr(k, 40) || !isStr(v, 200)) return undefined;
        diagramValues[k] = v;
      }
      return {
        type: 'renderReport', id: m.id, stepCount: m.stepCount, tokens: m.tokens, notices: m.notices, message: m.message,
        step: m.step, mode: m.mode, counter: m.counter, diagramValues,
      };
    }
    case 'stepChanged':
      if (isIndex(m.step) && isIndex(m.layer, 64) && isIndex(m.direction, 1)) {
        return { type: 'stepChanged', step: m.step, layer: m.layer, direction: m.direction };
      }
      return undefined;
    case 'unitSelected':
      return isIndex(m.unit) && isStr(m.channel, 16) && /^[a-z_]+$/.test(m.channel) ? { type: 'unitSelected', unit: m.unit, channel: m.channel } : undefined;
    case 'copyText':
      return isStr(m.text, MAX_TEXT) ? { type: 'copyText', text: m.text } : undefined;
    case 'log':
      return isStr(m.text, 10_000) ? { type: 'log', text: m.text } : undefined;
    default:
      return parseAnalysisMessage(m);
  }
}

/** Validates persisted webview state (it comes back from the webview on restore, so it is untrusted too). */
export interface PersistedState {
  source?: SequenceSource;
  view?: Partial<ViewState>;
}

export function parsePersistedState(raw: unknown): PersistedState {
  const out: PersistedState = {};
  if (!isObj(raw)) return out;
  const s = raw.source;
  if (isObj(s) && isStr(s.text, MAX_SEQUENCE_CHARS) && isStr(s.label, 500) && typeof s.fromCurrentLine === 'boolean' &&
    isIndex(s.originalLength, 2 ** 40)) {
    out.source = { text: s.text, label: s.label, fromCurrentLine: s.fromCurrentLine, originalLength: s.originalLength };
    if (isStr(s.uri, 4000)) out.source.uri = s.uri;
    if (isIndex(s.startOffset, 2 ** 40)) out.source.startOffset = s.startOffset;
    // A long text is kept by reference only: it needs the document and offset to be read again.
    if (s.text === '' && isIndex(s.textLength, 2 ** 40) && s.textLength > 0 && out.source.uri !== undefined && out.source.startOffset !== undefined) out.source.textLength = s.textLength;
    if (isStr(s.cell, 40) && /^[a-z_]+$/.test(s.cell)) out.source.cell = s.cell;
    if (isStr(s.reading, 40) && /^[a-z]+(:\d+)?$/.test(s.reading)) out.source.reading = s.reading;
  }
  if (isObj(raw.view)) out.view = sanitizeView(raw.view);
  return out;
}

/**
 * The source as the webview saves it: a text over MAX_SEQUENCE_CHARS (possible after "Run All") is replaced by its
 * length, so the saved state stays small and a reload re-reads it from the document.
 */
export function persistableSource(source: SequenceSource): SequenceSource {
  if (source.text.length <= MAX_SEQUENCE_CHARS || source.uri === undefined || source.startOffset === undefined) return source;
  return { ...source, text: '', textLength: source.text.length };
}

/** True when saved state `saved` describes the same text as `source` (kept in full or by reference). */
export function sameSourceText(saved: SequenceSource | undefined, source: SequenceSource): boolean {
  if (!saved) return false;
  if (saved.textLength !== undefined) return saved.textLength === source.text.length && saved.uri === source.uri && saved.startOffset === source.startOffset;
  return saved.text === source.text;
}

/** Keeps only well-formed view fields. */
export function sanitizeView(v: Record<string, unknown>): Partial<ViewState> {
  const out: Partial<ViewState> = {};
  for (const k of ['step', 'layer', 'direction', 'unit'] as const) if (isIndex(v[k])) out[k] = v[k] as number;
  if (isStr(v.gate, 8)) out.gate = v.gate as string;
  for (const k of ['stepWidth', 'speed'] as const) {
    const x = v[k];
    if (typeof x === 'number' && Number.isFinite(x) && x > 0 && x <= 10_000) out[k] = x;
  }
  return out;
}
