/**
 * The debug adapter with a Chinese translator (what the extension passes: vscode.l10n.t): launch errors,
 * REPL carets and breakpoint messages reach the person in Chinese; DAP is driven like VS Code drives it.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { UnrollDebugSession } from '../../../src/debug/session';
import type { Translate } from '../../../src/l10n/format';
import { format2, root } from './templates';
import { useDebugAdapter } from '../debug/dapHarness';

const zh = JSON.parse(fs.readFileSync(path.join(root, 'l10n/bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string>;
const tZh: Translate = (template, ...args) => format2(zh[template] ?? template, args);

describe('l10n: the debug session in Chinese', () => {
  const dap = useDebugAdapter(() => new UnrollDebugSession(undefined, undefined, tZh), { 'seq.txt': 'hello world\n' });

  it('a missing program ends the session with one Chinese line', async () => {
    const missing = path.join(dap.dir, 'missing.txt');
    const { errors } = await dap.launchFailure({ program: missing });
    assert.deepStrictEqual(errors, [`Unroll: 无法读取程序 ${missing}：文件不存在\n`]);
  });

  it('a REPL parse error keeps its caret under the offending character, with the reason in Chinese', async () => {
    await dap.launch({ program: path.join(dap.dir, 'seq.txt'), stopOnEntry: true });
    await assert.rejects(dap.dc.evaluateRequest({ expression: 'f.mean = 0.2', context: 'repl', frameId: 1 }), (e: Error) => {
      assert.strictEqual(e.message, "f.mean = 0.2\n       ^ 意外的字符 '='：比较请用 '=='");
      return true;
    });
    await assert.rejects(dap.dc.evaluateRequest({ expression: 'f.mean = 0.2', context: 'watch', frameId: 1 }), /第 8 列：意外的字符 '='：比较请用 '=='$/);
  });
});
