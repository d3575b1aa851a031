/**
 * The one selection every view follows: step, layer, direction, unit, gate, plus zoom and playback.
 * Views never keep their own copy; they read `get()` and redraw on `subscribe`. Pure (no DOM).
 */
import type { ViewState } from '../src/protocol/messages';

export interface Limits {
  steps: number;
  layers: number;
  directions: number;
  units: number;
  gates: readonly string[];
}

export interface SelectionState extends ViewState {
  playing: boolean;
}

export type Listener = (state: Readonly<SelectionState>, changed: ReadonlySet<keyof SelectionState>) => void;

export const MIN_STEP_WIDTH = 2;
export const MAX_STEP_WIDTH = 160;
export const DEFAULT_STEP_WIDTH = 56;
export const MIN_SPEED = 0.25;
export const MAX_SPEED = 240;

export function defaultState(): SelectionState {
  return { step: 0, layer: 0, direction: 0, unit: 0, gate: '', stepWidth: DEFAULT_STEP_WIDTH, speed: 4, playing: false };
}

function clampInt(v: number, max: number): number {
  if (!Number.isFinite(v)) return 0;
  return Math.max(0, Math.min(Math.max(0, max - 1), Math.round(v)));
}

export class Store {
  private state: SelectionState = defaultState();
  private limits: Limits = { steps: 0, layers: 1, directions: 1, units: 1, gates: [] };
  private readonly listeners = new Set<Listener>();

  get(): Readonly<SelectionState> {
    return this.state;
  }

  getLimits(): Readonly<Limits> {
    return this.limits;
  }

  /** New bounds (a new sequence or trace): the current selection is clamped into them. */
  setLimits(limits: Limits): void {
    this.limits = limits;
    this.update({});
  }

  /** Applies a partial change, clamps it into the limits, and notifies listeners of what actually changed. */
  update(patch: Partial<SelectionState>): void {
    const next: SelectionState = { ...this.state, ...patch };
    const l = this.limits;
    next.step = clampInt(next.step, l.steps);
    next.layer = clampInt(next.layer, l.layers);
    next.direction = clampInt(next.direction, l.directions);
    next.unit = clampInt(next.unit, l.units);
    if (next.gate && l.gates.length && !l.gates.includes(next.gate)) next.gate = '';
    next.stepWidth = Math.max(MIN_STEP_WIDTH, Math.min(MAX_STEP_WIDTH, Number.isFinite(next.stepWidth) ? next.stepWidth : DEFAULT_STEP_WIDTH));
    next.speed = Math.max(MIN_SPEED, Math.min(MAX_SPEED, Number.isFinite(next.speed) ? next.speed : 4));
    if (l.steps === 0) next.playing = false;
    const changed = new Set<keyof SelectionState>();
    for (const k of Object.keys(next) as (keyof SelectionState)[]) if (next[k] !== this.state[k]) changed.add(k);
    this.state = next;
    if (changed.size) for (const fn of [...this.listeners]) fn(this.state, changed);
  }

  /** Moves by `delta` steps, clamped; returns true if the step changed. */
  stepBy(delta: number): boolean {
    const before = this.state.step;
    this.update({ step: before + delta });
    return this.state.step !== before;
  }

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The persistable part (no `playing`: a restored panel starts paused). */
  viewState(): ViewState {
    const { step, layer, direction, unit, gate, stepWidth, speed } = this.state;
    return { step, layer, direction, unit, gate, stepWidth, speed };
  }
}
