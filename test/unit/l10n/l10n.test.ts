/**
 * Errors from the pure modules in Simplified Chinese: every template has a zh-cn entry VS Code can fill,
 * converted errors keep their exact English text, and a message renders in Chinese the way the host
 * does it (vscode.l10n.t = bundle lookup + VS Code's own substitution, reimplemented in templates.ts).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { UnrollError, type CellSpec } from '../../../src/engine/types';
import { caretLines, compileCondition, ExprError, type ExprMeta } from '../../../src/expr';
import { parse } from '../../../src/expr/parser';
import { encodeCsv, parseNumberList, planReadings } from '../../../src/input';
import { format, localizeText, messageOf, msg, render, type Translate } from '../../../src/l10n/format';
import { loadModel, requireNetwork, type ModelIO } from '../../../src/model/load';
import { parseSpec } from '../../../src/model/spec';
import { readFixtureFile } from '../model/fixtureHelpers';
import { findTemplates, format2, placeholders, root } from './templates';

const zh = JSON.parse(fs.readFileSync(path.join(root, 'l10n/bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string>;
/** What vscode.l10n.t does with VS Code in Chinese. */
const tZh: Translate = (template, ...args) => format2(zh[template] ?? template, args);

function thrown(fn: () => unknown): UnrollError {
  try {
    fn();
  } catch (e) {
    if (e instanceof UnrollError) return e;
    throw e;
  }
  throw new Error('expected an UnrollError');
}

describe('l10n: every template in src/ has a Chinese translation VS Code can fill', () => {
  const found = findTemplates();
  const templates = [...new Set(found.filter((f) => f.template !== undefined).map((f) => f.template!))];

  it('finds the converted messages, each a plain string literal', () => {
    assert.ok(templates.length > 200, `found only ${templates.length} templates`);
    // UnrollError.of forwards its template to msg: the one call whose template is a parameter.
    const bad = found.filter((f) => f.nonLiteral !== undefined && !(f.at.startsWith(path.join('src', 'engine', 'types.ts')) && f.nonLiteral.startsWith('template,')));
    assert.deepStrictEqual(bad.map((f) => `${f.at}: ${f.nonLiteral}`), []);
  });

  it('each template has a zh-cn entry with the same placeholders', () => {
    const missing = templates.filter((t) => !(t in zh));
    assert.deepStrictEqual(missing, [], 'templates without a zh-cn entry');
    const differ = templates.filter((t) => placeholders(zh[t]).join() !== placeholders(t).join());
    assert.deepStrictEqual(differ, [], 'placeholders differ');
  });

  it('placeholders are {0}…{n-1} and VS Code replaces every one, in English and in Chinese', () => {
    for (const t of templates) {
      const ph = placeholders(t);
      assert.deepStrictEqual(ph, ph.map((_, i) => `{${i}}`).sort(), `placeholders not numbered from 0: ${t}`);
      const args = ph.map((_, i) => `‹${i}›`);
      // A placeholder inside a literal {…} (e.g. {"cell": "{1}"}) is skipped by VS Code's format2.
      for (const text of [t, zh[t]]) assert.doesNotMatch(format2(text, args), /\{\d+\}/, `a placeholder VS Code would not fill in: ${text}`);
      assert.strictEqual(format(t, args), format2(t, args), `msg's English differs from vscode.l10n.t's: ${t}`);
    }
  });

  it('translations are Chinese, not copies of the English', () => {
    // Prose outside quotes, code and placeholders must be translated ("{0}: {1}" has none).
    const prose = (s: string) => s.replace(/"[^"]*"|'[^']*'|`[^`]*`|\{[^}]*\}|\[[^\]]*\]/g, '').match(/[A-Za-z]{4,}(?:\s+[A-Za-z]{2,})+/);
    const untranslated = templates.filter((t) => prose(t) && !/[\u4e00-\u9fff]/.test(zh[t]));
    assert.deepStrictEqual(untranslated, []);
  });
});

