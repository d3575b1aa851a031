/**
 * Mermaid cell diagrams, one per cell kind, drawn the way the classic explanations draw them. Each node
 * knows how to compute its value for the selected unit from the step's exact values, so the diagram is
 * rendered once and then only its numbers and colours change. Pure (text in, text out).
 */
import { labelColumns } from './columns';

export type Values = Record<string, Float32Array>;

export interface DiagramNode {
  id: string;
  /** Name line, e.g. "fₜ = σ(…)". */
  name: string;
  /** Shape: box for values, circle for pointwise operations. */
  shape: 'box' | 'circle' | 'input';
  /** Which colour scale its value uses ('none' = not coloured). */
  scale: 'sigmoid' | 'diverging' | 'none';
  /** The gate/state this node stands for in the other views (click selects it). */
  channel?: string;
  /** Value of this node for unit u; undefined when the step does not have it. */
  value?: (v: Values, u: number) => number | undefined;
}

export interface DiagramSpec {
  kind: string;
  title: string;
  nodes: DiagramNode[];
  /** Mermaid edge lines (already in mermaid syntax). */
  edges: string[];
}

export interface CellShape {
  family: 'rnn' | 'lstm' | 'gru';
  peephole: boolean;
  coupling: string;
  resetAfter: boolean;
  nonlinearity?: 'tanh' | 'relu';
}

const at = (name: string) => (v: Values, u: number) => v[name]?.[u];

export function diagramFor(cell: CellShape): DiagramSpec {
  if (cell.family === 'gru') return gru(cell);
  if (cell.family === 'rnn') return rnn(cell);
  return lstm(cell);
}

function lstm(cell: CellShape): DiagramSpec {
  const coupledI = cell.coupling === 'keep-forget'; // i = 1 − f
  const coupledF = cell.coupling === 'keep-input'; // f = 1 − i
  const nodes: DiagramNode[] = [
    { id: 'x', name: 'xₜ', shape: 'input', scale: 'none' },
    { id: 'hp', name: 'hₜ₋₁', shape: 'input', scale: 'diverging', channel: 'h', value: at('h_prev') },
    { id: 'cp', name: 'Cₜ₋₁', shape: 'input', scale: 'diverging', channel: 'c', value: at('c_prev') },
    { id: 'f', name: coupledF ? 'fₜ = 1 − iₜ' : 'fₜ = σ(…)', shape: 'box', scale: 'sigmoid', channel: 'f', value: at('f') },
    { id: 'i', name: coupledI ? 'iₜ = 1 − fₜ' : 'iₜ = σ(…)', shape: 'box', scale: 'sigmoid', channel: 'i', value: at('i') },
    { id: 'g', name: 'C̃ₜ = tanh(…)', shape: 'box', scale: 'diverging', channel: 'g', value: at('g') },
    { id: 'o', name: 'oₜ = σ(…)', shape: 'box', scale: 'sigmoid', channel: 'o', value: at('o') },
    { id: 'mf', name: '×', shape: 'circle', scale: 'diverging', value: (v, u) => mul(v.f?.[u], v.c_prev?.[u]) },
    { id: 'mi', name: '×', shape: 'circle', scale: 'diverging', value: (v, u) => mul(v.i?.[u], v.g?.[u]) },
    { id: 'add', name: '+', shape: 'circle', scale: 'diverging', value: at('c') },
    { id: 'c', name: 'Cₜ', shape: 'box', scale: 'diverging', channel: 'c', value: at('c') },
    { id: 'tc', name: 'tanh', shape: 'circle', scale: 'diverging', value: (v, u) => (v.c ? Math.tanh(v.c[u]) : undefined) },
    { id: 'mo', name: '×', shape: 'circle', scale: 'diverging', value: (v, u) => (v.m ? v.m[u] : v.h?.[u]) },
    { id: 'h', name: 'hₜ', shape: 'box', scale: 'diverging', channel: 'h', value: at('h') },
  ];
  const edges = [
    'cp --> mf', 'f --> mf', 'mf --> add', 'i --> mi', 'g --> mi', 'mi --> add', 'add --> c', 'c --> tc', 'tc --> mo', 'o --> mo', 'mo --> h',
  ];
  for (const gate of ['f', 'i', 'g', 'o']) {
    if ((gate === 'i' && coupledI) || (gate === 'f' && coupledF)) continue;
    edges.push(`x --> ${gate}`, `hp --> ${gate}`);
  }
  if (coupledI) edges.push('f -- "1 − f" --> i');
  if (coupledF) edges.push('i -- "1 − i" --> f');
  if (cell.peephole) {
    // Gers & Schmidhuber: i and f peep at C_{t-1}, o at the new C_t.
    if (!coupledI) edges.push('cp -. peephole .-> i');
    if (!coupledF) edges.push('cp -. peephole .-> f');
    edges.push('c -. peephole .-> o');
  }
  const kind = cell.peephole ? (cell.coupling !== 'none' ? 'lstm_cifg_peephole' : 'lstm_peephole') : cell.coupling !== 'none' ? 'lstm_cifg' : 'lstm';
  const title = cell.coupling === 'keep-forget' ? 'LSTM, coupled gate (i = 1 − f)' : cell.coupling === 'keep-input' ? 'LSTM, coupled gate (f = 1 − i, ONNX input_forget)' : 'LSTM';
  return { kind, title: cell.peephole ? `${title} with peepholes` : title, nodes, edges };
}

