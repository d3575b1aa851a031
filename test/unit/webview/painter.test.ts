/**
 * The chain's heat-strip painter keeps rendered columns across data arrivals: a block arriving renders
 * only the columns that were still without data (playback used to re-render every visible column then),
 * and a new run renders everything again. jsdom with a recording canvas context.
 */
import * as assert from 'assert';
import type { TraceSummary } from '../../../src/protocol/messages';
import { installDom, FakeHost } from './jsdomEnv';
import { BLOCK_STEPS, TraceData } from '../../../webview/data';
import { Store } from '../../../webview/state';
import { TracePainter } from '../../../webview/views/painter';
import { readTheme } from '../../../webview/colors';

interface Put { x: number; width: number; alpha: number[] }

class FakeImageData {
  readonly data: Uint8ClampedArray;
  constructor(readonly width: number, readonly height: number) {
    this.data = new Uint8ClampedArray(width * height * 4);
  }
}

describe('chain painter: rendered columns survive data arrivals', () => {
  let host: FakeHost;
  let puts: Put[];
  const g = globalThis as unknown as Record<string, unknown>;
  const savedImageData = g.ImageData;
  const H = 3;
  const summary = { runId: 7, steps: 2000, channels: ['f', 'h'], hiddenSize: H, outputSize: H, numLayers: 1, numDirections: 1 } as TraceSummary;
  const ctx = {
    putImageData: (img: FakeImageData, x: number) => {
      // Alpha of row 0 per column: 255 where the column had data, 0 where it was still missing.
      puts.push({ x, width: img.width, alpha: Array.from({ length: img.width }, (_, k) => img.data[k * 4 + 3]) });
    },
    drawImage: () => undefined, setTransform: () => undefined, clearRect: () => undefined, strokeRect: () => undefined,
    imageSmoothingEnabled: false, strokeStyle: '', lineWidth: 1,
  };
  beforeEach(() => {
    host = installDom();
    puts = [];
    g.ImageData = FakeImageData;
    (host.dom.window as unknown as { HTMLCanvasElement: typeof HTMLCanvasElement }).HTMLCanvasElement.prototype.getContext = (() => ctx) as never;
  });
  afterEach(() => {
    g.ImageData = savedImageData;
    host.cleanup();
  });

  function setup(): { data: TraceData; painter: TracePainter; block(b: number): void } {
    const sent: { id: number; start: number }[] = [];
    const data = new TraceData((m) => { if (m.type === 'requestWindow') sent.push({ id: m.id, start: m.start }); });
    data.reset(summary);
    const store = new Store();
    const painter = new TracePainter(data, store);
    painter.setTheme(readTheme({ getPropertyValue: () => '' }));
    painter.layout(6, 196);
    const block = (b: number) => {
      data.ensure(0, 0, b * BLOCK_STEPS, b * BLOCK_STEPS + 1);
      const req = sent.find((r) => r.start === b * BLOCK_STEPS)!;
      const codes = new Uint8Array(BLOCK_STEPS * H).map((_, i) => (i * 37) % 256);
      data.onWindow({ type: 'window', id: req.id, runId: 7, layer: 0, direction: 0, start: req.start, count: BLOCK_STEPS,
        channels: summary.channels.map((name) => ({ name, width: H, lo: 0, hi: 1, data: codes })) });
    };
    return { data, painter, block };
  }
  const paint = (p: TracePainter, first: number, end: number) => p.paint(ctx as unknown as CanvasRenderingContext2D, first, end, 56, 0, true);
  const columns = () => puts.reduce((n, p) => n + p.width, 0);

  it('a block arriving re-renders nothing already rendered, only the columns that were waiting for it', () => {
    const { painter, block } = setup();
    block(0);
    paint(painter, 0, 20);
    assert.strictEqual(columns(), 2 * 20, 'both bands, 20 steps');
    puts = [];
    block(1);
    paint(painter, 0, 20);
    assert.strictEqual(columns(), 0, 'steps 0–19 were rendered before block 1 arrived');
    paint(painter, 500, 530);
    assert.strictEqual(columns(), 2 * 30);
    puts = [];
    paint(painter, 500, 530);
    assert.strictEqual(columns(), 0);
  });

  it('columns painted before their block arrived are transparent, then rendered once it is there', () => {
    const { painter, block } = setup();
    block(0);
    paint(painter, 500, 530);
    // Steps 500–511 have data (block 0), 512–529 not yet (block 1).
    assert.deepStrictEqual(puts.map((p) => p.alpha.map((a) => (a ? 1 : 0)).join('')), ['1'.repeat(12) + '0'.repeat(18), '1'.repeat(12) + '0'.repeat(18)]);
    puts = [];
    block(1);
    paint(painter, 500, 530);
    assert.deepStrictEqual(puts.map((p) => [p.x, p.width, p.alpha.every((a) => a === 255)]), [[512, 18, true], [512, 18, true]]);
  });

  it('prepare renders the next page ahead, so painting it renders nothing; a new run starts over', () => {
    const { data, painter, block } = setup();
    block(0);
    painter.prepare(20, 40);
    assert.strictEqual(columns(), 2 * 20);
    puts = [];
    paint(painter, 20, 40);
    assert.strictEqual(columns(), 0);
    data.reset({ ...summary, runId: 8 });
    paint(painter, 20, 40);
    assert.strictEqual(columns(), 2 * 20, 'the new run has no data yet: transparent columns, rendered again');
  });
});
