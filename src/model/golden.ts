/**
 * Golden check: run a model on a reference the person exported from their framework (x, optional h0/c0,
 * and the framework's outputs in the fixtures' `expected` form), report the maximum error per tensor, and
 * when it is large, diagnose the likely convention error by re-running with each alternative (gate order,
 * bias handling, reset placement, coupled-gate convention, activation, peephole order) and naming the one
 * that fits. Pure.
 */
import { permuteBlocks } from '../engine/conventions';
import { toExpected } from '../engine/expected';
import { runNetwork } from '../engine/trace';
import { type CellName, type DirectionWeights, type Network, UnrollError, gateCount, numDirections, outputSize } from '../engine/types';
import type { LoadedModel } from './load';
import { matrix } from './spec';

export interface TensorError {
  name: string;
  maxAbsErr: number;
  /** max |Δ| / max(1, |expected|), the fixtures' rule */
  maxScaledErr: number;
  ok: boolean;
}

export interface Alternative {
  cause: 'gate order' | 'bias handling' | 'reset placement' | 'coupled-gate convention' | 'activation' | 'peephole order' | 'cell';
  detail: string;
  maxScaledErr: number;
  fits: boolean;
}

export interface GoldenReport {
  model: string;
  reference: string;
  tolerance: number;
  passed: boolean;
  tensors: TensorError[];
  /** Reference tensors the model does not produce (e.g. logits without a decoder). */
  missing: string[];
  /** Only when the check fails: the alternatives tried, best first. */
  diagnosis?: { likelyCause: string | null; alternatives: Alternative[] };
}

type Obj = Record<string, unknown>;

/** Every numeric array under `exp`, flattened, by dotted path (layers.0.forward.gates.i …). */
function tensors(exp: unknown, at: string, out: Map<string, number[]>): void {
  if (exp === null || typeof exp !== 'object') return;
  if (Array.isArray(exp)) {
    if (exp.length === 0 || typeof exp[0] === 'number' || Array.isArray(exp[0])) out.set(at, (exp as unknown[]).flat(Infinity) as number[]);
    else exp.forEach((e, k) => tensors(e, at ? `${at}.${k}` : String(k), out));
    return;
  }
  for (const [k, v] of Object.entries(exp as Obj)) {
    if (k === 'nll' || k === 'meanNll') continue;
    tensors(v, at ? `${at}.${k}` : k, out);
  }
}

interface Reference {
  x: Float32Array;
  h0?: Float32Array;
  c0?: Float32Array;
  expected: Map<string, number[]>;
  tolerance: number;
}

function parseReference(doc: unknown, net: Network, label: string): Reference {
  const o = doc as Obj | null;
  if (!o || typeof o !== 'object' || !o.expected || typeof o.expected !== 'object') {
    throw UnrollError.of('{0}: a reference needs "x" and "expected" (the fixtures\' JSON form)', label);
  }
  const L = net.shape.numLayers * numDirections(net.shape);
  const x = matrix(o.x, `${label} x`, net.shape.inputSize);
  const ref: Reference = { x, expected: new Map(), tolerance: typeof o.tolerance === 'number' && o.tolerance > 0 ? o.tolerance : 1e-4 };
  if (o.h0 != null) ref.h0 = matrix(o.h0, `${label} h0`, outputSize(net.cell, net.shape), L);
  if (o.c0 != null) ref.c0 = matrix(o.c0, `${label} c0`, net.shape.hiddenSize, L);
  tensors(o.expected, '', ref.expected);
  for (const [name, values] of ref.expected) {
    if (values.some((v) => typeof v !== 'number' || !Number.isFinite(v))) throw UnrollError.of('{0}: expected.{1} holds a value that is not a finite number', label, name);
  }
  if (ref.expected.size === 0) throw UnrollError.of('{0}: "expected" holds no tensors', label);
  return ref;
}

