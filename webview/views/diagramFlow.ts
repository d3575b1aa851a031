/**
 * The cell diagram's flow animation: when the step changes, a pulse leaves h_{t-1}, x_t (and C_{t-1}),
 * runs along every edge in the order the cell computes, and each node glows as its value is "computed":
 * gates, then ×, +, C_t, tanh, × and h_t. The numbers themselves are already the new step's (tests and
 * screen readers never see a half-updated diagram); the animation shows the order they come from.
 * Web Animations on overlay paths: nothing in mermaid's SVG is re-rendered or restyled.
 */
import { cssVar } from '../cssCache';
import type { DiagramSpec } from '../diagrams';

/** Milliseconds per stage (one rank of the computation) when stepping by hand. */
export const STAGE_MS = 110;

/** `from` and `to` node ids of a mermaid edge line ('a --> b', 'a -. peephole .-> b', 'a -- "1 − a" --> b'). */
export function edgeEnds(line: string): [string, string] | undefined {
  const m = /^\s*(\w+)\s.*?(\w+)\s*$/.exec(line);
  return m ? [m[1], m[2]] : undefined;
}

/**
 * Computation order: each node's stage is the longest path to it from the step's inputs. Edges into an
 * input node (the RNN's "next step" loop back to h_{t-1}) belong to the next step and are left out.
 */
export function flowStages(spec: DiagramSpec): Map<string, number> {
  const inputs = new Set(spec.nodes.filter((n) => n.shape === 'input').map((n) => n.id));
  const edges = spec.edges.map(edgeEnds).filter((e): e is [string, string] => !!e && !inputs.has(e[1]));
  const stage = new Map(spec.nodes.map((n) => [n.id, 0]));
  // Longest path by relaxation: at most one pass per node in a DAG (a cycle cannot make it loop forever).
  for (let pass = 0; pass < spec.nodes.length; pass++) {
    let changed = false;
    for (const [a, b] of edges) {
      const next = (stage.get(a) ?? 0) + 1;
      if (next > (stage.get(b) ?? 0)) {
        stage.set(b, next);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return stage;
}

interface Pulse { path: SVGPathElement; from: number; to: number; length: number }

export class DiagramFlow {
  private pulses: Pulse[] = [];
  private glows: { g: SVGGElement; stage: number }[] = [];
  private running: Animation[] = [];
  /** Number of ranks (the last node's stage + 1): playback fits the whole flow into one step. */
  ranks = 1;

  /** Wires the freshly shown SVG: one hidden overlay path per edge, and each node's stage. */
  attach(svg: SVGSVGElement, spec: DiagramSpec, nodes: Map<string, { g: SVGGElement }>): void {
    this.stop();
    this.pulses = [];
    this.glows = [];
    const stages = flowStages(spec);
    this.ranks = Math.max(...stages.values()) + 1;
    const inputs = new Set(spec.nodes.filter((n) => n.shape === 'input').map((n) => n.id));
    for (const edge of svg.querySelectorAll<SVGPathElement>('path[id*="L_"]')) {
      const m = /(?:^|-)L_([A-Za-z0-9]+)_([A-Za-z0-9]+)_\d+$/.exec(edge.id);
      if (!m || inputs.has(m[2]) || typeof edge.getTotalLength !== 'function') continue;
      const path = edge.cloneNode(false) as SVGPathElement;
      path.removeAttribute('id');
      path.removeAttribute('marker-end');
      path.removeAttribute('marker-start');
      path.setAttribute('class', 'flow-pulse');
      path.setAttribute('aria-hidden', 'true');
      const length = edge.getTotalLength();
      const dash = Math.min(20, length / 2);
      Object.assign(path.style, { fill: 'none', stroke: 'var(--unroll-flow)', strokeWidth: '4px', strokeLinecap: 'round', opacity: '0', pointerEvents: 'none', strokeDasharray: `${dash} ${length + dash}` });
      edge.after(path);
      this.pulses.push({ path, from: stages.get(m[1]) ?? 0, to: stages.get(m[2]) ?? 1, length });
    }
    for (const [id, { g }] of nodes) this.glows.push({ g, stage: stages.get(id) ?? 0 });
  }

  /** Plays one step's flow, `stageMs` per rank; nothing when motion is reduced. */
  play(stageMs = STAGE_MS): void {
    this.stop();
    if (!this.pulses.length || stageMs < 20 || typeof Element.prototype.animate !== 'function') return;
    if (typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches) return;
    for (const p of this.pulses) {
      const dash = Math.min(20, p.length / 2);
      // The dash enters at the source and leaves at the target: long edges (o → ×) run slower and arrive on time.
      this.running.push(p.path.animate(
        [{ strokeDashoffset: `${dash}`, opacity: 1 }, { strokeDashoffset: `${-p.length}`, opacity: 1 }],
        { duration: Math.max(1, p.to - p.from) * stageMs, delay: p.from * stageMs, easing: 'ease-in-out' },
      ));
    }
    const c = cssVar('--unroll-flow', '#d18616');
    const glow = `drop-shadow(0 0 3px ${c}) drop-shadow(0 0 6px ${c})`;
    const none = 'drop-shadow(0 0 0 transparent) drop-shadow(0 0 0 transparent)';
    for (const { g, stage } of this.glows) {
      this.running.push(g.animate(
        [{ filter: none }, { filter: glow, offset: 0.35 }, { filter: none }],
        { duration: stageMs * 2.2, delay: Math.max(0, stage * stageMs - stageMs * 0.4) },
      ));
    }
  }

  stop(): void {
    for (const a of this.running) a.cancel();
    this.running = [];
  }
}
