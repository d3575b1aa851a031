import * as assert from 'assert';
import { MAX_SEQUENCE_CHARS, parsePersistedState, persistableSource, sameSourceText, type SequenceSource } from '../../../src/protocol/messages';

// After "Run All" a panel can show up to a million tokens; its saved state must still bring it back on reload.
describe('saved panel state for a text longer than the webview keeps', () => {
  const long = 'x'.repeat(MAX_SEQUENCE_CHARS + 5);
  const source: SequenceSource = { text: long, label: 'big.txt:1:1–9:1', fromCurrentLine: false, originalLength: long.length, uri: 'file:///w/big.txt', startOffset: 12, reading: 'chars' };

  it('is saved by reference (document, offset, length) and parsed back as such', () => {
    const saved = persistableSource(source);
    assert.strictEqual(saved.text, '');
    assert.strictEqual(saved.textLength, long.length);
    const back = parsePersistedState(JSON.parse(JSON.stringify({ source: saved, view: { step: 70_000 } })));
    assert.ok(back.source, 'the restored panel must know what it showed');
    assert.deepStrictEqual({ uri: back.source.uri, start: back.source.startOffset, len: back.source.textLength }, { uri: source.uri, start: 12, len: long.length });
    assert.strictEqual(back.view?.step, 70_000);
    assert.ok(sameSourceText(back.source, source), 'the same text re-read from the document keeps the saved step');
    assert.ok(!sameSourceText(back.source, { ...source, startOffset: 13 }), 'another range is another text');
  });

  it('a short text is saved whole, and a reference without a document is refused', () => {
    const short = { ...source, text: 'hello', originalLength: 5 };
    assert.strictEqual(persistableSource(short), short);
    assert.strictEqual(parsePersistedState({ source: { ...persistableSource(source), uri: undefined } }).source?.textLength, undefined);
    assert.strictEqual(parsePersistedState({ source: { ...persistableSource(source), textLength: -3 } }).source?.textLength, undefined);
  });
});
