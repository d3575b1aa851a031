/**
 * The debug adapter with a Chinese translator (what the extension passes: vscode.l10n.t): launch errors,
 * REPL carets and breakpoint messages reach the person in Chinese; DAP is driven like VS Code drives it.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { UnrollDebugSession } from '../../../src/debug/session';
import type { Translate } from '../../../src/l10n/format';
import { format2, root } from './templates';

const zh = JSON.parse(fs.readFileSync(path.join(root, 'l10n/bundle.l10n.zh-cn.json'), 'utf8')) as Record<string, string>;
const tZh: Translate = (template, ...args) => format2(zh[template] ?? template, args);

describe('l10n: the debug session in Chinese', () => {
  let dir: string;
  let server: net.Server;
  let dc: DebugClient;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unroll-l10n-'));
    fs.writeFileSync(path.join(dir, 'seq.txt'), 'hello world\n');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  beforeEach(async () => {
    server = net.createServer((socket) => {
      const session = new UnrollDebugSession(undefined, undefined, tZh);
      session.setRunAsServer(true);
      session.start(socket, socket);
    }).listen(0);
    dc = new DebugClient('node', '', 'unroll');
    dc.defaultTimeout = 10_000;
    await dc.start((server.address() as net.AddressInfo).port);
  });
  afterEach(async () => {
    await dc.stop();
    server.close();
  });

  it('a missing program ends the session with one Chinese line', async () => {
    const errors: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => e.body.category === 'stderr' && errors.push(e.body.output));
    const missing = path.join(dir, 'missing.txt');
    await Promise.all([dc.launch({ program: missing } as DebugProtocol.LaunchRequestArguments).catch(() => undefined), dc.waitForEvent('terminated')]);
    assert.deepStrictEqual(errors, [`Unroll: 无法读取程序 ${missing}：文件不存在\n`]);
  });

  it('a REPL parse error keeps its caret under the offending character, with the reason in Chinese', async () => {
    await Promise.all([
      dc.waitForEvent('initialized').then(() => dc.configurationDoneRequest()),
      dc.launch({ program: path.join(dir, 'seq.txt'), stopOnEntry: true } as DebugProtocol.LaunchRequestArguments),
      dc.waitForEvent('stopped'),
    ]);
    await assert.rejects(dc.evaluateRequest({ expression: 'f.mean = 0.2', context: 'repl', frameId: 1 }), (e: Error) => {
      assert.strictEqual(e.message, "f.mean = 0.2\n       ^ 意外的字符 '='：比较请用 '=='");
      return true;
    });
    await assert.rejects(dc.evaluateRequest({ expression: 'f.mean = 0.2', context: 'watch', frameId: 1 }), /第 8 列：意外的字符 '='：比较请用 '=='$/);
  });
});
