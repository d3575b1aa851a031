/**
 * The host side of one visualizer webview panel: HTML/CSP, the "ready" handshake, message validation,
 * and the request/response plumbing used by tests. Reuses a single panel (one visualizer at a time).
 */
import * as vscode from 'vscode';
import { randomBytes } from 'crypto';
import {
  HostToWebview, parseWebviewMessage, RenderReport, SequenceSource, ViewState, WebviewToHost,
} from '../protocol/messages';
import { buildHtml, makeNonce } from './html';
import { formatCount, tokenSpans } from './sequence';
import type { EncodedSequence } from '../input';
import { encodeSource, sequenceTokens } from './traceSession';
import { readSeed } from './traceHost';
import { webviewStrings } from './strings';
import { localizeMessage } from './localize';

export const VIEW_TYPE = 'unroll.visualizer';

/** Extra message handling plugged in by later features (trace windows, scans) without touching this file. */
export interface PanelExtension {
  /** A new sequence is shown (panel.seq). */
  onSource?(panel: VisualizerPanel): void;
  onMessage?(panel: VisualizerPanel, msg: WebviewToHost): boolean;
  onDispose?(panel: VisualizerPanel): void;
}

export class VisualizerPanel {
  static current: VisualizerPanel | undefined;
  static readonly extensions: PanelExtension[] = [];
  /** A sequence handed over with its source by show(), used once instead of encoding the source again. */
  private static preEncoded: { source: SequenceSource; seq: EncodedSequence } | undefined;

  private static encode(source: SequenceSource): EncodedSequence {
    const pre = VisualizerPanel.preEncoded;
    VisualizerPanel.preEncoded = undefined;
    return pre && pre.source === source ? pre.seq : encodeSource(source, readSeed());
  }
  private static readonly changeEmitter = new vscode.EventEmitter<VisualizerPanel | undefined>();
  /** Fires when a panel opens, gets a new sequence, or closes (undefined). */
  static readonly onDidChange = VisualizerPanel.changeEmitter.event;