describe('l10n: msg and UnrollError keep the template behind the English text', () => {
  it('msg returns the English text and remembers its template and arguments', () => {
    const text = msg('{0} has {1} rows, expected {2}', 'spec x', 3, 4);
    assert.strictEqual(text, 'spec x has 3 rows, expected 4');
    assert.deepStrictEqual(messageOf(text), { template: '{0} has {1} rows, expected {2}', args: ['spec x', 3, 4] });
    assert.strictEqual(messageOf('spec x has 3 rows, expected 5'), undefined);
    // JSON in the text is not a placeholder; an argument's own braces are not re-read.
    assert.strictEqual(format('{0} must look like {"vocab": [...]}', ['{1}']), '{1} must look like {"vocab": [...]}');
    // An argument the types did not stop (undefined, an object) reads as a template literal would show it.
    assert.strictEqual(render(messageOf(msg('got {0} and {1}', undefined as never, {} as never))!, tZh), 'got undefined and [object Object]');
  });

  it('a malformed number: exact English message, Chinese with the translated position', () => {
    const e = thrown(() => parseNumberList('1, 2\n3, abc, 5'));
    assert.strictEqual(e.message, 'line 2, column 4: "abc" is not a number; numbers look like 3, -0.5 or 1e-3.');
    assert.strictEqual(e.l10n?.template, '{0}: "{1}" is not a number; numbers look like 3, -0.5 or 1e-3.');
    assert.deepStrictEqual(e.l10n?.args[0], { template: 'line {0}, column {1}', args: [2, 4] });
    assert.strictEqual(render(e.l10n!, tZh), '第 2 行第 4 列：“abc”不是数字；数字的写法如 3、-0.5 或 1e-3。');
  });

  it('a bad CSV cell (message made before the throw) is still localisable', () => {
    const e = thrown(() => encodeCsv('a,b\n1,2\n3,oops\n'));
    assert.strictEqual(e.message, 'line 3, column 3: b "oops" is not a number; fix that cell or delete the row.');
    assert.strictEqual(render(e.l10n!, tZh), '第 3 行第 3 列：b 中的“oops”不是数字；请修正该单元格或删除这一行。');
  });

  it("a reading plan's problem (a string, not an error) localises with its nested parts", () => {
    const plan = planReadings('1\n2\n3\n', { kind: 'dense', inputSize: 2, modelName: 'm.onnx' });
    assert.strictEqual(
      plan.problem,
      'The selection has one value per step but m.onnx reads 2 per step; select 2 columns (CSV rows or a list of lists with 2 values each), or choose "No model" with Unroll: Choose Model… (and leave the "unroll.model" setting empty) for a random network sized to the data.',
    );
    assert.strictEqual(
      localizeText(plan.problem!, tZh),
      '选区的数据为：每步一个值，但 m.onnx 每步读取 2 个值；请选择 2 列（CSV 行，或每个含 2 个值的嵌套列表），或用“Unroll: 选择模型…”选择“不使用模型”（并将 "unroll.model" 设置留空），使用按数据尺寸生成的随机网络。',
    );
    assert.strictEqual(localizeText('not made by msg', tZh), 'not made by msg');
  });

  it('a spec error re-labelled by a sidecar keeps its translation', () => {
    const spec = thrown(() => parseSpec({ cell: 'lstm', nonlinearity: 'relu' }));
    assert.strictEqual(spec.message, 'spec: "nonlinearity": "relu" contradicts cell "lstm" (only a plain RNN has one)');
    assert.strictEqual(render(spec.l10n!, tZh), 'spec："nonlinearity": "relu" 与单元 "lstm" 矛盾（只有普通 RNN 才有此项）');

    const io: ModelIO = { readSibling: (p) => (p === 'm/rnn.unroll.json' ? new TextEncoder().encode('{"cell": "rnn_relu", "nonlinearity": "tanh"}') : undefined) };
    const side = thrown(() => loadModel('m/rnn.safetensors', readFixtureFile('rnn_relu_i3_h4_t5.safetensors'), io));
    assert.strictEqual(side.message, 'rnn.unroll.json: "nonlinearity": "tanh" contradicts cell "rnn_relu" (the cell name says relu)');
    assert.strictEqual(render(side.l10n!, tZh), 'rnn.unroll.json："nonlinearity": "tanh" 与单元 "rnn_relu" 矛盾（单元名称表明是 relu）');
  });

  it('an ambiguous model: the ambiguity sentence inside the message is translated too', () => {
    const model = loadModel('m/rnn.safetensors', readFixtureFile('rnn_relu_i3_h4_t5.safetensors'), { readSibling: () => undefined });
    const e = thrown(() => requireNetwork(model));
    assert.match(e.message, /^rnn\.safetensors is ambiguous \(nonlinearity: an RNN file cannot say tanh or relu/);
    const text = render(e.l10n!, tZh);
    assert.match(text, /^rnn\.safetensors 存在歧义（非线性：RNN 文件无法表明是 tanh 还是 relu；/);
    assert.match(text, /——请在其旁边写一个 rnn\.unroll\.json，例如 \{"cell": "rnn_tanh"\}$/);
  });

  it('a vocabulary that does not match the decoder: the model warning is translated (the Model Summary shows it)', () => {
    const io: ModelIO = { readSibling: (p) => (p === 'm/char.vocab.json' ? new TextEncoder().encode('{"vocab": ["a", "b", "c"], "unkId": 2}') : undefined) };
    const model = loadModel('m/char.safetensors', readFixtureFile('char_lstm_public.safetensors'), io);
    assert.deepStrictEqual(model.warnings, ['char.vocab.json: 3 tokens, but the decoder predicts 97; predictions show as ids']);
    assert.strictEqual(localizeText(model.warnings[0], tZh), 'char.vocab.json：有 3 个词元，但解码器预测 97 个；预测以 id 显示');
  });

  it('an UnrollError keeps its template after many later messages; plain-string errors have none', () => {
    const e = thrown(() => parseNumberList(''));
    for (let i = 0; i < 12_000; i++) msg('{0} features per step', i);
    assert.strictEqual(messageOf(e.message), undefined, 'the remembered texts are bounded');
    assert.strictEqual(render(e.l10n!, tZh), '选区中没有数字。');
    assert.strictEqual(new UnrollError('plain English').l10n, undefined);
    // A huge message is not kept (it would pin its text), and does not evict the others.
    const recentOne = msg('{0} features per step', 'x');
    const huge = msg('{0}: {1}', 'big', 'y'.repeat(200_000));
    assert.strictEqual(messageOf(huge), undefined);
    assert.ok(messageOf(recentOne));
  });
});

describe('l10n: expression errors keep their caret', () => {
  it('a parse error: English message unchanged, Chinese reason under the same caret', () => {
    const src = 'f.mean = 0.2';
    let e: unknown;
    try {
      parse(src);
    } catch (err) {
      e = err;
    }
    assert.ok(e instanceof ExprError);
    assert.strictEqual(e.message, "column 8: unexpected character '=': use '==' to compare");
    assert.strictEqual(render(e.l10n!, tZh), "第 8 列：意外的字符 '='：比较请用 '=='");
    assert.strictEqual(caretLines(src, e, localizeText(e.reason, tZh)), "f.mean = 0.2\n       ^ 意外的字符 '='：比较请用 '=='");
    assert.strictEqual(caretLines(src, e), "f.mean = 0.2\n       ^ unexpected character '=': use '==' to compare");
  });

  it('a type error names the kinds of value in Chinese; a suggestion is translated too', () => {
    const cell: CellSpec = { family: 'lstm', nonlinearity: 'tanh', peephole: false, coupling: 'none', resetAfter: true, projSize: 0 };
    const meta: ExprMeta = { cell, shape: { inputSize: 4, hiddenSize: 8, numLayers: 1, bidirectional: false }, steps: 10 };
    const e = thrown(() => compileCondition('f.maen < 0.2', meta));
    assert.match(e.message, /^column 3: unknown reduction '\.maen' \(did you mean 'mean'\?\); vectors have \.mean/);
    assert.match(render(e.l10n!, tZh), /^第 3 列：未知的归约 '\.maen'（是不是想写 'mean'？）；向量可用 \.mean/);
    const mask = thrown(() => compileCondition('f > 0.5', meta));
    assert.strictEqual(render(mask.l10n!, tZh), '第 1 列：这会为每个单元给出一个真/假值（8 个单元）；条件只需要一个答案：请用 any(…)、all(…) 或 count(…) > k 包裹');
  });

  it('an error inside a nested part (a closing parenthesis) translates the part too', () => {
    const e = thrown(() => parse('(h.mean > 0'));
    assert.strictEqual(e.message, "column 12: expected ')' to close the parenthesis, found the end of the expression");
    assert.strictEqual(render(e.l10n!, tZh), "第 12 列：应有 ')'（用于闭合括号），实际遇到：表达式末尾");
  });
});