function compare(net: Network, ref: Reference): { tensors: TensorError[]; missing: string[]; worst: number } {
  let got: Map<string, number[]>;
  try {
    got = new Map();
    tensors(toExpected(runNetwork(net, ref.x, { h0: ref.h0, c0: ref.c0 })), '', got);
  } catch (e) {
    if (e instanceof UnrollError) throw e;
    throw UnrollError.of('the model could not run on the reference input: {0}', (e as Error).message);
  }
  const out: TensorError[] = [];
  const missing: string[] = [];
  let worst = 0;
  for (const [name, want] of ref.expected) {
    const have = got.get(name);
    if (!have || have.length !== want.length) {
      missing.push(have ? `${name} (${have.length} values, reference has ${want.length})` : name);
      continue;
    }
    let abs = 0;
    let scaled = 0;
    for (let i = 0; i < want.length; i++) {
      const d = Math.abs(have[i] - want[i]);
      const s = d / Math.max(1, Math.abs(want[i]));
      // NaN counts as the worst possible error
      abs = d > abs || Number.isNaN(d) ? (Number.isNaN(d) ? Infinity : d) : abs;
      scaled = s > scaled || Number.isNaN(s) ? (Number.isNaN(s) ? Infinity : s) : scaled;
    }
    out.push({ name, maxAbsErr: abs, maxScaledErr: scaled, ok: scaled <= ref.tolerance });
    worst = Math.max(worst, scaled);
  }
  return { tensors: out, missing, worst };
}

const LSTM_NAMES = ['i', 'f', 'g', 'o'];
const GRU_NAMES = ['r', 'z', 'n'];

function permutations(n: number): number[][] {
  if (n === 1) return [[0]];
  const out: number[][] = [];
  for (const p of permutations(n - 1)) for (let k = 0; k <= p.length; k++) out.push([...p.slice(0, k), n - 1, ...p.slice(k)]);
  return out;
}

function mapDirections(net: Network, f: (w: DirectionWeights) => DirectionWeights, cell = net.cell): Network {
  return { ...net, cell, layers: net.layers.map((l) => l.map(f)) };
}

/** Each alternative reading of the same weights, labelled with the mistake it would correct. */
function alternatives(net: Network): { alt: Omit<Alternative, 'maxScaledErr' | 'fits'>; net: Network }[] {
  const out: { alt: Omit<Alternative, 'maxScaledErr' | 'fits'>; net: Network }[] = [];
  const { cell } = net;
  const H = net.shape.hiddenSize;
  const G = gateCount(cell.family);
  if (G > 1) {
    const names = cell.family === 'lstm' ? LSTM_NAMES : GRU_NAMES;
    for (const perm of permutations(G)) {
      if (perm.every((p, k) => p === k)) continue;
      // perm[k] = stored block that should have been read as canonical gate k
      const stored = names.map((_, k) => names[perm.indexOf(k)]);
      const permute = (w: DirectionWeights): DirectionWeights => ({ ...w, W: permuteBlocks(w.W, perm), R: permuteBlocks(w.R, perm), bW: permuteBlocks(w.bW, perm), bR: permuteBlocks(w.bR, perm) });
      const known = stored.join(',') === 'i,o,f,g' ? ' (the ONNX order i,o,f,c)' : stored.join(',') === 'z,r,n' ? ' (the ONNX/Keras order z,r,h)' : '';
      out.push({ alt: { cause: 'gate order', detail: `the stored rows are in the order ${stored.join(',')}${known}, not ${names.join(',')} as read` }, net: mapDirections(net, permute) });
    }
  }
  out.push({ alt: { cause: 'bias handling', detail: 'the recurrent bias (b_hh / Rb) is not used by the framework' }, net: mapDirections(net, (w) => ({ ...w, bR: new Float32Array(w.bR.length) })) });
  out.push({ alt: { cause: 'bias handling', detail: 'the input bias (b_ih / Wb) is not used by the framework' }, net: mapDirections(net, (w) => ({ ...w, bW: new Float32Array(w.bW.length) })) });
  if (cell.family === 'gru') {
    const merged = mapDirections(net, (w) => {
      const bW = w.bW.slice();
      const bR = w.bR.slice();
      for (let j = 2 * H; j < 3 * H; j++) {
        bW[j] += bR[j];
        bR[j] = 0;
      }
      return { ...w, bW, bR };
    });
    out.push({ alt: { cause: 'bias handling', detail: 'b_hn was merged into the input bias; in a reset-after GRU it must stay inside r ⊙ (…)' }, net: merged });
    out.push({ alt: { cause: 'reset placement', detail: cell.resetAfter ? 'the framework resets before the recurrent matmul (Cho 2014, linear_before_reset=0)' : 'the framework resets after the recurrent matmul (PyTorch, linear_before_reset=1)' }, net: { ...net, cell: { ...cell, resetAfter: !cell.resetAfter } } });
  }
  if (cell.family === 'lstm' && cell.projSize === 0) {
    for (const coupling of ['none', 'keep-input', 'keep-forget'] as const) {
      if (coupling === cell.coupling) continue;
      const what = coupling === 'none' ? 'independent input and forget gates (no coupling)' : coupling === 'keep-input' ? 'coupled gates keeping i, f = 1 − i (ONNX Runtime input_forget=1)' : 'coupled gates keeping f, i = 1 − f (the classic CIFG)';
      out.push({ alt: { cause: 'coupled-gate convention', detail: `the framework uses ${what}` }, net: { ...net, cell: { ...cell, coupling } } });
    }
    if (cell.peephole) {
      const swap = (w: DirectionWeights): DirectionWeights => ({ ...w, P: w.P ? permuteBlocks(w.P, [0, 2, 1]) : w.P });
      out.push({ alt: { cause: 'peephole order', detail: 'P is stored p_i,p_o,p_f (ONNX) but was read as p_i,p_f,p_o' }, net: mapDirections(net, swap) });
    }
  }
  if (cell.family === 'rnn') {
    const other = cell.nonlinearity === 'tanh' ? 'relu' : 'tanh';
    out.push({ alt: { cause: 'activation', detail: `the RNN uses ${other}, not ${cell.nonlinearity}` }, net: { ...net, cell: { ...cell, nonlinearity: other } } });
  }
  return out;
}

