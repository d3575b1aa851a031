/**
 * The model view page (pure HTML builder): what a person reads about a model, CSP, escaping, the
 * Visualize button, ambiguous files, unreadable files; the webview message guard; zh-cn coverage.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { summarizeModel } from '../../../src/model/inspect';
import { loadModel } from '../../../src/model/load';
import { buildModelViewHtml, isModelViewMessage, type ModelViewStrings } from '../../../src/modelView/summaryHtml';
import { goldenCheck } from '../../../src/model/golden';
import { fixtureJson, readFixtureFile, REFERENCE } from './fixtureHelpers';

const ROOT = path.resolve(REFERENCE, '../../..');
// Typed locally: the project does not ship @types/jsdom.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { JSDOM } = require('jsdom') as { JSDOM: new (html: string) => { window: { document: Document } } };

const cellNames = { rnn_tanh: 'RNN, tanh', rnn_relu: 'RNN, ReLU', lstm: 'LSTM', lstm_proj: 'LSTM with projection', lstm_peephole: 'Peephole LSTM', lstm_cifg: 'LSTM, CIFG', lstm_cifg_peephole: 'Peephole LSTM, CIFG', gru: 'GRU (PyTorch)', gru_cho: 'GRU (Cho)' };
const strings: ModelViewStrings = {
  title: 'Recurrent model', format: 'Format', cell: 'Cell', undecided: 'Not decided by the file', convention: 'Weight convention', gateOrder: 'Gate order',
  inputSize: 'Input size', hiddenSize: 'Hidden size', projection: 'Projection', none: 'none', layers: 'Layers', directions: 'Directions',
  bidirectional: 'bidirectional', forward: 'forward only', parameters: 'Parameters', decoder: 'Decoder', vocabulary: 'Vocabulary', tokens: 'tokens', embedding: 'Input embedding', embeddingFolded: 'folded',
  ambiguous: 'What the file cannot say', warnings: 'Warnings', onnxGraph: 'ONNX graph', initialState: 'Initial state', initialStateInputs: 'graph inputs',
  initialStateInside: 'built inside', visualize: 'Visualize with this model', chooseCell: 'Choose the cell…', couldNotRead: 'Unroll cannot show this model:',
  golden: 'Check against a reference…', goldenTitle: 'Golden check', goldenPassed: 'Every tensor matches.', goldenFailed: 'Does not reproduce.',
  tensor: 'Tensor', maxAbsErr: 'max |error|', maxScaledErr: 'max scaled error', likelyCause: 'Likely cause:', noCauseFound: 'no usual mistake', missing: 'Not produced:',
  cellNames, decidedBy: { file: 'from the file', sidecar: 'from the sidecar', choice: 'your choice', undecided: 'undecided' },
};

function page(file: string, siblings: Record<string, string> = {}) {
  const model = loadModel(file, readFixtureFile(file), { readSibling: (p) => (p in siblings ? new TextEncoder().encode(siblings[p]) : undefined) });
  const html = buildModelViewHtml({ cspSource: 'vscode-resource:', nonce: 'N0nce', strings, summary: summarizeModel(model), fileName: file });
  return { html, doc: new JSDOM(html).window.document };
}

/** The table as label → text, as a screen reader would read it. */
function table(doc: Document): Record<string, string> {
  const out: Record<string, string> = {};
  doc.querySelectorAll('tr').forEach((tr) => (out[tr.querySelector('th')!.textContent!] = tr.querySelector('td')!.textContent!));
  return out;
}