function gru(cell: CellShape): DiagramSpec {
  const nodes: DiagramNode[] = [
    { id: 'x', name: 'xₜ', shape: 'input', scale: 'none' },
    { id: 'hp', name: 'hₜ₋₁', shape: 'input', scale: 'diverging', channel: 'h', value: at('h_prev') },
    { id: 'r', name: 'rₜ = σ(…)', shape: 'box', scale: 'sigmoid', channel: 'r', value: at('r') },
    { id: 'z', name: 'zₜ = σ(…)', shape: 'box', scale: 'sigmoid', channel: 'z', value: at('z') },
    cell.resetAfter
      ? { id: 'rh', name: 'rₜ ⊙ (U hₜ₋₁ + b)', shape: 'circle', scale: 'none' }
      : { id: 'rh', name: 'rₜ ⊙ hₜ₋₁', shape: 'circle', scale: 'diverging', value: (v, u) => mul(v.r?.[u], v.h_prev?.[u]) },
    { id: 'n', name: 'nₜ = tanh(…)', shape: 'box', scale: 'diverging', channel: 'n', value: at('n') },
    { id: 'omz', name: '1 − zₜ', shape: 'circle', scale: 'sigmoid', value: (v, u) => (v.z ? 1 - v.z[u] : undefined) },
    { id: 'mn', name: '×', shape: 'circle', scale: 'diverging', value: (v, u) => (v.z && v.n ? (1 - v.z[u]) * v.n[u] : undefined) },
    { id: 'mh', name: '×', shape: 'circle', scale: 'diverging', value: (v, u) => mul(v.z?.[u], v.h_prev?.[u]) },
    { id: 'add', name: '+', shape: 'circle', scale: 'diverging', value: at('h') },
    { id: 'h', name: 'hₜ', shape: 'box', scale: 'diverging', channel: 'h', value: at('h') },
  ];
  const edges = [
    'x --> r', 'hp --> r', 'x --> z', 'hp --> z', 'r --> rh', 'hp --> rh', 'rh --> n', 'x --> n',
    'z --> omz', 'omz --> mn', 'n --> mn', 'z --> mh', 'hp --> mh', 'mn --> add', 'mh --> add', 'add --> h',
  ];
  return { kind: cell.resetAfter ? 'gru' : 'gru_cho', title: cell.resetAfter ? 'GRU (reset after the recurrent product, PyTorch)' : 'GRU (reset before the recurrent product, Cho et al. 2014)', nodes, edges };
}

