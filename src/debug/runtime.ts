/**
 * The debugger's engine, independent of VS Code and of the Debug Adapter Protocol (like mock-debug's
 * runtime): a position in the trace (step › layer/direction › gate), moves (next, step in/out/back,
 * continue, reverse continue) and breakpoints over the expression language. Every move returns what
 * happened; nothing here prints or talks to a client.
 */
import { BreakpointSet, components, type BreakpointDef, type BreakpointStatus, type Component, type Fire, type StepValues } from '../expr';
import { gateNames } from '../engine/types';
import type { Program } from './program';

/** depth 0 = a time step, 1 = one layer and direction of it, 2 = one gate (or C_t, h_t) of that layer. */
export interface Position {
  t: number;
  depth: 0 | 1 | 2;
  /** Index into `lanes` (depth ≥ 1). */
  lane: number;
  /** Index into the lane's parts (depth 2). */
  part: number;
}

export interface Lane {
  layer: number;
  dir: 0 | 1;
  /** "layer 0 forward" */
  label: string;
}

export type StopReason = 'entry' | 'step' | 'breakpoint' | 'end' | 'start';

export interface Stop {
  reason: StopReason;
  /** Why, in words ("breakpoint 2: f.mean < 0.3 (hit 3)", "end of the sequence"). */
  description: string;
  /** Breakpoint ids that fired here (reason 'breakpoint'). */
  hitIds: number[];
  /** Log lines of logpoints passed on the way, in step order. */
  logs: Fire[];
}

export interface LineBreakpoint {
  id: number;
  /** 1-based line in the program file. */
  line: number;
  condition?: string;
  hitCondition?: string;
  logMessage?: string;
}

export interface ConditionBreakpoint {
  id: number;
  /** The condition itself (a function breakpoint's "name"). */
  expression: string;
  condition?: string;
  hitCondition?: string;
}

export class UnrollRuntime {
  readonly lanes: Lane[];
  private readonly lineStarts: number[];
  private readonly breakpoints: BreakpointSet;
  private lineBps: LineBreakpoint[] = [];
  private conditionBps: ConditionBreakpoint[] = [];
  private pos: Position = { t: 0, depth: 0, lane: 0, part: 0 };
  private readonly describe = new Map<number, string>();

