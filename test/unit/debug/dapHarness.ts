/**
 * The debug adapter in this process behind a TCP socket, one fresh session per test; DebugClient talks DAP to
 * it as VS Code would. Shared by the adapter tests and the Chinese-translator tests so both drive it the same way.
 */
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { UnrollDebugSession } from '../../../src/debug/session';
import type { LaunchArgs } from '../../../src/debug/program';

export interface Dap {
  /** The client of the running test. */
  readonly dc: DebugClient;
  /** A temporary folder holding the files given to useDebugAdapter, removed after the suite. */
  readonly dir: string;
  /** Launch `args`, run `setup` once the adapter is initialized, then configurationDone; resolves at the first stop. */
  launch(args: Partial<LaunchArgs>, setup?: () => Promise<unknown>): Promise<DebugProtocol.StoppedEvent>;
  /**
   * Launch on a client of its own, expecting the session to end: the launch result ('ok' or the error message)
   * and every line written to stderr.
   */
  launchFailure(args: Partial<LaunchArgs>): Promise<{ result: string; errors: string[] }>;
}

/**
 * Registers mocha hooks in the calling describe block (call it inside one, or the hooks become root hooks that
 * run around every test of the whole run). `files` (name → content) are written to `dir` before the suite.
 * `session` makes the adapter for each connection; it is called per test, so it may read test-set state.
 */
export function useDebugAdapter(session: () => UnrollDebugSession, files: Record<string, string | Buffer> = {}): Dap {
  let dir = '';
  let server: net.Server | undefined;
  let dc: DebugClient | undefined;
  const port = (): number => (server!.address() as net.AddressInfo).port;
  const client = async (): Promise<DebugClient> => {
    const c = new DebugClient('node', '', 'unroll');
    c.defaultTimeout = 10_000;
    await c.start(port());
    return c;
  };

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unroll-dap-'));
    for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  beforeEach(async () => {
    server = net.createServer((socket) => {
      const s = session();
      s.setRunAsServer(true);
      s.start(socket, socket);
    }).listen(0);
    dc = await client();
  });
  afterEach(async () => {
    await dc?.stop();
    server?.close();
    dc = undefined;
    server = undefined;
  });

  return {
    get dc(): DebugClient {
      if (!dc) throw new Error('dap.dc is only there while a test runs');
      return dc;
    },
    get dir(): string {
      return dir;
    },
    async launch(args, setup = async () => undefined) {
      const c = this.dc;
      const [, , stopped] = await Promise.all([
        c.waitForEvent('initialized').then(setup).then(() => c.configurationDoneRequest()),
        c.launch(args as DebugProtocol.LaunchRequestArguments),
        c.waitForEvent('stopped'),
      ]);
      return stopped as DebugProtocol.StoppedEvent;
    },
    async launchFailure(args) {
      const c = await client();
      try {
        const errors: string[] = [];
        c.on('output', (e: DebugProtocol.OutputEvent) => e.body.category === 'stderr' && errors.push(e.body.output));
        const [result] = await Promise.all([
          c.launch(args as DebugProtocol.LaunchRequestArguments).then(() => 'ok', (e: Error) => e.message),
          c.waitForEvent('terminated'),
        ]);
        return { result, errors };
      } finally {
        await c.stop();
      }
    },
  };
}