  private ready = false;
  private disposed = false;
  private queue: HostToWebview[] = [];
  private nextId = 1;
  private readonly pendingReports = new Map<number, (r: RenderReport) => void>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Last step, layer and direction the webview reported (editor and status bar follow them). */
  step = 0;
  layer = 0;
  direction = 0;
  /** The visualized text as encoded time steps. */
  seq: EncodedSequence;

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly output: vscode.OutputChannel,
    public source: SequenceSource,
    private view: Partial<ViewState> | undefined,
  ) {
    this.seq = VisualizerPanel.encode(source);
    this.step = view?.step ?? 0;
    panel.webview.options = webviewOptions(extensionUri);
    panel.webview.html = this.html();
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw) => this.receive(raw)),
      panel.onDidDispose(() => this.dispose()),
      // A hidden webview is destroyed (no retainContextWhenHidden); it says "ready" again when shown.
      panel.onDidChangeViewState(() => { if (!panel.visible) this.ready = false; }),
    );
  }

  /** Shows `source` in the existing panel or a new one beside the editor. */
  static show(extensionUri: vscode.Uri, output: vscode.OutputChannel, source: SequenceSource, seq?: EncodedSequence): VisualizerPanel {
    // `seq`: the editor already encoded exactly this source; re-planning and re-encoding a large selection cost ~0.5 s.
    if (seq) VisualizerPanel.preEncoded = { source, seq };
    const cur = VisualizerPanel.current;
    if (cur) {
      cur.setSource(source, { step: 0 });
      cur.panel.reveal(vscode.ViewColumn.Beside, false);
      return cur;
    }
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, vscode.l10n.t('Unroll'), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, webviewOptions(extensionUri));
    return VisualizerPanel.adopt(panel, extensionUri, output, source, undefined);
  }

  /** Wraps a panel VS Code restored after a reload. */
  static adopt(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, output: vscode.OutputChannel, source: SequenceSource, view: Partial<ViewState> | undefined): VisualizerPanel {
    VisualizerPanel.current?.panel.dispose();
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    const p = new VisualizerPanel(panel, extensionUri, output, source, view);
    VisualizerPanel.current = p;
    for (const ext of VisualizerPanel.extensions) ext.onSource?.(p);
    VisualizerPanel.changeEmitter.fire(p);
    return p;
  }

  setSource(source: SequenceSource, view: Partial<ViewState> | undefined): void {
    this.source = source;
    this.seq = VisualizerPanel.encode(source);
    this.view = view;
    this.step = view?.step ?? 0;
    // Requests still queued for the old sequence would be answered with the new one's data.
    this.queue = [];
    if (this.ready && !this.disposed) this.sendInit();
    for (const ext of VisualizerPanel.extensions) ext.onSource?.(this);
    VisualizerPanel.changeEmitter.fire(this);
  }

  /**
   * The trace host re-encoded the text for a chosen model: its steps replace the default encoding (the
   * webview gets the new token labels when they differ).
   */
  replaceSequence(seq: EncodedSequence): void {
    // Same steps but another scaling (a chosen model reads raw numbers): the notice must change too.
    const same = seq.steps === this.seq.steps && seq.standardized?.note === this.seq.standardized?.note && seq.offsets.every((o, t) => o === this.seq.offsets[t] && seq.lengths[t] === this.seq.lengths[t]);
    this.seq = seq;
    if (!same && this.ready && !this.disposed) this.sendInit();
  }

  /** Posts now if the webview is ready, else after its handshake. */
  post(msg: HostToWebview): void {
    // Late answers (a trace finishing, a progress tick) may arrive after the panel closed.
    if (this.disposed) return;
    if (!this.ready) {
      if (msg.type !== 'init') this.queue.push(msg);
      return;
    }
    void this.panel.webview.postMessage(msg);
  }

  /** Asks the webview what it rendered; rejects after `timeoutMs`. */
  requestRenderReport(timeoutMs = 5000): Promise<RenderReport> {
    const id = this.nextId++;
    return new Promise<RenderReport>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingReports.delete(id);
        reject(new Error('The Unroll webview did not answer in time.'));
      }, timeoutMs);
      this.pendingReports.set(id, (r) => { clearTimeout(timer); resolve(r); });
      this.post({ type: 'renderReportRequest', id });
    });
  }

  get isReady(): boolean {
    return this.ready;
  }

  private html(): string {
    const w = this.panel.webview;
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    return buildHtml({
      cspSource: w.cspSource,
      nonce: makeNonce((n) => randomBytes(n)),
      scriptUri: w.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: w.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css')).toString(),
      mermaidUri: w.asWebviewUri(vscode.Uri.joinPath(dist, 'mermaid.js')).toString(),
      loadingText: vscode.l10n.t('Loading…'),
      lang: vscode.env.language,
    });
  }

  private notices(): string[] {
    const s = this.source;
    const out: string[] = [];
    if (s.fromCurrentLine) out.push(vscode.l10n.t('No selection: showing the current line ({0}).', s.label));
    if (s.originalLength > s.text.length) {
      out.push(vscode.l10n.t('The selection has {0} characters; showing the first {1}.',
        formatCount(s.originalLength), formatCount(s.text.length)));
    }
    // Numbers z-scored for the random network (unroll.numbers.standardize): the means and stds, and how to turn it off.
    if (this.seq.standardized) out.push(localizeMessage(this.seq.standardized.note));
    return out;
  }

  private sendInit(): void {
    const spans = tokenSpans(this.seq, this.source);
    const msg: HostToWebview = {
      type: 'init', strings: webviewStrings(), source: this.source, tokens: spans ? [] : sequenceTokens(this.seq),
      ...(spans ? { spans } : {}), notices: this.notices(), view: this.view,
    };
    void this.panel.webview.postMessage(msg);
  }

  private receive(raw: unknown): void {
    const msg = parseWebviewMessage(raw);
    if (!msg) {
      this.output.appendLine(`[panel] ignored a malformed message from the webview: ${describe(raw)}`);
      return;
    }
    switch (msg.type) {
      case 'ready': {
        this.ready = true;
        this.sendInit();
        const queued = this.queue;
        this.queue = [];
        for (const m of queued) void this.panel.webview.postMessage(m);
        for (const ext of VisualizerPanel.extensions) ext.onMessage?.(this, msg);
        return;
      }
      case 'renderReport': {
        const done = this.pendingReports.get(msg.id);
        this.pendingReports.delete(msg.id);
        done?.(msg);
        return;
      }
      case 'stepChanged':
        this.step = msg.step;
        this.layer = msg.layer;
        this.direction = msg.direction;
        this.view = { ...this.view, step: msg.step, layer: msg.layer, direction: msg.direction };
        break;
      case 'copyText':
        void vscode.env.clipboard.writeText(msg.text);
        return;
      case 'unitSelected':
        // ifShown: selecting a unit moves an existing editor colouring, it never starts one by itself.
        void vscode.commands.executeCommand('unroll.colourTextByUnit', { unit: msg.unit, channel: msg.channel, ifShown: true });
        return;
      case 'log':
        this.output.appendLine(msg.text);
        return;
    }
    let handled = false;
    for (const ext of VisualizerPanel.extensions) handled = ext.onMessage?.(this, msg) || handled;
    if (!handled && msg.type !== 'stepChanged') this.output.appendLine(`[panel] no handler for "${msg.type}"`);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  private dispose(): void {
    this.disposed = true;
    this.ready = false;
    if (VisualizerPanel.current === this) VisualizerPanel.current = undefined;
    for (const ext of VisualizerPanel.extensions) ext.onDispose?.(this);
    for (const d of this.disposables) d.dispose();
    this.pendingReports.clear();
    VisualizerPanel.changeEmitter.fire(undefined);
  }
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

function describe(raw: unknown): string {
  try {
    return JSON.stringify(raw).slice(0, 200);
  } catch {
    return typeof raw;
  }
}