  constructor(readonly program: Program) {
    const { shape } = program.network;
    this.lanes = [];
    for (let layer = 0; layer < shape.numLayers; layer++) {
      this.lanes.push({ layer, dir: 0, label: `layer ${layer}${shape.bidirectional ? ' forward' : ''}` });
      if (shape.bidirectional) this.lanes.push({ layer, dir: 1, label: `layer ${layer} reverse` });
    }
    this.lineStarts = [0];
    const text = program.fileText;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) this.lineStarts.push(i + 1);
    }
    this.breakpoints = new BreakpointSet(program.source);
  }

  get position(): Readonly<Position> {
    return this.pos;
  }
  get steps(): number {
    return this.program.seq.steps;
  }
  get meta() {
    return this.program.source.meta;
  }
  /** Runtime errors of breakpoints (each once); the session prints and clears them. */
  get breakpointErrors(): string[] {
    return this.breakpoints.errors;
  }

  /** What step-into at depth 1 walks: the gates, then C_t (and m_t), then h_t. */
  parts(lane: number): Component[] {
    const gates = new Set<string>(gateNames(this.program.network.cell.family));
    return components(this.meta, this.lanes[lane].layer).filter((c) => gates.has(c.name) || c.name === 'c' || c.name === 'm' || c.name === 'h');
  }

  /** 1-based line and column of a document offset of the program file. */
  lineColumn(offset: number): { line: number; column: number } {
    let lo = 0, hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo] + 1 };
  }

  /** Where step t's token sits in the program file: start and end (exclusive), 1-based. */
  location(t: number): { line: number; column: number; endLine: number; endColumn: number } {
    const start = this.program.seq.offsets[t];
    const a = this.lineColumn(start);
    const b = this.lineColumn(start + Math.max(1, this.program.seq.lengths[t]));
    return { line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
  }

  /** The step whose token covers a document offset, or -1. */
  stepAtOffset(offset: number): number {
    const { offsets, lengths } = this.program.seq;
    let lo = 0, hi = offsets.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (offsets[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return offsets.length && offset >= offsets[lo] && offset < offsets[lo] + Math.max(1, lengths[lo]) ? lo : -1;
  }

  /** Steps whose token starts on a 1-based line. */
  stepsOnLine(line: number): number[] {
    if (line < 1 || line > this.lineStarts.length) return [];
    const from = this.lineStarts[line - 1];
    const to = line < this.lineStarts.length ? this.lineStarts[line] : Infinity;
    const out: number[] = [];
    const { offsets } = this.program.seq;
    let lo = 0, hi = offsets.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (offsets[mid] < from) lo = mid + 1;
      else hi = mid;
    }
    for (let t = lo; t < offsets.length && offsets[t] < to; t++) out.push(t);
    return out;
  }

  stepValues(t = this.pos.t): StepValues {
    return this.program.source.stepAt(t);
  }

  // ---- breakpoints -------------------------------------------------------------------------------

  /** Gutter breakpoints: unconditional ones stop at the line's first token; conditional ones at any token of the line where the condition holds. */
  setLineBreakpoints(bps: LineBreakpoint[]): BreakpointStatus[] {
    this.lineBps = bps;
    return this.apply().filter((s) => bps.some((b) => b.id === s.id));
  }

  /** Condition breakpoints over every step (VS Code's function breakpoints: the "name" is the condition). */
  setConditionBreakpoints(bps: ConditionBreakpoint[]): BreakpointStatus[] {
    this.conditionBps = bps;
    return this.apply().filter((s) => bps.some((b) => b.id === s.id));
  }

  private apply(): BreakpointStatus[] {
    const defs: BreakpointDef[] = [];
    const lineProblems = new Map<number, string>();
    this.describe.clear();
    for (const b of this.lineBps) {
      const steps = this.stepsOnLine(b.line);
      if (steps.length === 0) lineProblems.set(b.id, `line ${b.line} has no token of the sequence`);
      const conditional = !!(b.condition && b.condition.trim());
      defs.push({ id: b.id, place: { kind: 'steps', steps: conditional ? steps : steps.slice(0, 1) }, condition: b.condition, hitCondition: b.hitCondition, logMessage: b.logMessage });
      this.describe.set(b.id, `line ${b.line}${conditional ? ` when ${b.condition!.trim()}` : ''}`);
    }
    for (const b of this.conditionBps) {
      const both = b.condition && b.condition.trim() ? `(${b.expression}) && (${b.condition})` : b.expression;
      defs.push({ id: b.id, place: { kind: 'any' }, condition: both, hitCondition: b.hitCondition });
      this.describe.set(b.id, b.expression.trim());
    }
    // Unqualified names in breakpoints always read layer 0 forward, so a breakpoint never changes meaning as you step.
    return this.breakpoints.set(defs).map((s) => (lineProblems.has(s.id) ? { id: s.id, verified: false, message: lineProblems.get(s.id) } : s));
  }

  /** Everything firing at a step (for the timeline marks and "why did it stop"). */
  firesAt(t: number): Fire[] {
    return this.breakpoints.firesAt(t);
  }

  // ---- moves ---------------------------------------------------------------------------------------

  private at(t: number, reason: StopReason, description: string, logsFrom?: number): Stop {
    const logs = logsFrom !== undefined && t > logsFrom ? this.breakpoints.logsBetween(logsFrom, t) : [];
    this.pos = { t, depth: 0, lane: 0, part: 0 };
    return { reason, description, hitIds: [], logs };
  }

  /** Launch: stop at step 0, or run to the first breakpoint. */
  start(stopOnEntry: boolean): Stop {
    if (stopOnEntry) return { ...this.at(0, 'entry', 'step 0 (stop on entry)'), logs: this.breakpoints.logsBetween(-1, 0) };
    this.pos = { t: 0, depth: 0, lane: 0, part: 0 };
    return this.continueFrom(-1);
  }

  continue(): Stop {
    return this.continueFrom(this.pos.t);
  }

  private continueFrom(from: number): Stop {
    const hit = this.breakpoints.nextStop(from, 1);
    if (!hit) return this.at(this.steps - 1, 'end', `end of the sequence (step ${this.steps - 1}); no breakpoint fired after step ${Math.max(0, from)}`, from);
    const stop = this.at(hit.step, 'breakpoint', this.why(hit.fires), from);
    stop.hitIds = hit.fires.filter((f) => f.log === undefined).map((f) => f.id);
    return stop;
  }

  reverseContinue(): Stop {
    const hit = this.breakpoints.nextStop(this.pos.t, -1);
    if (!hit) return this.at(0, 'start', 'start of the sequence (step 0); no breakpoint fired before');
    const stop = this.at(hit.step, 'breakpoint', this.why(hit.fires));
    stop.hitIds = hit.fires.filter((f) => f.log === undefined).map((f) => f.id);
    return stop;
  }

  private why(fires: Fire[]): string {
    return fires.filter((f) => f.log === undefined).map((f) => `breakpoint ${f.id} (${this.describe.get(f.id) ?? ''}, hit ${f.hit})`).join('; ');
  }

  private moveTo(p: Position, description: string, logsFrom?: number): Stop {
    const logs = logsFrom !== undefined && p.t > logsFrom ? this.breakpoints.logsBetween(logsFrom, p.t) : [];
    this.pos = p;
    return { reason: 'step', description, hitIds: [], logs };
  }

  /** Step Over: the next sibling at the current depth (the next step, layer or gate). */
  next(): Stop {
    const { t, depth, lane, part } = this.pos;
    if (depth === 2) {
      if (part + 1 < this.parts(lane).length) return this.moveTo({ t, depth: 2, lane, part: part + 1 }, 'next gate');
      return this.moveTo({ t, depth: 1, lane, part: 0 }, `finished ${this.lanes[lane].label}`);
    }
    if (depth === 1) {
      if (lane + 1 < this.lanes.length) return this.moveTo({ t, depth: 1, lane: lane + 1, part: 0 }, 'next layer');
      return this.moveTo({ t, depth: 0, lane: 0, part: 0 }, `finished step ${t}`);
    }
    if (t + 1 >= this.steps) return { ...this.moveTo(this.pos, `already at the last step (${t})`), reason: 'end' };
    return this.moveTo({ t: t + 1, depth: 0, lane: 0, part: 0 }, `step ${t + 1}`, t);
  }

  /** Step Into: step › layer › gate; inside a gate, the next gate. */
  stepIn(): Stop {
    const { t, depth, lane, part } = this.pos;
    if (depth === 0) return this.moveTo({ t, depth: 1, lane: 0, part: 0 }, this.lanes[0].label);
    if (depth === 1) return this.moveTo({ t, depth: 2, lane, part: 0 }, this.parts(lane)[0].label);
    return this.next();
  }

  /** Step Out: back up one level, staying at the same step. */
  stepOut(): Stop {
    const { t, depth, lane } = this.pos;
    if (depth === 2) return this.moveTo({ t, depth: 1, lane, part: 0 }, this.lanes[lane].label);
    return this.moveTo({ t, depth: 0, lane: 0, part: 0 }, `step ${t}`);
  }

  /** Step Back: the previous sibling; from the first one, back up to its parent. */
  stepBack(): Stop {
    const { t, depth, lane, part } = this.pos;
    if (depth === 2) return this.moveTo(part > 0 ? { t, depth: 2, lane, part: part - 1 } : { t, depth: 1, lane, part: 0 }, 'previous gate');
    if (depth === 1) return this.moveTo(lane > 0 ? { t, depth: 1, lane: lane - 1, part: 0 } : { t, depth: 0, lane: 0, part: 0 }, 'previous layer');
    if (t === 0) return { ...this.moveTo(this.pos, 'already at step 0'), reason: 'start' };
    return this.moveTo({ t: t - 1, depth: 0, lane: 0, part: 0 }, `step ${t - 1}`);
  }

  /** Jump to a step (the visualizer's timeline moved). */
  goto(t: number): Stop {
    const clamped = Math.max(0, Math.min(this.steps - 1, Math.floor(t)));
    return this.moveTo({ t: clamped, depth: 0, lane: 0, part: 0 }, `step ${clamped} (from the timeline)`);
  }
}
