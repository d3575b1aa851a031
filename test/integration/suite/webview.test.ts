/**
 * The visualizer on the engine's trace, inside the real extension host: the trace arrives, the cell
 * diagram shows exact values, and moving the step from the host moves every view.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { activate, closeAllEditors, openFile, visualize, waitFor } from './helpers';
import type { VisualizerApi } from '../../../src/panel/register';

const VALUE = /^[+−]\d+\.\d{3}$/;

describe('Visualizer on the trace', () => {
  afterEach(closeAllEditors);

  it('runs the selection through the network and writes exact values on the cell diagram', async () => {
    const api = (await activate()) as VisualizerApi;
    const editor = await openFile('trace.txt', 'hello\n');
    editor.selection = new vscode.Selection(0, 0, 0, 5);
    await visualize(api);
    const summary = await waitFor('the trace', () => api.getTraceSummary());
    assert.strictEqual(summary.steps, 5);
    assert.strictEqual(summary.family, 'lstm');
    assert.deepStrictEqual(summary.channels, ['i', 'f', 'g', 'o', 'c', 'h']);
    const report = await waitFor('diagram values', async () => {
      const r = await api.getPanelState(5000);
      return r && VALUE.test(r.diagramValues.f ?? '') ? r : undefined;
    });
    for (const node of ['f', 'i', 'g', 'o', 'c', 'h']) assert.match(report.diagramValues[node], VALUE, node);
    assert.strictEqual(report.diagramValues.x, '“h”');
  });

  it('moving the step from the host moves the counter, the highlighted cell and the diagram', async () => {
    const api = (await activate()) as VisualizerApi;
    const editor = await openFile('step.txt', 'abcde\n');
    editor.selection = new vscode.Selection(0, 0, 0, 5);
    await visualize(api);
    await waitFor('the trace', () => api.getTraceSummary());
    api.setStep(3);
    const r = await waitFor('step 3 everywhere', async () => {
      const x = await api.getPanelState(5000);
      return x && x.step === 3 && x.diagramValues.x === '“d”' ? x : undefined;
    });
    assert.strictEqual(r.counter, 'Step 3 (0–4) · Token “d”');
  });
});