function rnn(cell: CellShape): DiagramSpec {
  const act = cell.nonlinearity === 'relu' ? 'relu' : 'tanh';
  const nodes: DiagramNode[] = [
    { id: 'x', name: 'xₜ', shape: 'input', scale: 'none' },
    { id: 'hp', name: 'hₜ₋₁', shape: 'input', scale: 'diverging', channel: 'h', value: at('h_prev') },
    { id: 'a', name: `${act}(W xₜ + U hₜ₋₁ + b)`, shape: 'box', scale: 'diverging', channel: 'h', value: at('h') },
    { id: 'h', name: 'hₜ', shape: 'box', scale: 'diverging', channel: 'h', value: at('h') },
  ];
  return { kind: `rnn_${act}`, title: `Vanilla RNN (${act}): the loop body`, nodes, edges: ['x --> a', 'hp --> a', 'a --> h', 'h -. "next step" .-> hp'] };
}

function mul(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : a * b;
}

/** Fixed-width value text: sign, 3 decimals ("+0.731", "−1.204"); "—" when unknown. */
export function formatValue(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '+∞' : '−∞';
  const s = Math.abs(v) >= 1000 ? Math.abs(v).toExponential(2) : Math.abs(v).toFixed(3);
  return `${v < 0 ? '−' : '+'}${s}`;
}

/** Characters mermaid would read as syntax inside a quoted label. */
function esc(s: string): string {
  return s.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

export interface Annotation {
  values?: Values;
  unit: number;
  /** Token of the step (shown on the x node). */
  token?: string;
  /** Fill colour per node id (hex) for the copied text. */
  fills?: Record<string, string>;
  /** Written into the rendered SVG: the token is shortened to the node's laid-out width. */
  live?: boolean;
}

/** Value line written under a node's name. */
/**
 * The x_t node is laid out once around a placeholder four columns wide (wider shrank the whole peephole diagram below legible size in a side panel); the
 * live diagram shows a token in that width (line breaks and tabs as ↵ →, longer tokens cut with …) so a
 * word or a CSV row is not clipped by the node. "Copy as Mermaid" keeps the whole token.
 */
const X_PLACEHOLDER = '0.00';
const X_COLUMNS = 4;
export function shortToken(token: string): string {
  const shown = token.replace(/\r?\n/g, '↵').replace(/\t/g, '→');
  if (labelColumns(shown) <= X_COLUMNS) return shown;
  let out = '';
  let cols = 0;
  for (const ch of shown) {
    const w = labelColumns(ch);
    if (cols + w > X_COLUMNS - 1) break;
    out += ch;
    cols += w;
  }
  return `${out}…`;
}

export function nodeValueText(node: DiagramNode, a: Annotation | undefined): string {
  if (node.id === 'x') return a?.token !== undefined ? `“${a.live ? shortToken(a.token) : a.token}”` : `“${X_PLACEHOLDER}”`;
  if (!node.value) return '';
  return a?.values ? formatValue(node.value(a.values, a.unit)) : '+0.000';
}

/**
 * Mermaid flowchart text. Without an annotation, values are fixed-width placeholders (the render-once
 * layout); with one, it is the annotated diagram "Copy as Mermaid" puts on the clipboard.
 */
export function mermaidSource(spec: DiagramSpec, a?: Annotation, direction: 'LR' | 'TD' = 'LR'): string {
  const lines = [`flowchart ${direction}`];
  if (a) lines.push(`  %% ${spec.title}; unit ${a.unit}`);
  for (const n of spec.nodes) {
    const value = nodeValueText(n, a);
    const label = esc(value ? `${n.name}\n${value}` : n.name).replace(/\n/g, '<br/>');
    const open = n.shape === 'circle' ? '((' : n.shape === 'input' ? '[/' : '[';
    const close = n.shape === 'circle' ? '))' : n.shape === 'input' ? '/]' : ']';
    lines.push(`  ${n.id}${open}"${label}"${close}`);
  }
  for (const e of spec.edges) lines.push(`  ${e}`);
  if (a?.fills) for (const [id, fill] of Object.entries(a.fills)) lines.push(`  style ${id} fill:${fill}`);
  return lines.join('\n');
}
