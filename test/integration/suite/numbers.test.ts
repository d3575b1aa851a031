/**
 * Numbers through the seeded random network in the real extension host: the panel's notice gives each
 * column's mean and std; turning unroll.numbers.standardize off re-runs the open panel with raw values.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { activate, closeAllEditors, openFile, waitFor } from './helpers';

const WEATHER = 'temp,humidity,pressure\n21.5,40,1013\n22.1,42,1012\n23.0,45,1010\n22.7,44,1011\n21.9,41,1012\n';
// pressure 1013,1012,1010,1011,1012: mean 1011.6, std √1.04 = 1.02
const PRESSURE = /Numbers standardised per column for the random network: .*pressure mean 1011\.6, std 1\.0 — set unroll\.numbers\.standardize to false/;

const setting = (value: boolean | undefined) => vscode.workspace.getConfiguration('unroll').update('numbers.standardize', value, vscode.ConfigurationTarget.Global);

describe('Numbers through the random network', function () {
  this.timeout(120_000);
  afterEach(async () => {
    await setting(undefined);
    await closeAllEditors();
  });

  it('a weather CSV: the panel says the columns were standardised; the setting off re-runs without it', async () => {
    const api = await activate();
    const editor = await openFile('weather.csv', WEATHER);
    editor.selection = new vscode.Selection(0, 0, 6, 0);
    await vscode.commands.executeCommand('unroll.visualizeLstm');
    const first = await waitFor('a trace with the standardisation notice', async () => {
      const r = await api.getPanelState(5000);
      const s = api.getTraceSummary();
      return r && s && r.notices.some((n) => PRESSURE.test(n)) ? { r, s } : undefined;
    });
    assert.strictEqual(first.r.stepCount, 5);
    // Token labels are the rows as written, not the z-scores.
    assert.strictEqual(first.r.tokens[0], '21.5,40,1013');

    await setting(false);
    const second = await waitFor('a re-run without the notice', async () => {
      const r = await api.getPanelState(5000);
      const s = api.getTraceSummary();
      return r && s && s.runId !== first.s.runId && !r.notices.some((n) => /standardised/.test(n)) ? { r, s } : undefined;
    });
    assert.strictEqual(second.r.stepCount, 5);
  });
});
