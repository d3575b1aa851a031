/**
 * A jsdom window installed as the global browser environment, plus a fake VS Code webview transport
 * that records what the webview posts and keeps its setState value.
 */
import type { PersistedState, WebviewToHost } from '../../../src/protocol/messages';
import { setTransport } from '../../../webview/host';

/** The slice of jsdom's API used here (typed locally: the project does not ship @types/jsdom). */
interface JsdomInstance {
  window: Window & typeof globalThis;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { JSDOM } = require('jsdom') as { JSDOM: new (html: string, options?: { pretendToBeVisual?: boolean }) => JsdomInstance };

export interface FakeHost {
  posted: WebviewToHost[];
  state: PersistedState | undefined;
  dom: JsdomInstance;
  cleanup(): void;
}

const KEYS = ['window', 'document', 'HTMLElement', 'Node', 'getComputedStyle', 'KeyboardEvent', 'MouseEvent', 'MessageEvent', 'requestAnimationFrame', 'devicePixelRatio', 'SVGElement', 'Element', 'MutationObserver', 'Event'] as const;

export function installDom(initialState?: unknown, width = 800): FakeHost {
  const dom = new JSDOM('<!DOCTYPE html><html><body><main id="app"></main></body></html>', { pretendToBeVisual: true });
  const w = dom.window as unknown as Record<string, unknown>;
  const g = globalThis as unknown as Record<string, unknown>;
  const saved = new Map<string, unknown>(KEYS.map((k) => [k, g[k]]));
  for (const k of KEYS) if (k !== 'window') g[k] = w[k];
  g.window = dom.window;
  // jsdom has no layout: give the chain scroller a fixed viewport so level-of-detail math has a width.
  Object.defineProperty((dom.window as unknown as { HTMLElement: typeof HTMLElement }).HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => width });
  // jsdom has no canvas: views must cope with getContext() returning null (they skip painting).
  (dom.window as unknown as { HTMLCanvasElement: typeof HTMLCanvasElement }).HTMLCanvasElement.prototype.getContext = (() => null) as never;
  const host: FakeHost = {
    posted: [],
    state: initialState as PersistedState | undefined,
    dom,
    cleanup() {
      for (const [k, v] of saved) g[k] = v;
      dom.window.close();
    },
  };
  setTransport({
    postMessage: (m) => host.posted.push(JSON.parse(JSON.stringify(m)) as WebviewToHost),
    getState: () => host.state,
    setState: (s) => { host.state = JSON.parse(JSON.stringify(s)) as PersistedState; },
  });
  return host;
}
