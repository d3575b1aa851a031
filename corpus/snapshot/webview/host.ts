/**
 * The webview's only link to the extension host. `acquireVsCodeApi` is looked up lazily so the
 * modules that import this one also load under jsdom in Node tests, where a fake transport is installed.
 */
import type { HostToWebview, PersistedState, WebviewToHost } from '../src/protocol/messages';

export interface Transport {
  postMessage(msg: WebviewToHost): void;
  getState(): unknown;
  setState(state: PersistedState): void;
}

declare function acquireVsCodeApi(): Transport;

let transport: Transport | undefined;

export function setTransport(t: Transport): void {
  transport = t;
}

function api(): Transport {
  if (!transport) transport = acquireVsCodeApi();
  return transport;
}

export function post(msg: WebviewToHost): void {
  api().postMessage(msg);
}

export function getState(): unknown {
  return api().getState();
}

export function setState(state: PersistedState): void {
  api().setState(state);
}

/** Subscribes to host messages; only objects with a string `type` are passed on. */
export function onHostMessage(handler: (msg: HostToWebview) => void, target: Window = window): () => void {
  const listener = (e: MessageEvent) => {
    const d = e.data as unknown;
    if (typeof d === 'object' && d !== null && typeof (d as { type?: unknown }).type === 'string') handler(d as HostToWebview);
  };
  target.addEventListener('message', listener);
  return () => target.removeEventListener('message', listener);
}
