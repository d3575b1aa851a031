/** The first slice, as the extension host sees it: the command exists and renders the selection as time steps. */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { activate, closeAllEditors, COMMAND, EXTENSION_ID, openFile, visualize, visualizerTabs, waitFor } from './helpers';

describe('Visualize LSTM', () => {
  afterEach(closeAllEditors);

  it('contributes "Unroll: Visualize LSTM" and registers it on activation', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, 'extension not found');
    const cmd = (ext.packageJSON.contributes.commands as { command: string; category: string }[]).find((c) => c.command === COMMAND);
    assert.strictEqual(cmd?.category, 'Unroll');
    await activate();
    assert.ok((await vscode.commands.getCommands(true)).includes(COMMAND), `${COMMAND} is not registered`);
  });

  it('shows the selected text as one time step per character, beside the editor', async () => {
    const api = await activate();
    const editor = await openFile('hello.txt', 'say hello\nsecond line\n');
    editor.selection = new vscode.Selection(0, 4, 0, 9); // "hello"
    const report = await visualize(api);
    assert.deepStrictEqual(report.tokens, ['h', 'e', 'l', 'l', 'o']);
    assert.strictEqual(report.stepCount, 5);
    assert.deepStrictEqual(report.notices, [], 'a plain selection needs no notice');
    const tabs = visualizerTabs();
    assert.strictEqual(tabs.length, 1, 'exactly one visualizer tab');
    assert.notStrictEqual(tabs[0].group.viewColumn, editor.viewColumn, 'the panel opens beside the editor, not over it');
  });

  it('reuses the open panel for a new selection', async () => {
    const api = await activate();
    const editor = await openFile('two.txt', 'abc\nWXYZ\n');
    editor.selection = new vscode.Selection(0, 0, 0, 3);
    assert.deepStrictEqual((await visualize(api)).tokens, ['a', 'b', 'c']);
    await vscode.window.showTextDocument(editor.document, vscode.ViewColumn.One);
    vscode.window.activeTextEditor!.selection = new vscode.Selection(1, 0, 1, 4);
    await vscode.commands.executeCommand(COMMAND);
    // The open panel re-renders asynchronously: wait until it shows the new four steps.
    const report = await waitFor('the new selection', async () => {
      const r = await api.getPanelState(5000);
      return r?.stepCount === 4 ? r : undefined;
    });
    assert.deepStrictEqual(report.tokens, ['W', 'X', 'Y', 'Z']);
    assert.strictEqual(visualizerTabs().length, 1, 'still one panel');
  });
});

