/**
 * The webview's view of the trace: a cache of 8-bit windows, fetched in fixed blocks of steps as the
 * views scroll, plus exact values of the current step. Never asks for the whole trace; keeps a bounded
 * number of blocks (least recently used are dropped). Pure apart from the `send` callback.
 */
import type { ChannelWindow, ExactStepMessage, TraceSummary, WebviewToHost, WindowMessage } from '../src/protocol/messages';

export const BLOCK_STEPS = 512;
/** Blocks kept per run: 256 × 512 steps covers a 131k-step trace at any zoom. */
export const MAX_BLOCKS = 256;

interface Block {
  channels: Map<string, ChannelWindow>;
  start: number;
  count: number;
}

export class TraceData {
  summary: TraceSummary | undefined;
  private blocks = new Map<string, Block>();
  private pending = new Map<string, number>();
  private exact = new Map<string, Record<string, Float32Array>>();
  private exactPending = new Set<string>();
  private nextId = 1;
  /** Bumped whenever cached windows change (new run, block arrived or evicted): painters key their caches on it. */
  version = 0;
  /** Bumped only when a new run replaces everything: pixels rendered from a step's codes stay valid until then. */
  run = 0;
  /** Called when data arrives that views may want to repaint with. */
  onData: (kind: 'window' | 'exact') => void = () => undefined;

  constructor(private readonly send: (m: WebviewToHost) => void) {}

  /** A new run replaces everything. */
  reset(summary: TraceSummary | undefined): void {
    this.summary = summary;
    this.version += 1;
    this.run += 1;
    this.blocks.clear();
    this.pending.clear();
    this.exact.clear();
    this.exactPending.clear();
  }

  /** Asks for the blocks covering [first, end) that are neither cached nor on their way. */
  ensure(layer: number, dir: number, first: number, end: number): void {
    const s = this.summary;
    if (!s) return;
    const lastBlock = Math.floor((Math.min(end, s.steps) - 1) / BLOCK_STEPS);
    for (let b = Math.floor(Math.max(0, first) / BLOCK_STEPS); b <= lastBlock; b++) {
      const key = `${layer}/${dir}/${b}`;
      if (this.blocks.has(key) || this.pending.has(key)) continue;
      const id = this.nextId++;
      this.pending.set(key, id);
      this.send({ type: 'requestWindow', id, runId: s.runId, layer, direction: dir, start: b * BLOCK_STEPS, count: BLOCK_STEPS });
    }
  }

  onWindow(m: WindowMessage): void {
    if (!this.summary || m.runId !== this.summary.runId) return;
    const key = `${m.layer}/${m.direction}/${Math.floor(m.start / BLOCK_STEPS)}`;
    if (this.pending.get(key) !== m.id) return;
    this.pending.delete(key);
    this.blocks.set(key, { start: m.start, count: m.count, channels: new Map(m.channels.map((c) => [c.name, c])) });
    while (this.blocks.size > MAX_BLOCKS) this.blocks.delete(this.blocks.keys().next().value as string);
    this.version += 1;
    this.onData('window');
  }

  /** Codes of one channel at one step (a view into the block), with its scale; undefined until loaded. */
  codes(layer: number, dir: number, channel: string, step: number): { data: Uint8Array; lo: number; hi: number } | undefined {
    const b = this.blocks.get(`${layer}/${dir}/${Math.floor(step / BLOCK_STEPS)}`);
    if (!b) return undefined;
    const c = b.channels.get(channel);
    const r = step - b.start;
    if (!c || r < 0 || r >= b.count) return undefined;
    return { data: c.data.subarray(r * c.width, (r + 1) * c.width), lo: c.lo, hi: c.hi };
  }

  /** Overall scale of a channel for the loaded blocks (diverging scales use max |value|). */
  channelRange(layer: number, dir: number, channel: string): [number, number] | undefined {
    let lo = Infinity;
    let hi = -Infinity;
    for (const [k, b] of this.blocks) {
      if (!k.startsWith(`${layer}/${dir}/`)) continue;
      const c = b.channels.get(channel);
      if (c) {
        lo = Math.min(lo, c.lo);
        hi = Math.max(hi, c.hi);
      }
    }
    return Number.isFinite(lo) ? [lo, hi] : undefined;
  }

  /** Exact values of a step (undefined until they arrive; asks for them once). */
  exactValues(layer: number, dir: number, step: number): Record<string, Float32Array> | undefined {
    const s = this.summary;
    if (!s) return undefined;
    const key = `${layer}/${dir}/${step}`;
    const hit = this.exact.get(key);
    if (hit) return hit;
    if (!this.exactPending.has(key)) {
      this.exactPending.add(key);
      this.send({ type: 'requestExactStep', id: this.nextId++, runId: s.runId, layer, direction: dir, step });
    }
    return undefined;
  }

  onExact(m: ExactStepMessage): void {
    if (!this.summary || m.runId !== this.summary.runId) return;
    const key = `${m.layer}/${m.direction}/${m.step}`;
    this.exactPending.delete(key);
    this.exact.set(key, m.values);
    // A few recent steps are enough: stepping back and forth hits them; the rest is recomputed on demand.
    while (this.exact.size > 32) this.exact.delete(this.exact.keys().next().value as string);
    this.onData('exact');
  }

  /** Number of requests still unanswered (tests and the loading indicator). */
  get inFlight(): number {
    return this.pending.size + this.exactPending.size;
  }
}