/**
 * `networkFor` yields the network for another candidate cell of an ambiguous file (each candidate is tried;
 * the report names the one that fits).
 */
export function goldenCheck(model: LoadedModel, refDoc: unknown, refLabel: string, networkFor?: (cell: CellName) => Network): GoldenReport {
  const candidates = model.network ? [{ cell: model.cell!, net: model.network }] : model.candidates.map((c) => ({ cell: c, net: networkFor ? networkFor(c) : undefined }));
  const usable = candidates.filter((c): c is { cell: CellName; net: Network } => !!c.net);
  if (usable.length === 0) throw UnrollError.of('{0} is ambiguous ({1}); choose a cell before a golden check', model.label, model.candidates.join(' or '));
  const ref = parseReference(refDoc, usable[0].net, refLabel);
  const runs = usable.map((c) => ({ ...c, result: compare(c.net, ref) }));
  runs.sort((a, b) => a.result.worst - b.result.worst);
  const best = runs[0];
  const passed = best.result.missing.length === 0 && best.result.tensors.every((t) => t.ok);
  const report: GoldenReport = {
    model: `${model.label} (${best.cell})`,
    reference: refLabel,
    tolerance: ref.tolerance,
    passed,
    tensors: best.result.tensors,
    missing: best.result.missing,
  };
  if (runs.length > 1) {
    report.diagnosis = {
      likelyCause: passed ? `the file is ambiguous; the reference fits ${best.cell}` : null,
      alternatives: runs.map((r) => ({ cause: 'cell', detail: `read as ${r.cell}`, maxScaledErr: r.result.worst, fits: r.result.tensors.every((t) => t.ok) && r.result.missing.length === 0 })),
    };
  }
  if (passed) return report;
  const tried: Alternative[] = alternatives(best.net).map(({ alt, net }) => {
    let worst = Infinity;
    try {
      const r = compare(net, ref);
      worst = r.worst;
    } catch {
      // an alternative that cannot run is simply not the answer
    }
    return { ...alt, maxScaledErr: worst, fits: worst <= ref.tolerance };
  });
  tried.sort((a, b) => a.maxScaledErr - b.maxScaledErr);
  const fit = tried.find((t) => t.fits);
  report.diagnosis = {
    likelyCause: fit ? `${fit.cause}: ${fit.detail}` : null,
    alternatives: [...(report.diagnosis?.alternatives ?? []), ...tried.slice(0, 8)],
  };
  return report;
}
