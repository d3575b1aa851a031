/** Small helpers shared by the integration tests (they run inside the real extension host). */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { VisualizerApi } from '../../../src/panel/register';

export const EXTENSION_ID = 'unroll.unroll';
export const COMMAND = 'unroll.visualizeLstm';
export const VIEW_TYPE = 'unroll.visualizer';

export async function activate(): Promise<VisualizerApi> {
  const ext = vscode.extensions.getExtension<VisualizerApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded`);
  const api = await ext.activate();
  assert.ok(api && typeof api.getPanelState === 'function', 'activate() must return the test API (getPanelState)');
  return api;
}

/** Polls `probe` until it gives a value. The default is a hang guard for a loaded 2-core CI machine (15 s was not). */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'unroll-it-'));

/** Writes a real file (not an untitled buffer, so closing it never asks to save) and opens it. */
export async function openFile(name: string, content: string): Promise<vscode.TextEditor> {
  const file = path.join(tmpRoot, name);
  fs.writeFileSync(file, content);
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  return vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preview: false });
}

/** Tabs showing the visualizer webview, in every group. */
export function visualizerTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(VIEW_TYPE));
}

/** Runs the command and waits until the webview has finished the handshake and answers. */
export async function visualize(api: VisualizerApi) {
  await vscode.commands.executeCommand(COMMAND);
  await waitFor('the panel to be ready', () => api.isPanelReady());
  return waitFor('a render report', () => api.getPanelState(5000));
}

export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await waitFor('all editors to close', () => vscode.window.tabGroups.all.every((g) => g.tabs.length === 0) || undefined);
}
