/**
 * Editor features in the real extension host: readings, hovers from the cache, staleness after an edit,
 * ranges following edits above them, colouring applied and cleared, the status bar item.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { EditorApi } from '../../../src/editor/register';
import { activate, closeAllEditors, openFile, waitFor } from './helpers';

type Api = EditorApi & Awaited<ReturnType<typeof activate>>;

async function editorApi(): Promise<Api> {
  const api = (await activate()) as Api;
  assert.ok(typeof api.editorRun === 'function', 'activate() must return the editor test API');
  return api;
}

/** The hover text VS Code itself collects at a position (all providers), as one string. */
async function hoverText(doc: vscode.TextDocument, pos: vscode.Position): Promise<string> {
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, pos)) ?? [];
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .filter((s) => s.includes('**Unroll**'))
    .join('\n');
}

async function visualizeWith(api: Api, command: string, editor: vscode.TextEditor): Promise<number> {
  const uri = editor.document.uri.toString();
  const before = api.editorRun(uri)?.id ?? 0;
  await vscode.commands.executeCommand(command);
  return api.waitForEditorRun(uri, before, 60_000);
}

describe('Editor: readings, hovers, colours', function () {
  // A loaded 2-core machine can take tens of seconds to open a webview and trace.
  this.timeout(120_000);
  afterEach(closeAllEditors);

  it('a Python function through Visualize GRU: the hover shows that step of the GRU', async () => {
    const api = await editorApi();
    const editor = await openFile('add.py', 'def add(a, b):\n    return a + b\n');
    editor.selection = new vscode.Selection(0, 0, 1, 16);
    await visualizeWith(api, 'unroll.visualizeGru', editor);
    const run = api.editorRun(editor.document.uri.toString())!;
    assert.strictEqual(run.readingId, 'chars');
    assert.strictEqual(run.steps, 31);
    assert.match(run.cellLabel, /^GRU/);
    const text = await hoverText(editor.document, new vscode.Position(0, 8)); // the "a" of "(a,"
    assert.match(text, /step 8 \(0–30\) · `a`/); // 0-based t everywhere
    assert.match(text, /Gate means: reset r [=≈] \d\.\d\d · update z [=≈] \d\.\d\d/);
    assert.match(text, /!\[h_t of \d+ units\]\(data:image\/svg\+xml;base64,/); // the built-in or random model
    assert.match(text, /\[Show step 8\]\(command:unroll\.showStep\?/);
    // A model with a decoder (the built-in trained character model) also predicts the next token.
    if (/\(trained\)/.test(text)) assert.match(text, /Predicted next: `[^`]+` \d+\.\d%, `[^`]+` \d+\.\d%, `[^`]+` \d+\.\d%/);
    assert.match(text, /\[Colour text by unit \d+\]\(command:unroll\.colourTextByUnit\?/);
    // Outside the visualized range there is no Unroll hover.
    await editor.edit((e) => e.insert(new vscode.Position(2, 0), 'x = 1\n'));
    assert.strictEqual(await hoverText(editor.document, new vscode.Position(2, 1)), '');
  });

  it('hovers answer from the per-document cache in ≤ 20 ms', async () => {
    const api = await editorApi();
    const editor = await openFile('cache.txt', 'the quick brown fox jumps over the lazy dog\n');
    editor.selection = new vscode.Selection(0, 0, 0, 43);
    await visualizeWith(api, 'unroll.visualizeLstm', editor);
    for (let i = 0; i < 5; i++) await hoverText(editor.document, new vscode.Position(0, 10));
    const t = api.hoverTimings();
    const cached = t.filter((x) => x.cached).map((x) => x.ms);
    const cold = t.filter((x) => !x.cached).map((x) => x.ms);
    console.log(`[unroll-test]     hovers: ${cached.length} from cache (max ${Math.max(...cached).toFixed(3)} ms), ${cold.length} built on demand${cold.length ? ` (${cold.map((m) => m.toFixed(2)).join(', ')} ms)` : ''}`);
    assert.ok(cached.length >= 4, 'repeated hovers come from the cache');
    assert.ok(Math.max(...cached) <= 20, `cached hover took ${Math.max(...cached)} ms`);
  });

  it('an edit inside the range makes the hover stale with a re-run link; an edit above moves the range', async () => {
    const api = await editorApi();
    const editor = await openFile('stale.txt', 'header\nhello world\n');
    editor.selection = new vscode.Selection(1, 0, 1, 11);
    await visualizeWith(api, 'unroll.visualizeRnn', editor);
    const uri = editor.document.uri.toString();
    // Two lines inserted above: "w" (index 6) is now two lines lower and still the same step.
    await editor.edit((e) => e.insert(new vscode.Position(0, 0), 'one\ntwo\n'));
    let text = await hoverText(editor.document, new vscode.Position(3, 6));
    assert.match(text, /step 6 \(0–10\) · `w`/);
    assert.doesNotMatch(text, /Stale/);
    assert.strictEqual(api.editorRun(uri)!.stale, false);
    // Typing inside the range: the hover says the numbers are for the old text and offers a re-run.
    await editor.edit((e) => e.insert(new vscode.Position(3, 5), ','));
    await waitFor('the run to go stale', () => api.editorRun(uri)!.stale || undefined);
    text = await hoverText(editor.document, new vscode.Position(3, 1));
    assert.match(text, /\*\*Stale:\*\* the text changed since this run/);
    assert.match(text, /\[Re-run\]\(command:unroll\.rerun\?/);
    // Re-run reads the edited range (12 characters now) and is fresh again.
    const before = api.editorRun(uri)!.id;
    await vscode.commands.executeCommand('unroll.rerun');
    await api.waitForEditorRun(uri, before, 60_000);
    assert.deepStrictEqual([api.editorRun(uri)!.steps, api.editorRun(uri)!.stale], [12, false]);
  });

  it('a number list and a CSV block each read the obvious way', async () => {
    const api = await editorApi();
    const nums = await openFile('nums.txt', '3, 1, 4, 1, 5, 9, 2, 6\n');
    nums.selection = new vscode.Selection(0, 0, 0, 22);
    await visualizeWith(api, 'unroll.visualizeRnn', nums);
    assert.deepStrictEqual((({ readingId, steps }) => ({ readingId, steps }))(api.editorRun(nums.document.uri.toString())!), { readingId: 'numbers', steps: 8 });
    assert.match(await hoverText(nums.document, new vscode.Position(0, 15)), /step 5 \(0–7\) · `9`/);
    const csv = await openFile('data.csv', 't,temp,humidity\n0,21.5,40\n1,22.0,41\n2,22.4,43\n');
    csv.selection = new vscode.Selection(0, 0, 4, 0);
    await visualizeWith(api, 'unroll.visualizeGru', csv);
    const run = api.editorRun(csv.document.uri.toString())!;
    assert.deepStrictEqual([run.readingId, run.steps], ['csv', 3]);
    assert.match(run.description, /3 columns \(t, temp, humidity\)/);
    assert.match(await hoverText(csv.document, new vscode.Position(2, 3)), /step 1 \(0–2\) · `1,22\.0,41`/);
  });

  it('the reading pipeline Visualize LSTM can delegate to reads a JSON array of rows as steps × features', async () => {
    const api = await editorApi();
    const editor = await openFile('rows.json', '[[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]\n');
    editor.selection = new vscode.Selection(0, 0, 0, 36);
    const uri = editor.document.uri.toString();
    await vscode.commands.executeCommand('unroll.editor.visualize', { family: 'lstm' });
    await api.waitForEditorRun(uri, 0, 60_000);
    const run = api.editorRun(uri)!;
    assert.deepStrictEqual([run.readingId, run.steps, run.cellLabel], ['numbers', 3, 'LSTM']);
    assert.match(await hoverText(editor.document, new vscode.Position(0, 14)), /step 1 \(0–2\) · `\[0\.3, 0\.4\]`/);
  });

  it('Colour Text by Unit decorates the range; Clear Colours removes it; the status bar shows the step', async () => {
    const api = await editorApi();
    const editor = await openFile('colour.py', 'for i in range(10):\n    print(i * i)\n');
    editor.selection = new vscode.Selection(0, 0, 1, 16);
    await visualizeWith(api, 'unroll.visualizeLstm', editor);
    const uri = editor.document.uri.toString();
    assert.match(api.statusText() ?? '', /step 0 \(0–35\) "f"/);
    const first = api.currentTokenRange();
    assert.deepStrictEqual(first && [first.uri, first.start, first.end], [uri, 0, 1], 'the editor marks the first token');
    await vscode.commands.executeCommand('unroll.colourTextByUnit', { unit: 3, channel: 'c' });
    api.flushColours();
    const n = api.colouredRanges(uri);
    assert.ok(n !== undefined && n > 0 && n <= 36, `coloured ${n} ranges`);
    await vscode.commands.executeCommand('unroll.clearColours');
    assert.strictEqual(api.colouredRanges(uri), undefined);
    await vscode.commands.executeCommand('unroll.showStep', { step: 4 });
    assert.match(api.statusText() ?? '', /step 4 \(0–35\) "i"/);
    const moved = api.currentTokenRange();
    assert.deepStrictEqual(moved && [moved.start, moved.end], [4, 5], 'the editor mark moved with the step');
  });
});
