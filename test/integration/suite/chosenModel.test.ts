/**
 * A model chosen with "Unroll: Choose Model…" in the real extension host: the editor reads the selection
 * the way that model can (not the built-in model's reading), and "No model" / the unroll.model setting
 * agree: the latest action wins.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { EditorApi } from '../../../src/editor/register';
import type { ModelViewApi } from '../../../src/modelView/register';
import { activate, closeAllEditors, openFile, waitFor } from './helpers';

type Api = EditorApi & ModelViewApi & Awaited<ReturnType<typeof activate>>;

// The bundle lives in dist/test/integration; the fixtures (the truth) in test/fixtures/reference.
const REFERENCE = path.resolve(__dirname, '../../../../test/fixtures/reference');
const NAME = 'gru_i3_h4_t5';

describe('Chosen model', function () {
  this.timeout(120_000);
  let api: Api;
  let modelUri: vscode.Uri;
  const ref = JSON.parse(fs.readFileSync(path.join(REFERENCE, `${NAME}.json`), 'utf8')) as { inputSize: number; hiddenSize: number; cell: string };

  before(async () => {
    api = (await activate()) as Api;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unroll-model-'));
    const file = path.join(dir, `${NAME}.safetensors`);
    fs.copyFileSync(path.join(REFERENCE, `${NAME}.safetensors`), file);
    modelUri = vscode.Uri.file(file);
  });

  afterEach(async () => {
    await vscode.workspace.getConfiguration('unroll').update('model', undefined, vscode.ConfigurationTarget.Global);
    await api.modelChoice.followSetting();
    await closeAllEditors();
  });

  it('Visualize LSTM reads the text for the chosen model: no vocabulary, 3 inputs → hashed words, and the panel runs it', async () => {
    await api.modelChoice.setChosen(modelUri);
    const editor = await openFile('chosen.txt', 'hello world\n');
    editor.selection = new vscode.Selection(0, 0, 0, 11);
    const uri = editor.document.uri.toString();
    const before = api.editorRun(uri)?.id ?? 0;
    await vscode.commands.executeCommand('unroll.visualizeLstm');
    await api.waitForEditorRun(uri, before, 60_000);
    const run = api.editorRun(uri)!;
    // The built-in model reads "hello world" as characters; this model has 3 inputs and no vocabulary.
    assert.strictEqual(run.readingId, 'words');
    assert.match(run.description, new RegExp(`width ${ref.inputSize}\\b`));
    const summary = await waitFor('the trace summary', () => api.getTraceSummary());
    assert.match(summary.modelSource, new RegExp(`${NAME}\\.safetensors`));
    assert.strictEqual(summary.cellName, ref.cell);
    assert.strictEqual(summary.hiddenSize, ref.hiddenSize);
  });

  it('"No model" overrides the unroll.model setting; changing the setting (or "Use the setting") follows it again', async () => {
    await vscode.workspace.getConfiguration('unroll').update('model', modelUri.fsPath, vscode.ConfigurationTarget.Global);
    await waitFor('the setting to be followed', () => api.modelChoice.pick().kind === 'setting' || undefined);
    assert.strictEqual((await api.modelChoice.current())?.uri.fsPath, modelUri.fsPath, 'the setting names the model');
    await api.modelChoice.setChosen(undefined);
    assert.strictEqual(await api.modelChoice.current(), undefined, 'No model wins over the setting');
    await api.modelChoice.followSetting();
    assert.strictEqual((await api.modelChoice.current())?.uri.fsPath, modelUri.fsPath);
    // A later change of the setting is the latest action: it replaces an earlier "No model".
    await api.modelChoice.setChosen(undefined);
    assert.strictEqual(api.modelChoice.pick().kind, 'none');
    await vscode.workspace.getConfiguration('unroll').update('model', undefined, vscode.ConfigurationTarget.Global);
    await waitFor('the setting change to clear No model', () => api.modelChoice.pick().kind === 'setting' || undefined);
  });
});