describe('model view page', () => {
  it('summarises a trained ONNX char model: cell, sizes, decoder, vocabulary, graph', () => {
    const { doc } = page('char_gru_public.onnx', { 'char_gru_public.vocab.json': fs.readFileSync(path.join(REFERENCE, 'char_gru_public.vocab.json'), 'utf8') });
    const t = table(doc);
    assert.match(t.Cell, /GRU \(PyTorch\) gru \(from the file\)/);
    assert.strictEqual(t['Input size'], '97');
    assert.strictEqual(t['Hidden size'], '64');
    assert.strictEqual(t.Layers, '1');
    assert.strictEqual(t.Directions, 'forward only');
    assert.strictEqual(t['Gate order'], 'z, r, h (ONNX)'); // an ONNX graph stores ONNX's order whatever trained it
    assert.strictEqual(t.Decoder, '97 tokens (MatMul+Add: /decoder/MatMul, /decoder/Add)');
    assert.strictEqual(t.Vocabulary, '97 tokens');
    assert.match(t['ONNX graph'], /opset 14.*GRU \/rnn\/GRU/);
    assert.strictEqual(t['Initial state'], 'built inside');
    const button = doc.getElementById('visualize')!;
    assert.strictEqual(button.textContent, 'Visualize with this model');
    assert.strictEqual(doc.getElementById('chooseCell'), null, 'no cell choice for a decided file');
  });

  it('a safetensors state dict names its gate order and whose layout it is (the fixture records both)', () => {
    for (const name of ['gru_i3_h4_t5', 'lstm_i3_h4_t5']) {
      const ref = fixtureJson(name) as unknown as { gateOrder: string[]; convention: string };
      assert.strictEqual(ref.convention, 'pytorch');
      const t = table(page(`${name}.safetensors`).doc);
      assert.strictEqual(t['Gate order'], `${ref.gateOrder.join(', ')} (PyTorch)`, name);
    }
    assert.strictEqual(table(page('rnn_tanh_i3_h4_t5.safetensors').doc)['Gate order'], undefined, 'an RNN has one gate: no row');
  });

  it('code spans keep the text colour in high-contrast themes (they were invisible there)', () => {
    const { html } = page('gru_i3_h4_t5.safetensors');
    assert.match(html, /body\.vscode-high-contrast code[^{]*\{[^}]*color: inherit[^}]*background: transparent/);
    assert.match(html, /\bcode \{[^}]*color: var\(--vscode-textPreformat-foreground/);
  });

  it('an ambiguous file lists the candidates and what it cannot say, and offers the choice', () => {
    const { doc } = page('lstm_cifg_i3_h4_t5.safetensors');
    const t = table(doc);
    assert.match(t.Cell, /^Not decided by the file: LSTM lstm · LSTM, CIFG lstm_cifg$/);
    assert.strictEqual(t['Weight convention'], 'onnx');
    assert.match(doc.querySelector('.ambiguous')!.textContent!, /input_forget=1/);
    assert.ok(doc.getElementById('chooseCell'));
  });

  it('a bidirectional stack with initial states as graph inputs', () => {
    const t = table(page('gru_i3_h5_t6_l2_h0.onnx').doc);
    assert.strictEqual(t.Layers, '2');
    assert.strictEqual(t['Initial state'], 'graph inputs h0');
    assert.strictEqual(table(page('lstm_i3_h4_t6_l2_bi.onnx').doc).Directions, 'bidirectional');
  });

  it('CSP: nothing but the theme styles and the one nonce script', () => {
    const { html, doc } = page('rnn_tanh_i3_h4_t5.onnx');
    const csp = doc.querySelector('meta[http-equiv="Content-Security-Policy"]')!.getAttribute('content')!;
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-N0nce'/);
    const scripts = doc.querySelectorAll('script');
    assert.strictEqual(scripts.length, 1);
    assert.strictEqual(scripts[0].getAttribute('nonce'), 'N0nce');
    assert.doesNotMatch(html, /<script(?![^>]*nonce)/);
  });

  it('escapes everything that comes from the file', () => {
    const html = buildModelViewHtml({ cspSource: 'x', nonce: 'n', strings, fileName: '<img src=x onerror=alert(1)>.onnx', error: 'node "<b>evil</b>" & co' });
    const doc = new JSDOM(html).window.document;
    assert.strictEqual(doc.querySelectorAll('img, b').length, 0);
    assert.match(doc.querySelector('.error')!.textContent!, /Unroll cannot show this model: node "<b>evil<\/b>" & co/);
    assert.strictEqual(doc.getElementById('visualize'), null, 'no Visualize button for an unreadable file');
  });

  it('shows a golden check: verdict, likely cause, per-tensor errors', () => {
    const model = loadModel('c.safetensors', readFixtureFile('gru_cho_i5_h3_t7_h0.safetensors'), { readSibling: () => undefined }, { cell: 'gru' });
    const report = goldenCheck(model, fixtureJson('gru_cho_i5_h3_t7_h0'), 'ref.json');
    const html = buildModelViewHtml({ cspSource: 'x', nonce: 'n', strings, summary: summarizeModel(model), golden: report, fileName: 'c.safetensors' });
    const doc = new JSDOM(html).window.document;
    const section = doc.querySelector('.golden')!;
    assert.match(section.querySelector('h2')!.textContent!, /Golden check ref\.json/);
    assert.match(section.querySelector('[role=status]')!.textContent!, /^Does not reproduce\./);
    assert.match(section.textContent!, /Likely cause: reset placement/);
    const rows = [...section.querySelectorAll('tr.bad td:first-child')].map((td) => td.textContent);
    assert.ok(rows.includes('layers.0.forward.h'), rows.join());
  });

  it('accepts only the messages the page sends', () => {
    assert.ok(isModelViewMessage({ type: 'visualize' }));
    assert.ok(isModelViewMessage({ type: 'chooseCell' }));
    assert.ok(isModelViewMessage({ type: 'golden' }));
    for (const m of [null, 'visualize', { type: 'run' }, { kind: 'visualize' }, [1]]) assert.ok(!isModelViewMessage(m));
  });

  it('every vscode.l10n.t message of the model view has a zh-cn translation with the same placeholders', () => {
    const zh = JSON.parse(fs.readFileSync(path.join(ROOT, 'l10n/bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string>;
    const msgs = new Set<string>();
    for (const f of fs.readdirSync(path.join(ROOT, 'src/modelView'))) {
      const src = fs.readFileSync(path.join(ROOT, 'src/modelView', f), 'utf8');
      for (const m of src.matchAll(/\bt\(\s*'((?:[^'\\]|\\.)*)'/g)) msgs.add(m[1].replace(/\\'/g, "'"));
    }
    assert.ok(msgs.size >= 40, `found ${msgs.size} messages`);
    const ph = (s: string) => (s.match(/\{\d+\}/g) ?? []).sort().join();
    for (const m of msgs) {
      assert.ok(m in zh, `no zh-cn translation for: ${m}`);
      assert.strictEqual(ph(zh[m]), ph(m), `placeholders differ for: ${m}`);
    }
  });
});
