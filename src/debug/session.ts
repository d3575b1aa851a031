/**
 * The Debug Adapter Protocol side of the `unroll` debugger: translates DAP requests into UnrollRuntime
 * moves and its answers into stopped events, stack frames, scopes and variables. No `vscode` import:
 * VS Code runs it inline (DebugAdapterInlineImplementation) and the tests drive it with DebugClient.
 */
import * as fs from 'fs';
import {
  Breakpoint, Handles, InitializedEvent, LoggingDebugSession, OutputEvent, Scope, Source, StackFrame,
  StoppedEvent, TerminatedEvent, Thread,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { caretLines, compileExpression, ExprError, formatValue, type BreakpointStatus } from '../expr';
import { UnrollError } from '../engine/types';
import { english, localizeText, render, type Translate } from '../l10n/format';
import { prepareProgram, runHere, type FileIO, type LaunchArgs, type TraceRunner } from './program';
import { UnrollRuntime, type Stop } from './runtime';
import { laneVariables, stepSummary, unitVariables, vectorLabel, type VarRef } from './variables';

const THREAD_ID = 1;
/** How long launch waits for configurationDone before starting anyway. */
const CONFIGURATION_TIMEOUT_MS = 5000;

export type LaunchRequestArguments = DebugProtocol.LaunchRequestArguments & LaunchArgs;

const nodeIO: FileIO = { readFile: (p) => fs.readFileSync(p) };

export class UnrollDebugSession extends LoggingDebugSession {
  /** The runtime of the running session (the activation glue reads it for hovers and the visualizer). */
  runtime: UnrollRuntime | undefined;
  /** Called after every stop with the step (the visualizer follows the debugger). */
  onDidStop?: (step: number, where?: { layer: number; direction: number; gate?: string }) => void;

  private readonly vars = new Handles<VarRef>();
  private configurationDone!: () => void;
  private readonly configured = new Promise<void>((resolve) => (this.configurationDone = resolve));
  private lineBpIds = new Map<string, number>();
  private nextBpId = 1;

  /** `translate` shows messages in the person's language (the extension passes vscode.l10n.t; tests keep English). */
  constructor(private readonly io: FileIO = nodeIO, private readonly run: TraceRunner = runHere, private readonly translate: Translate = english) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      ...response.body,
      // The client sends configurationDone after the breakpoints, so launch knows when to start.
      supportsConfigurationDoneRequest: true,
      // Step Back and Reverse Continue: the trace is recorded, so going backwards is exact and cheap.
      supportsStepBack: true,
      // Breakpoints with a condition in the expression language (f.mean < 0.2).
      supportsConditionalBreakpoints: true,
      // Hit counts: 10, %10 (every 10th), ==3, >5.
      supportsHitConditionalBreakpoints: true,
      // Logpoints with {expression} templates; they print and never stop.
      supportsLogPoints: true,
      // "Function" breakpoints are conditions over every step (the name is the condition).
      supportsFunctionBreakpoints: true,
      // Watch, Debug Console and hovers evaluate the same expression language.
      supportsEvaluateForHovers: true,
      // Variables carry evaluateName, so "Add to Watch" and "Copy as Expression" work.
      supportsClipboardContext: false,
      // Jump to a step from the visualizer's timeline (custom 'unroll/goto' request) — DAP goto is line-based.
      supportsGotoTargetsRequest: false,
      supportsTerminateRequest: true,
    };
    this.sendResponse(response);
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.configurationDone();
    this.sendResponse(response);
  }

  protected override async launchRequest(response: DebugProtocol.LaunchResponse, args: LaunchRequestArguments): Promise<void> {
    try {
      const t0 = Date.now();
      const program = await prepareProgram(args, this.io, this.run);
      this.runtime = new UnrollRuntime(program);
      this.print(`Unroll: ${program.path.split(/[\\/]/).pop()}: ${program.description}, traced in ${Date.now() - t0} ms\n`, 'console');
    } catch (e) {
      // Bad input ends the session with one line in the Debug Console; nothing is thrown into the host.
      const message = e instanceof UnrollError ? this.localized(e) : `unexpected error: ${(e as Error)?.message ?? e}`;
      this.print(`Unroll: ${message}\n`, 'stderr');
      this.sendErrorResponse(response, { id: 1001, format: `Unroll: ${message.replace(/[{}]/g, '')}`, showUser: false });
      this.sendEvent(new TerminatedEvent());
      return;
    }
    // Breakpoints map lines to steps, so they are accepted only once the program is known.
    this.sendEvent(new InitializedEvent());
    await Promise.race([this.configured, new Promise((r) => setTimeout(r, CONFIGURATION_TIMEOUT_MS))]);
    this.sendResponse(response);
    this.report(this.runtime.start(!!args.stopOnEntry));
  }

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    const rt = this.runtime;
    const requested = args.breakpoints ?? [];
    const samePath = rt && args.source.path && normalize(args.source.path) === normalize(rt.program.path);
    if (!rt || !samePath) {
      response.body = { breakpoints: requested.map((b) => ({ verified: false, line: b.line, message: 'Unroll breakpoints go in the sequence file being debugged' })) };
      this.sendResponse(response);
      return;
    }
    const bps = requested.map((b) => ({ id: this.idForLine(b.line), line: b.line, condition: b.condition, hitCondition: b.hitCondition, logMessage: b.logMessage }));
    const statuses = rt.setLineBreakpoints(bps);
    response.body = {
      breakpoints: bps.map((b) => {
        const steps = rt.stepsOnLine(b.line);
        const where = steps.length ? rt.location(steps[0]) : undefined;
        return this.toBreakpoint(statuses.find((s) => s.id === b.id)!, where?.line ?? b.line, where?.column);
      }),
    };
    this.sendResponse(response);
  }

  protected override setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
    const rt = this.runtime;
    if (!rt) {
      response.body = { breakpoints: args.breakpoints.map(() => ({ verified: false, message: 'no sequence is loaded' })) };
      this.sendResponse(response);
      return;
    }
    const bps = args.breakpoints.map((b) => ({ id: this.nextBpId++, expression: b.name, condition: b.condition, hitCondition: b.hitCondition }));
    const statuses = rt.setConditionBreakpoints(bps);
    response.body = { breakpoints: bps.map((b) => this.toBreakpoint(statuses.find((s) => s.id === b.id)!)) };
    this.sendResponse(response);
  }

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: [new Thread(THREAD_ID, this.runtime ? `sequence (${this.runtime.steps} steps)` : 'sequence')] };
    this.sendResponse(response);
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse): void {
    const rt = this.runtime;
    if (!rt) return this.sendErrorResponse(response, 1002, 'no sequence is loaded');
    const { t, depth, lane, part } = rt.position;
    const loc = rt.location(t);
    const source = new Source(rt.program.path.split(/[\\/]/).pop() ?? rt.program.path, rt.program.path);
    const frame = (id: number, name: string): StackFrame => {
      const f = new StackFrame(id, name, source, loc.line, loc.column);
      f.endLine = loc.endLine;
      f.endColumn = loc.endColumn;
      return f;
    };
    const token = JSON.stringify(rt.program.tokens[t]);
    // One frame per level, innermost first: gate › layer › step › sequence.
    const frames: StackFrame[] = [];
    if (depth === 2) frames.push(frame(4, `${rt.parts(lane)[part].label} (${rt.lanes[lane].label})`));
    if (depth >= 1) frames.push(frame(3, `${rt.lanes[lane].label}, step ${t}`));
    frames.push(frame(2, `step ${t} ${token}`));
    frames.push(frame(1, `sequence ${source.name} (${rt.steps} steps)`));
    response.body = { stackFrames: frames, totalFrames: frames.length };
    this.sendResponse(response);
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    const rt = this.runtime;
    if (!rt) return this.sendErrorResponse(response, 1002, 'no sequence is loaded');
    const { t, depth, lane } = rt.position;
    const scopes: Scope[] = [];
    // Inner frames show their own layer first; outer frames show every layer and direction.
    const focused = args.frameId >= 3 && depth >= 1 ? [lane] : rt.lanes.map((_, k) => k);
    for (const k of focused) scopes.push(new Scope(`${rt.lanes[k].label[0].toUpperCase()}${rt.lanes[k].label.slice(1)} (step ${t})`, this.vars.create({ kind: 'lane', lane: k, t }), false));
    scopes.push(new Scope('Step', this.vars.create({ kind: 'step', t }), false));
    response.body = { scopes };
    this.sendResponse(response);
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    const rt = this.runtime;
    const ref = this.vars.get(args.variablesReference);
    if (!rt || !ref) {
      response.body = { variables: [] };
      return this.sendResponse(response);
    }
    let variables: DebugProtocol.Variable[] = [];
    if (ref.kind === 'lane') variables = laneVariables(rt, ref.lane, ref.t, (r) => this.vars.create(r));
    else if (ref.kind === 'step') variables = stepSummary(rt, ref.t, (r) => this.vars.create(r));
    else variables = unitVariables(ref, args.start ?? 0, args.count ?? 0);
    response.body = { variables };
    this.sendResponse(response);
  }

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    const rt = this.runtime;
    if (!rt) return this.sendErrorResponse(response, 1002, 'no sequence is loaded');
    // Hovers over the sequence file ask for "@step N" (see register.ts): that step's state.
    const hover = /^@step (\d+)$/.exec(args.expression.trim());
    if (hover) {
      const t = Number(hover[1]);
      if (t >= rt.steps) return this.sendErrorResponse(response, 1003, `step ${t} is outside the sequence`);
      // One short line (the top layer's h_t); the children hold every layer and direction.
      const top = rt.stepValues(t).layers[rt.lanes[rt.lanes.length - 1].layer].forward;
      response.body = { result: `step ${t} ${JSON.stringify(rt.program.tokens[t])} · h_t ${vectorLabel(top.h)}`, variablesReference: this.vars.create({ kind: 'step', t }) };
      return this.sendResponse(response);
    }
    const { depth, lane, t } = rt.position;
    const scope = depth >= 1 ? { layer: rt.lanes[lane].layer, dir: rt.lanes[lane].dir } : {};
    try {
      const compiled = compileExpression(args.expression, rt.meta, scope);
      const value = compiled.evaluate(rt.stepValues(t));
      if (compiled.type === 'vec' || compiled.type === 'mask') {
        const values = Float64Array.from(value as ArrayLike<number>);
        const isMask = compiled.type === 'mask';
        response.body = {
          result: isMask ? formatValue(values, true) : vectorLabel(values),
          variablesReference: this.vars.create({ kind: 'vector', values, evaluateName: args.expression.trim(), isMask }),
          indexedVariables: values.length,
        };
      } else {
        response.body = { result: formatValue(value), variablesReference: 0 };
      }
      this.sendResponse(response);
    } catch (e) {
      const msg = e instanceof ExprError ? (args.context === 'repl' ? caretLines(args.expression, e, localizeText(e.reason, this.translate)) : this.localized(e)) : String((e as Error)?.message ?? e);
      this.sendErrorResponse(response, { id: 1004, format: msg.replace(/[{}]/g, ''), showUser: false });
    }
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    this.sendResponse(response);
    this.report(this.runtime!.continue());
  }
  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): void {
    this.sendResponse(response);
    this.report(this.runtime!.reverseContinue());
  }
  protected override nextRequest(response: DebugProtocol.NextResponse): void {
    this.sendResponse(response);
    this.report(this.runtime!.next());
  }
  protected override stepInRequest(response: DebugProtocol.StepInResponse): void {
    this.sendResponse(response);
    this.report(this.runtime!.stepIn());
  }
  protected override stepOutRequest(response: DebugProtocol.StepOutResponse): void {
    this.sendResponse(response);
    this.report(this.runtime!.stepOut());
  }
  protected override stepBackRequest(response: DebugProtocol.StepBackResponse): void {
    this.sendResponse(response);
    this.report(this.runtime!.stepBack());
  }

  /** 'unroll/goto' {step}: the visualizer's timeline moved; the debugger follows. */
  protected override customRequest(command: string, response: DebugProtocol.Response, args: { step?: unknown }): void {
    if (command === 'unroll/goto' && this.runtime && typeof args?.step === 'number' && Number.isFinite(args.step)) {
      this.sendResponse(response);
      const stop = this.runtime.goto(args.step);
      this.vars.reset();
      const ev = new StoppedEvent('goto', THREAD_ID) as DebugProtocol.StoppedEvent;
      ev.body.description = stop.description;
      this.sendEvent(ev);
      return;
    }
    this.sendErrorResponse(response, 1005, `unknown request ${command}`);
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.sendResponse(response);
    this.sendEvent(new TerminatedEvent());
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    this.runtime = undefined;
    this.sendResponse(response);
  }

  /** Turn a runtime stop into logs + a stopped event. */
  private report(stop: Stop): void {
    const rt = this.runtime!;
    for (const log of stop.logs) this.print(`${log.log}\n`, 'stdout', rt.location(log.step).line);
    for (const err of rt.breakpointErrors.splice(0)) this.print(`Unroll: ${err}\n`, 'stderr');
    if (stop.reason === 'end' || stop.reason === 'start') this.print(`Unroll: ${stop.description}\n`, 'console');
    this.vars.reset();
    const reason = stop.reason === 'breakpoint' ? 'breakpoint' : stop.reason === 'entry' ? 'entry' : 'step';
    const ev = new StoppedEvent(reason, THREAD_ID) as DebugProtocol.StoppedEvent;
    ev.body.description = stop.description;
    if (stop.hitIds.length) ev.body.hitBreakpointIds = stop.hitIds;
    this.sendEvent(ev);
    const { t, depth, lane, part } = rt.position;
    const l = depth > 0 ? rt.lanes[lane] : undefined;
    this.onDidStop?.(t, l && { layer: l.layer, direction: l.dir, ...(depth === 2 ? { gate: rt.parts(lane)[part]?.name } : {}) });
  }

  private print(text: string, category: 'console' | 'stdout' | 'stderr', line?: number): void {
    const e = new OutputEvent(text, category) as DebugProtocol.OutputEvent;
    if (line !== undefined && this.runtime) {
      e.body.source = new Source(this.runtime.program.path.split(/[\\/]/).pop() ?? '', this.runtime.program.path);
      e.body.line = line;
    }
    this.sendEvent(e);
  }

  /** An UnrollError's message in the person's language (English unless `msg` made it). */
  private localized(e: UnrollError): string {
    return e.l10n ? render(e.l10n, this.translate) : e.message;
  }

  private idForLine(line: number): number {
    const key = String(line);
    let id = this.lineBpIds.get(key);
    if (id === undefined) this.lineBpIds.set(key, (id = this.nextBpId++));
    return id;
  }

  private toBreakpoint(status: BreakpointStatus, line?: number, column?: number): DebugProtocol.Breakpoint {
    const bp = new Breakpoint(status.verified, line, column) as DebugProtocol.Breakpoint;
    bp.id = status.id;
    if (status.message) bp.message = localizeText(status.message, this.translate);
    return bp;
  }
}

function normalize(p: string): string {
  return p.replace(/\\/g, '/').replace(/^([a-z]):/, (_, d: string) => d.toUpperCase() + ':');
}
