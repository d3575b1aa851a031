import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { UnrollDebugSession } from '../../../src/debug/session';
import { prepareProgram, type LaunchArgs, type TraceRunner } from '../../../src/debug/program';
import { EngineClient } from '../../../src/worker/engineClient';
import { formatNumber } from '../../../src/expr';
import { REFERENCE } from '../expr/fixtureSource';
import { useDebugAdapter, type Dap } from './dapHarness';

const TEXT = 'hello world\nsecond (line)\nthird\n';
const LINE2 = TEXT.indexOf('second');
/** Set by a test to run traces in the engine worker, as the extension does for big programs. */
let runner: TraceRunner | undefined;
let dap: Dap;
let program: string;

const mean = (a: ArrayLike<number>): number => Array.from(a).reduce((s, v) => s + v, 0) / a.length;

/** Launch (program defaults to seq.txt), set breakpoints when the adapter is ready, and wait for the first stop. */
function launch(args: Partial<LaunchArgs>, setup?: () => Promise<unknown>): Promise<DebugProtocol.StoppedEvent> {
  return dap.launch({ program, ...args }, setup);
}
async function top(): Promise<DebugProtocol.StackFrame[]> {
  return (await dap.dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
}
async function move(req: Promise<unknown>): Promise<DebugProtocol.StoppedEvent> {
  const [, ev] = await Promise.all([req, dap.dc.waitForEvent('stopped')]);
  return ev as DebugProtocol.StoppedEvent;
}
/** The top frame is at this line and column of the program file. */
async function expectAt(line: number, column: number): Promise<void> {
  const f = (await top())[0];
  assert.deepStrictEqual([f.source?.path, f.line, f.column], [program, line, column]);
}

describe('unroll debug adapter (DebugClient, plain Node)', function () {
  this.timeout(20_000);
  dap = useDebugAdapter(() => new UnrollDebugSession(undefined, runner), { 'seq.txt': TEXT });
  before(() => (program = path.join(dap.dir, 'seq.txt')));

  it('stops on entry at step 0, the first token of the file', async () => {
    const ev = await launch({ stopOnEntry: true });
    assert.strictEqual(ev.body.reason, 'entry');
    const frames = await top();
    assert.deepStrictEqual(frames.map((f) => f.name), ['step 0 "h"', 'sequence seq.txt (32 steps)']);
    assert.deepStrictEqual([frames[0].line, frames[0].column, frames[0].source?.path], [1, 1, program]);
  });

  it('Step Over walks time steps; Step Back goes back; the location follows the token', async () => {
    await launch({ stopOnEntry: true });
    for (let k = 0; k < 13; k++) await move(dap.dc.nextRequest({ threadId: 1 }));
    await expectAt(2, 2); // step 13 = "e" of "second"
    await move(dap.dc.stepBackRequest({ threadId: 1 }));
    await move(dap.dc.stepBackRequest({ threadId: 1 }));
    const frames = await top();
    assert.strictEqual(frames[0].name, 'step 11 "\\n"');
    assert.deepStrictEqual([frames[0].line, frames[0].column], [1, 12]);
  });

  it('Step Into goes step › layer › gate, Step Over walks gates, Step Out goes back up (bidirectional stack)', async () => {
    await launch({ stopOnEntry: true, numLayers: 2, bidirectional: true });
    await move(dap.dc.stepInRequest({ threadId: 1 }));
    assert.deepStrictEqual((await top()).map((f) => f.name).slice(0, 2), ['layer 0 forward, step 0', 'step 0 "h"']);
    await move(dap.dc.nextRequest({ threadId: 1 }));
    assert.strictEqual((await top())[0].name, 'layer 0 reverse, step 0');
    await move(dap.dc.stepInRequest({ threadId: 1 }));
    assert.strictEqual((await top())[0].name, 'i_t (layer 0 reverse)');
    await move(dap.dc.nextRequest({ threadId: 1 }));
    const frames = await top();
    assert.deepStrictEqual(frames.map((f) => f.name), ['f_t (layer 0 reverse)', 'layer 0 reverse, step 0', 'step 0 "h"', 'sequence seq.txt (32 steps)']);
    await move(dap.dc.stepOutRequest({ threadId: 1 }));
    assert.strictEqual((await top()).length, 3);
    await move(dap.dc.stepOutRequest({ threadId: 1 }));
    assert.strictEqual((await top()).length, 2);
    // Walking every lane with Step Over ends back at the step level, on the next step.
    await move(dap.dc.stepInRequest({ threadId: 1 }));
    for (let k = 0; k < 4; k++) await move(dap.dc.nextRequest({ threadId: 1 }));
    assert.deepStrictEqual((await top()).map((f) => f.name), ['step 0 "h"', 'sequence seq.txt (32 steps)']);
    await move(dap.dc.nextRequest({ threadId: 1 }));
    assert.strictEqual((await top())[0].name, 'step 1 "e"');
  });

  it('a gutter breakpoint stops at the first token of its line; Continue runs to it', async () => {
    let bpResponse: DebugProtocol.SetBreakpointsResponse | undefined;
    const ev = await launch({}, async () => (bpResponse = await dap.dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: 2 }] })));
    assert.strictEqual(ev.body.reason, 'breakpoint');
    assert.deepStrictEqual(bpResponse!.body.breakpoints.map((b) => [b.verified, b.line, b.column]), [[true, 2, 1]]);
    await expectAt(2, 1);
    // Continue: no more breakpoints, so it stops at the end of the sequence.
    const end = await move(dap.dc.continueRequest({ threadId: 1 }));
    assert.strictEqual(end.body.reason, 'step');
    assert.strictEqual((await top())[0].name, 'step 31 "\\n"');
  });

  it('without breakpoints Continue stops at the last step and Reverse Continue at step 0, saying so', async () => {
    const outputs: string[] = [];
    dap.dc.on('output', (e: DebugProtocol.OutputEvent) => outputs.push(e.body.output));
    const ev = await launch({});
    assert.strictEqual(ev.body.reason, 'step');
    assert.match(ev.body.description!, /^end of the sequence \(step 31\); no breakpoint fired/);
    const back = await move(dap.dc.reverseContinueRequest({ threadId: 1 }));
    assert.match(back.body.description!, /^start of the sequence \(step 0\)/);
    assert.strictEqual((await top())[0].name, 'step 0 "h"');
    assert.ok(outputs.some((o) => /Unroll: end of the sequence/.test(o)));
    // Stepping past either end stays put.
    await move(dap.dc.stepBackRequest({ threadId: 1 }));
    assert.strictEqual((await top())[0].name, 'step 0 "h"');
  });

  it('conditions, hit counts and Reverse Continue', async () => {
    // Hand-computed from the trace: steps where f.mean < the median of f.mean.
    const prog = await prepareProgram({ program }, { readFile: (p) => fs.readFileSync(p) });
    const means = Array.from({ length: prog.seq.steps }, (_, t) => mean(prog.trace.exactStep(t).layers[0].forward.gates.f!));
    const thr = [...means].sort((a, b) => a - b)[Math.floor(means.length / 2)];
    const hits = means.map((m, t) => (m < thr ? t : -1)).filter((t) => t >= 0);
    const every2 = hits.filter((_, k) => (k + 1) % 2 === 0);
    await launch({ stopOnEntry: true });
    const fb = await dap.dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: `f.mean < ${thr}`, hitCondition: '%2' }] });
    assert.strictEqual(fb.body.breakpoints[0].verified, true);
    const seen: number[] = [];
    for (let k = 0; k < every2.length; k++) {
      const ev = await move(dap.dc.continueRequest({ threadId: 1 }));
      assert.strictEqual(ev.body.reason, 'breakpoint');
      assert.deepStrictEqual(ev.body.hitBreakpointIds, [fb.body.breakpoints[0].id]);
      seen.push(Number(/^step (\d+)/.exec((await top())[0].name)![1]));
    }
    assert.deepStrictEqual(seen, every2);
    const back = await move(dap.dc.reverseContinueRequest({ threadId: 1 }));
    assert.strictEqual(back.body.reason, 'breakpoint');
    assert.strictEqual((await top())[0].name.split(' ')[1], String(every2[every2.length - 2]));
  });

  it('a conditional gutter breakpoint stops at any token of its line where it holds; logpoints print', async () => {
    const outputs: string[] = [];
    dap.dc.on('output', (e: DebugProtocol.OutputEvent) => outputs.push(e.body.output));
    await launch({}, () => dap.dc.setBreakpointsRequest({
      source: { path: program },
      breakpoints: [{ line: 2, condition: `t == ${LINE2 + 3}` }, { line: 1, logMessage: 'tok={token} t={t} h0={h[0] > -2}' }],
    }));
    await expectAt(2, 4);
    assert.ok(outputs.includes('tok="h" t=0 h0=true\n'), outputs.join('|'));
  });

  it('an invalid condition leaves the breakpoint unverified with the parse error and column', async () => {
    await launch({ stopOnEntry: true });
    const r = await dap.dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: 2, condition: 'f.maen < 0.2' }, { line: 3, hitCondition: 'often' }, { line: 9 }] });
    const [a, b, c] = r.body.breakpoints;
    assert.strictEqual(a.verified, false);
    assert.match(a.message!, /^condition, column 3: unknown reduction '\.maen' \(did you mean 'mean'\?\)/);
    assert.strictEqual(b.verified, false);
    assert.match(b.message!, /^hit count, column 1: hit condition needs a whole number/);
    assert.strictEqual(c.verified, false);
    assert.match(c.message!, /line 9 has no token/);
    const f = await dap.dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'r.max > 0.5' }] });
    assert.match(f.body.breakpoints[0].message!, /the LSTM cell has no 'r'/);
  });

  it('Variables: every gate and state per layer with mean/min/max, expandable to exact units', async () => {
    await launch({ stopOnEntry: true });
    await move(dap.dc.nextRequest({ threadId: 1 }));
    const prog = await prepareProgram({ program }, { readFile: (p) => fs.readFileSync(p) });
    const exact = prog.trace.exactStep(1).layers[0].forward;
    const frameId = (await top())[0].id;
    const scopes = (await dap.dc.scopesRequest({ frameId })).body.scopes;
    assert.deepStrictEqual(scopes.map((s) => s.name), ['Layer 0 (step 1)', 'Step']);
    const vars = (await dap.dc.variablesRequest({ variablesReference: scopes[0].variablesReference })).body.variables;
    assert.deepStrictEqual(vars.map((v) => v.name), ['x_t', 'h_{t-1}', 'C_{t-1}', 'i_t', 'f_t', 'C̃_t (g)', 'o_t', 'C_t', 'h_t']);
    const f = vars.find((v) => v.name === 'f_t')!;
    const fv = Array.from(exact.gates.f!);
    assert.strictEqual(f.value, `mean ${formatNumber(mean(fv))}, min ${formatNumber(Math.min(...fv))}, max ${formatNumber(Math.max(...fv))} (16 units)`);
    assert.strictEqual(f.evaluateName, 'l0.f');
    const units = (await dap.dc.variablesRequest({ variablesReference: f.variablesReference })).body.variables;
    assert.deepStrictEqual(units.map((u) => u.value), fv.map(formatNumber));
    assert.strictEqual(units[3].evaluateName, 'l0.f[3]');
    const hPrev = vars.find((v) => v.name === 'h_{t-1}')!;
    const hp = (await dap.dc.variablesRequest({ variablesReference: hPrev.variablesReference, filter: 'indexed', start: 4, count: 2 })).body.variables;
    const h0 = prog.trace.exactStep(0).layers[0].forward.h;
    assert.deepStrictEqual(hp.map((u) => [u.name, u.value]), [['[4]', formatNumber(h0[4])], ['[5]', formatNumber(h0[5])]]);
    // The visualizer's timeline moved: the custom 'unroll/goto' request moves the debugger there.
    const [, jumped] = await Promise.all([dap.dc.customRequest('unroll/goto', { step: 20 }), dap.dc.waitForEvent('stopped')]);
    assert.deepStrictEqual([jumped.body.reason, jumped.body.description], ['goto', 'step 20 (from the timeline)']);
    assert.strictEqual((await top())[0].name, 'step 20 "l"'); // the "l" of "(line)"
    await move(dap.dc.customRequest('unroll/goto', { step: 1 }));
    const stepVars = (await dap.dc.variablesRequest({ variablesReference: (await dap.dc.scopesRequest({ frameId: (await top())[0].id })).body.scopes[1].variablesReference })).body.variables;
    assert.deepStrictEqual(stepVars.slice(0, 2).map((v) => [v.name, v.value]), [['t', '1'], ['token', '"e"']]);
  });

  it('Watch / Debug Console evaluate the expression language at the current step and layer', async () => {
    await launch({ stopOnEntry: true, numLayers: 2 });
    await move(dap.dc.nextRequest({ threadId: 1 }));
    const prog = await prepareProgram({ program, numLayers: 2 }, { readFile: (p) => fs.readFileSync(p) });
    const e = prog.trace.exactStep(1).layers;
    const r = await dap.dc.evaluateRequest({ expression: 'f.mean', context: 'watch' });
    assert.strictEqual(r.body.result, formatNumber(mean(e[0].forward.gates.f!)));
    assert.strictEqual((await dap.dc.evaluateRequest({ expression: 'l1.c[2]', context: 'watch' })).body.result, formatNumber(e[1].forward.c![2]));
    assert.strictEqual((await dap.dc.evaluateRequest({ expression: 'token == "e" && t == 1', context: 'repl' })).body.result, 'true');
    const vec = await dap.dc.evaluateRequest({ expression: 'h - h_prev', context: 'watch' });
    assert.ok(vec.body.variablesReference > 0);
    const units = (await dap.dc.variablesRequest({ variablesReference: vec.body.variablesReference })).body.variables;
    assert.strictEqual(units[0].value, formatNumber(e[0].forward.h[0] - e[0].forward.hPrev[0]));
    // Inside layer 1, unqualified names read layer 1.
    await move(dap.dc.stepInRequest({ threadId: 1 }));
    await move(dap.dc.nextRequest({ threadId: 1 }));
    assert.strictEqual((await dap.dc.evaluateRequest({ expression: 'c[2]', context: 'watch' })).body.result, formatNumber(e[1].forward.c![2]));
    // Errors carry the column; the Debug Console gets a caret under it.
    await assert.rejects(dap.dc.evaluateRequest({ expression: 'f.maen', context: 'watch' }), /column 3: unknown reduction '\.maen'/);
    await assert.rejects(dap.dc.evaluateRequest({ expression: 'f.maen', context: 'repl' }), /f\.maen\n  \^\^\^\^ unknown reduction/);
    await assert.rejects(dap.dc.evaluateRequest({ expression: 'rev.h', context: 'watch' }), /not bidirectional/);
    // Hover over a token of the sequence file: that step's state.
    const hover = await dap.dc.evaluateRequest({ expression: '@step 13', context: 'hover' });
    assert.strictEqual(hover.body.result, `step 13 "e" · h_t mean ${formatNumber(mean(prog.trace.exactStep(13).layers[1].forward.h))}, min ${formatNumber(Math.min(...prog.trace.exactStep(13).layers[1].forward.h))}, max ${formatNumber(Math.max(...prog.trace.exactStep(13).layers[1].forward.h))} (16 units)`);
    const hoverVars = (await dap.dc.variablesRequest({ variablesReference: hover.body.variablesReference })).body.variables;
    assert.deepStrictEqual(hoverVars.map((v) => v.name), ['t', 'token', 'layer 0', 'layer 1']);
  });

  it('Debug Selection: only the selected text runs, located in the (unsaved) document', async () => {
    const doc = 'unsaved first line\nxyz\n';
    await launch({ stopOnEntry: true, text: 'xyz', startOffset: doc.indexOf('xyz'), documentText: doc });
    const frames = await top();
    assert.deepStrictEqual(frames.map((f) => f.name), ['step 0 "x"', 'sequence seq.txt (3 steps)']);
    await expectAt(2, 1);
    await move(dap.dc.nextRequest({ threadId: 1 }));
    await expectAt(2, 2);
  });

  it('CRLF files and word encoding: locations are the token\'s line and column', async () => {
    const crlf = path.join(dap.dir, 'crlf.txt');
    fs.writeFileSync(crlf, 'ab\r\ncd\r\n');
    await launch({ program: crlf }, () => dap.dc.setBreakpointsRequest({ source: { path: crlf }, breakpoints: [{ line: 2 }] }));
    const f = (await top())[0];
    assert.deepStrictEqual([f.name, f.line, f.column], ['step 3 "c"', 2, 1]); // "\r\n" is one step
    await move(dap.dc.stepBackRequest({ threadId: 1 }));
    const nl = (await top())[0];
    assert.deepStrictEqual([nl.name, nl.line, nl.column, nl.endLine, nl.endColumn], ['step 2 "\\r\\n"', 1, 3, 2, 1]);
    await dap.dc.disconnectRequest({});
  });

  it('a long program is cut at 100,000 steps, and the Debug Console says so', async () => {
    const long = path.join(dap.dir, 'long.txt');
    fs.writeFileSync(long, 'abcdefghij'.repeat(10_050));
    const outputs: string[] = [];
    dap.dc.on('output', (e: DebugProtocol.OutputEvent) => outputs.push(e.body.output));
    await launch({ program: long, stopOnEntry: true });
    assert.strictEqual((await top()).at(-1)!.name, 'sequence long.txt (100000 steps)');
    assert.ok(outputs.some((o) => o.includes('only the first 100,000 of 100,500 steps are run — use Debug Selection for a later part')), outputs.join('|'));
  });

  describe('with the trace run in the engine worker (dist/worker.js)', () => {
    let client: EngineClient;
    let workerRuns = 0;
    before(() => {
      client = new EngineClient({ workerPath: path.join(REFERENCE, '../../../dist/worker.js') });
      runner = async (network, x) => {
        workerRuns++;
        return (await client.trace({ network, x })).local;
      };
    });
    after(async () => {
      runner = undefined;
      await client.dispose();
    });
    it('stepping and Watch give the same values as a trace run in this thread', async () => {
      await launch({ stopOnEntry: true, numLayers: 2, bidirectional: true });
      assert.strictEqual(workerRuns, 1);
      for (let k = 0; k < 5; k++) await move(dap.dc.nextRequest({ threadId: 1 }));
      const here = (await prepareProgram({ program, numLayers: 2, bidirectional: true }, { readFile: (p) => fs.readFileSync(p) })).trace.exactStep(5).layers[1].reverse!;
      assert.strictEqual((await dap.dc.evaluateRequest({ expression: 'l1.rev.c[3]', context: 'watch' })).body.result, formatNumber(here.c![3]));
      assert.strictEqual((await dap.dc.evaluateRequest({ expression: 'l1.rev.f.mean', context: 'watch' })).body.result, formatNumber(mean(here.gates.f!)));
    });
  });

  it('word encoding steps word by word', async () => {
    const words = path.join(dap.dir, 'words.txt');
    fs.writeFileSync(words, 'the cat sat\non the mat\n');
    await launch({ program: words, encoding: 'words', stopOnEntry: true });
    assert.strictEqual((await top())[0].name, 'step 0 "the"');
    await move(dap.dc.nextRequest({ threadId: 1 }));
    const cat = (await top())[0];
    assert.deepStrictEqual([cat.name, cat.source?.path, cat.line, cat.column], ['step 1 "cat"', words, 1, 5]);
    await dap.dc.setBreakpointsRequest({ source: { path: words }, breakpoints: [{ line: 2, condition: 'token == "mat"' }] });
    await move(dap.dc.continueRequest({ threadId: 1 }));
    const f = (await top())[0];
    assert.deepStrictEqual([f.name, f.line, f.column], ['step 5 "mat"', 2, 8]);
  });

  it('with a trained model file (ONNX + vocabulary sidecar) the Watch values equal the fixture', async () => {
    const ref = REFERENCE;
    const fx = JSON.parse(fs.readFileSync(path.join(ref, 'char_lstm_public.json'), 'utf8'));
    const snippet = path.join(dap.dir, 'snippet.py');
    fs.writeFileSync(snippet, fx.text);
    await launch({ program: snippet, model: path.join(ref, 'char_lstm_public.onnx'), stopOnEntry: true });
    const H = fx.expected.layers[0].forward.h;
    for (const t of [0, 1, 2, 3]) {
      for (const u of [0, 7, 63]) {
        const got = Number((await dap.dc.evaluateRequest({ expression: `h[${u}]`, context: 'watch' })).body.result);
        assert.ok(Math.abs(got - H[t][u]) <= 5e-5 * Math.max(1, Math.abs(H[t][u])) + 5e-6, `t=${t} u=${u}: ${got} vs ${H[t][u]}`);
      }
      await move(dap.dc.nextRequest({ threadId: 1 }));
    }
    await assert.rejects(dap.dc.evaluateRequest({ expression: 'h[64]', context: 'watch' }), /unit 64 is beyond the size: h has 64 units/);
  });

  it('a program that cannot be read ends the session with one clear line', async () => {
    const cases: [string, string | Buffer, RegExp][] = [
      ['missing.txt', '', /cannot read the program .*missing\.txt: the file does not exist/],
      ['binary.bin', Buffer.from([0x41, 0x00, 0x42]), /binary\.bin is not a text file \(it contains NUL bytes\)/],
      ['empty.txt', '', /empty\.txt is empty: there is no sequence to step through/],
      ['latin1.txt', Buffer.from([0x63, 0x61, 0x66, 0xe9]), /latin1\.txt is not valid UTF-8 text/],
      ['model.txt', 'abc', /cannot read the model .*nope\.onnx: the file does not exist/],
    ];
    for (const [name, content, pattern] of cases) {
      const p = path.join(dap.dir, name);
      if (name !== 'missing.txt') fs.writeFileSync(p, content);
      const { result, errors } = await dap.launchFailure({ program: p, ...(name === 'model.txt' ? { model: path.join(dap.dir, 'nope.onnx') } : {}) });
      assert.match(result, pattern);
      assert.strictEqual(errors.length, 1, errors.join('|'));
      assert.match(errors[0], pattern);
      assert.ok(!/\n\s+at /.test(errors[0]), 'no stack trace');
    }
  });
});
