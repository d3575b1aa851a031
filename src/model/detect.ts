/**
 * Whole safetensors models → what network they hold, from tensor names and shapes alone: naming
 * convention (PyTorch state_dict, Keras, ONNX W/R/B), cell family, layers, directions, projection, biases,
 * decoder. What the file cannot say (tanh vs relu, reset placement, which coupled-gate convention) is
 * returned as several candidate cells plus a sentence per ambiguity — never guessed. The weights are then
 * normalised by the engine's `networkFromTensors` for the cell the person (or a sidecar) chose.
 * Pure: tensors in, description out.
 */
import { type Convention, networkFromTensors } from '../engine/conventions';
import { type CellFamily, type CellName, type CellSpec, type Coupling, type Network, type NetworkShape, UnrollError } from '../engine/types';
import { msg } from '../l10n/format';
import type { NamedTensor, TensorMap } from './safetensors';

export interface ModelDetection {
  convention: Convention;
  family: CellFamily;
  /** Cells consistent with the tensors; one entry = unambiguous. */
  candidates: CellName[];
  shape: NetworkShape;
  projSize: number;
  hasBias: boolean;
  /** Decoder vocabulary size (decoder.weight [V, D·Out]); 0 = none. */
  vocabSize: number;
  /** One sentence per thing the file cannot decide. */
  ambiguities: string[];
  warnings: string[];
  /** Tensors renamed to the names the engine's convention reader expects (decoder → decoder.weight/bias). */
  tensors: TensorMap;
  /** An embedding [V, inputSize] in front of layer 0 (folded into it on load: inputs become one-hot tokens). */
  embedding?: { name: string; table: NamedTensor };
  parameterCount: number;
}

const FAMILY_OF_GATES: Record<number, CellFamily> = { 1: 'rnn', 3: 'gru', 4: 'lstm' };

function family(gateRows: number, H: number, what: string, label: string): CellFamily {
  const G = gateRows / H;
  const fam = Number.isInteger(G) ? FAMILY_OF_GATES[G] : undefined;
  if (!fam) throw UnrollError.of('{0}: {1} has {2} gate rows for hidden size {3}; expected 1× (RNN), 3× (GRU) or 4× (LSTM)', label, what, gateRows, H);
  return fam;
}

const count = (t: NamedTensor | undefined) => (t ? t.data.length : 0);
const shapeOf = (t: NamedTensor | undefined) => (t ? `[${t.shape.join(',')}]` : 'missing');

/** Natural order: "lstm_2" < "lstm_10"; layer order of Keras names follows it. */
function naturalCompare(a: string, b: string): number {
  // Chunk-wise by code unit, digit runs numerically (localeCompare would sort "_" before "/").
  const ca = a.match(/\d+|\D+/g) ?? [];
  const cb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    if (ca[i] === cb[i]) continue;
    const na = /^\d/.test(ca[i]);
    const nb = /^\d/.test(cb[i]);
    if (na && nb) return Number(ca[i]) - Number(cb[i]);
    return ca[i] < cb[i] ? -1 : 1;
  }
  return ca.length - cb.length;
}

export function detectTensors(map: TensorMap, label = 'model.safetensors'): ModelDetection {
  const names = [...map.keys()];
  if (names.some((n) => /(^|\.)weight_ih_l0$/.test(n))) return detectPytorch(map, label);
  if (map.has('W_l0') || (map.has('W') && map.has('R'))) return detectOnnxNamed(map, label);
  if (names.some((n) => /(^|[/._])recurrent_kernel(_l\d+(_reverse)?)?(:0)?$/.test(n))) return detectKeras(map, label);
  throw UnrollError.of(
    '{0}: no recurrent weights recognised; expected PyTorch state_dict names (weight_ih_l0, …), Keras names (kernel, recurrent_kernel, bias) or ONNX names (W_l0, R_l0, B_l0); found {1}',
    label,
    names.slice(0, 8).join(', ') || msg('no tensors'),
  );
}

function candidatesFor(fam: CellFamily, convention: Convention, opts: { peephole?: boolean; proj?: boolean; gruBias?: 'two' | 'one' | 'none' }): { candidates: CellName[]; ambiguities: string[] } {
  if (fam === 'rnn') {
    return { candidates: ['rnn_tanh', 'rnn_relu'], ambiguities: [msg('nonlinearity: an RNN file cannot say tanh or relu; choose one (sidecar {"cell": "rnn_tanh"} or "rnn_relu")')] };
  }
  if (fam === 'gru') {
    if (convention === 'pytorch') return { candidates: ['gru'], ambiguities: [] };
    if (convention === 'keras' && opts.gruBias !== 'none') return { candidates: [opts.gruBias === 'two' ? 'gru' : 'gru_cho'], ambiguities: [] };
    return { candidates: ['gru', 'gru_cho'], ambiguities: [msg('reset placement: the weights cannot say whether the reset gate acts after the recurrent matmul (linear_before_reset=1, PyTorch) or before it (0, Cho 2014)')] };
  }
  if (opts.proj) return { candidates: ['lstm_proj'], ambiguities: [] };
  if (convention === 'onnx') {
    return opts.peephole
      ? { candidates: ['lstm_peephole', 'lstm_cifg_peephole'], ambiguities: [msg('coupled gates: ONNX tensors cannot say whether the LSTM ran with input_forget=1 (CIFG, f = 1 − i)')] }
      : { candidates: ['lstm', 'lstm_cifg'], ambiguities: [msg('coupled gates: ONNX tensors cannot say whether the LSTM ran with input_forget=1 (CIFG, f = 1 − i)')] };
  }
  return { candidates: [opts.peephole ? 'lstm_peephole' : 'lstm'], ambiguities: [] };
}

/** Names of input embeddings: nn.Embedding modules, the PyTorch word-language-model "encoder", GPT-style wte, Keras "embeddings". */
const EMBEDDING_NAME = /embed|^encoder\.weight$|(^|\.)wte(\.weight)?$/i;

/** A single Linear head [V, K] (+ [V]) that reads the recurrent output, renamed to decoder.weight/bias. */
function findLinearHead(map: TensorMap, used: Set<string>, width: number, label: string, warnings: string[]): { weight?: NamedTensor; bias?: NamedTensor } {
  if (map.has('decoder.weight')) return { weight: map.get('decoder.weight'), bias: map.get('decoder.bias') };
  const heads = [...map.keys()].filter((n) => !used.has(n) && /(^|\.)weight$/.test(n) && !EMBEDDING_NAME.test(n) && map.get(n)!.shape.length === 2 && map.get(n)!.shape[1] === width);
  if (heads.length === 1) {
    const bias = heads[0].replace(/weight$/, 'bias');
    // Said out loud: a layer not named "decoder" is taken as the output layer because it is the only fit.
    warnings.push(msg("{0}: '{1}' [{2}] read as the output layer (decoder); rename it decoder.weight if that is right, or remove it", label, heads[0], map.get(heads[0])!.shape.join(',')));
    return { weight: map.get(heads[0]), bias: map.get(bias) };
  }
  if (heads.length > 1) warnings.push(msg('{0}: several linear layers could be the decoder ({1}); none is used — name the output layer decoder.weight/decoder.bias', label, heads.join(', ')));
  return {};
}

function finish(
  det: Omit<ModelDetection, 'tensors' | 'parameterCount' | 'vocabSize' | 'warnings'>,
  map: TensorMap,
  renamed: TensorMap,
  used: Set<string>,
  head: { weight?: NamedTensor; bias?: NamedTensor },
  warnings: string[],
  label: string,
): ModelDetection {
  let vocabSize = 0;
  if (head.weight) {
    vocabSize = head.weight.shape[0];
    renamed.set('decoder.weight', head.weight);
    renamed.set('decoder.bias', head.bias ?? { shape: [vocabSize], data: new Float32Array(vocabSize) });
    for (const [n, t] of map) if (t === head.weight || t === head.bias) used.add(n);
  }
  const embeddings = [...map.keys()].filter((n) => !used.has(n) && EMBEDDING_NAME.test(n) && map.get(n)!.shape.length === 2 && map.get(n)!.shape[1] === det.shape.inputSize);
  let embedding: ModelDetection['embedding'];
  if (embeddings.length === 1) {
    used.add(embeddings[0]);
    embedding = { name: embeddings[0], table: map.get(embeddings[0])! };
  }
  for (const n of map.keys()) if (!used.has(n)) warnings.push(msg("{0}: tensor '{1}' {2} is not part of the recurrent network or its decoder; ignored", label, n, shapeOf(map.get(n))));
  let parameterCount = 0;
  for (const t of renamed.values()) parameterCount += count(t);
  for (const [name, t] of renamed) {
    const bad = t.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) warnings.push(msg("{0}: tensor '{1}' holds {2} at flat index {3}", label, name, t.data[bad], bad));
  }
  if (embedding) parameterCount += embedding.table.data.length;
  return { ...det, vocabSize, warnings, tensors: renamed, parameterCount, ...(embedding ? { embedding } : {}) };
}

function detectPytorch(map: TensorMap, label: string): ModelDetection {
  const anchors = [...map.keys()].filter((n) => /(^|\.)weight_ih_l0$/.test(n));
  if (anchors.length > 1) throw UnrollError.of('{0}: several recurrent modules ({1}); keep only one in the file', label, anchors.map((a) => a.slice(0, -'weight_ih_l0'.length) || '(no prefix)').join(', '));
  const prefix = anchors[0].slice(0, -'weight_ih_l0'.length);
  const get = (n: string) => map.get(prefix + n);
  const wih = get('weight_ih_l0')!;
  const whh = get('weight_hh_l0');
  const whr = get('weight_hr_l0');
  if (wih.shape.length !== 2 || !whh || whh.shape.length !== 2) {
    throw UnrollError.of('{0}: {1}weight_ih_l0 {2} and {1}weight_hh_l0 {3} must both be 2-D', label, prefix, shapeOf(wih), shapeOf(whh));
  }
  if (whr && whr.shape.length !== 2) throw UnrollError.of('{0}: {1}weight_hr_l0 {2} must be 2-D', label, prefix, shapeOf(whr));
  const H = whr ? whr.shape[1] : whh.shape[1];
  const projSize = whr ? whr.shape[0] : 0;
  if (H < 1) throw UnrollError.of('{0}: hidden size 0 in {1}weight_hh_l0 {2}', label, prefix, shapeOf(whh));
  const fam = family(wih.shape[0], H, `${prefix}weight_ih_l0 ${shapeOf(wih)}`, label);
  if (whr && fam !== 'lstm') throw UnrollError.of('{0}: {1}weight_hr_l0 (projection) only exists for an LSTM, but the gates say {2}', label, prefix, fam.toUpperCase());
  let numLayers = 0;
  while (get(`weight_ih_l${numLayers}`)) numLayers++;
  const bidirectional = !!get('weight_ih_l0_reverse');
  const used = new Set<string>();
  const renamed: TensorMap = new Map();
  for (const [n, t] of map) {
    if (n.startsWith(prefix) && /^(weight|bias)_(ih|hh|hr)_l\d+(_reverse)?$|^peephole_l\d+(_reverse)?$/.test(n.slice(prefix.length))) {
      used.add(n);
      renamed.set(n.slice(prefix.length), t);
    }
  }
  const peephole = !!get('peephole_l0');
  const { candidates, ambiguities } = candidatesFor(fam, 'pytorch', { peephole, proj: projSize > 0 });
  const warnings: string[] = [];
  const D = bidirectional ? 2 : 1;
  const head = findLinearHead(map, used, D * (projSize || H), label, warnings);
  return finish(
    { convention: 'pytorch', family: fam, candidates, shape: { inputSize: wih.shape[1], hiddenSize: H, numLayers, bidirectional }, projSize, hasBias: !!get('bias_ih_l0'), ambiguities },
    map, renamed, used, head, warnings, label,
  );
}

function detectOnnxNamed(map: TensorMap, label: string): ModelDetection {
  const plain = !map.has('W_l0');
  const nameOf = (base: string, k: number) => (plain ? base : `${base}_l${k}`);
  const W = map.get(nameOf('W', 0))!;
  const R = map.get(nameOf('R', 0));
  if (W.shape.length !== 3 || !R || R.shape.length !== 3) {
    throw UnrollError.of('{0}: ONNX-named weights need W [D, G·H, In] and R [D, G·H, H]; found W {1}, R {2}', label, shapeOf(W), shapeOf(R));
  }
  const H = R.shape[2];
  const D = W.shape[0];
  if (D !== 1 && D !== 2) throw UnrollError.of('{0}: {1} {2} has {3} directions; expected 1 or 2', label, nameOf('W', 0), shapeOf(W), D);
  if (H < 1) throw UnrollError.of('{0}: hidden size 0 in {1} {2}', label, nameOf('R', 0), shapeOf(R));
  const fam = family(R.shape[1], H, `${nameOf('R', 0)} ${shapeOf(R)}`, label);
  let numLayers = 1;
  if (!plain) while (map.has(`W_l${numLayers}`)) numLayers++;
  const used = new Set<string>();
  const renamed: TensorMap = new Map();
  for (const [n, t] of map) {
    if (/^[WRBP](_l\d+)?$/.test(n)) {
      used.add(n);
      renamed.set(n, t);
    }
  }
  const peephole = map.has(nameOf('P', 0));
  const { candidates, ambiguities } = candidatesFor(fam, 'onnx', { peephole });
  const warnings: string[] = [];
  const head = findLinearHead(map, used, D * H, label, warnings);
  return finish(
    { convention: 'onnx', family: fam, candidates, shape: { inputSize: W.shape[2], hiddenSize: H, numLayers, bidirectional: D === 2 }, projSize: 0, hasBias: map.has(nameOf('B', 0)), ambiguities },
    map, renamed, used, head, warnings, label,
  );
}

/**
 * Keras: engine names kernel_l{k}[_reverse] are used as they are; real Keras paths ("lstm/lstm_cell/kernel:0",
 * "bidirectional/backward_lstm/…") are grouped by the path before kernel / recurrent_kernel / bias, ordered
 * naturally, "backward" paths being the reverse direction.
 */
function detectKeras(map: TensorMap, label: string): ModelDetection {
  const renamed: TensorMap = new Map();
  const used = new Set<string>();
  const ambiguities: string[] = [];
  if ([...map.keys()].some((n) => /^recurrent_kernel_l\d+/.test(n))) {
    for (const [n, t] of map) {
      if (/^(kernel|recurrent_kernel|bias|peephole)_l\d+(_reverse)?$/.test(n)) {
        used.add(n);
        renamed.set(n, t);
      }
    }
  } else {
    const cells = [...map.keys()].filter((n) => /recurrent_kernel(:0)?$/.test(n)).map((n) => n.replace(/recurrent_kernel(:0)?$/, ''));
    const layerKey = (p: string) => p.replace(/(forward|backward)_/g, '');
    const keys = [...new Set(cells.map(layerKey))].sort(naturalCompare);
    for (const p of cells) {
      const k = keys.indexOf(layerKey(p));
      const sfx = `_l${k}${/backward_/.test(p) ? '_reverse' : ''}`;
      for (const base of ['kernel', 'recurrent_kernel', 'bias']) {
        const name = [`${p}${base}`, `${p}${base}:0`].find((n) => map.has(n));
        if (name) {
          used.add(name);
          renamed.set(`${base}${sfx}`, map.get(name)!);
        }
      }
    }
    if (keys.length > 1) ambiguities.push(`layer order: taken from the tensor names in natural order (${keys.join(' → ')})`);
  }
  const K = renamed.get('kernel_l0');
  const RK = renamed.get('recurrent_kernel_l0');
  if (!K || !RK || K.shape.length !== 2 || RK.shape.length !== 2) {
    throw UnrollError.of('{0}: Keras weights need kernel [In, G·H] and recurrent_kernel [H, G·H] for the first layer; found kernel {1}, recurrent_kernel {2}', label, shapeOf(K), shapeOf(RK));
  }
  const H = RK.shape[0];
  if (H < 1) throw UnrollError.of('{0}: hidden size 0 in recurrent_kernel {1}', label, shapeOf(RK));
  const fam = family(RK.shape[1], H, `recurrent_kernel ${shapeOf(RK)}`, label);
  let numLayers = 0;
  while (renamed.has(`kernel_l${numLayers}`)) numLayers++;
  const bidirectional = renamed.has('kernel_l0_reverse');
  const bias = renamed.get('bias_l0');
  const gruBias = !bias ? 'none' : bias.shape.length === 2 ? 'two' : 'one';
  const c = candidatesFor(fam, 'keras', { gruBias, peephole: renamed.has('peephole_l0') });
  const warnings: string[] = [];
  // A Dense layer: a kernel [D·H, V] with no recurrent_kernel beside it.
  const D = bidirectional ? 2 : 1;
  const dense = [...map.keys()].filter((n) => !used.has(n) && /kernel(:0)?$/.test(n) && map.get(n)!.shape.length === 2 && map.get(n)!.shape[0] === D * H);
  let head: { weight?: NamedTensor; bias?: NamedTensor } = {};
  if (dense.length === 1) {
    const k = map.get(dense[0])!;
    const [rows, V] = k.shape;
    const W = new Float32Array(V * rows);
    for (let r = 0; r < rows; r++) for (let v = 0; v < V; v++) W[v * rows + r] = k.data[r * V + v];
    const biasName = dense[0].replace(/kernel(:0)?$/, (m) => m.replace('kernel', 'bias'));
    used.add(dense[0]);
    head = { weight: { shape: [V, rows], data: W }, bias: map.get(biasName) };
    if (map.has(biasName)) used.add(biasName);
  } else if (dense.length > 1) warnings.push(msg('{0}: several Dense layers could be the decoder ({1}); none is used', label, dense.join(', ')));
  return finish(
    { convention: 'keras', family: fam, candidates: c.candidates, shape: { inputSize: K.shape[0], hiddenSize: H, numLayers, bidirectional }, projSize: 0, hasBias: !!bias, ambiguities: [...c.ambiguities, ...ambiguities] },
    map, renamed, used, head, warnings, label,
  );
}

/** The network for one cell the detection allows (a sidecar or the person chose it). */
export function networkFromDetection(det: ModelDetection, cellName: CellName, label: string, opts: { clip?: number; coupling?: Coupling } = {}): Network {
  if (!det.candidates.includes(cellName)) {
    throw UnrollError.of('{0}: cell "{1}" does not fit these weights; they fit {2}', label, cellName, det.candidates.join(' or '));
  }
  const cell = cellSpecOf(cellName, det.projSize, det.convention, opts.clip);
  if (cell.coupling !== 'none' && opts.coupling && opts.coupling !== 'none') cell.coupling = opts.coupling;
  return networkFromTensors({ cell, shape: det.shape }, det.tensors, det.convention, label, true);
}

export function cellSpecOf(name: CellName, projSize: number, convention: Convention, clip?: number): CellSpec {
  const family: CellFamily = name.startsWith('lstm') ? 'lstm' : name.startsWith('gru') ? 'gru' : 'rnn';
  const coupled = name === 'lstm_cifg' || name === 'lstm_cifg_peephole';
  return {
    family,
    nonlinearity: name === 'rnn_relu' ? 'relu' : 'tanh',
    peephole: name === 'lstm_peephole' || name === 'lstm_cifg_peephole',
    // ONNX Runtime's input_forget keeps i; the classic form keeps f.
    coupling: coupled ? (convention === 'onnx' ? 'keep-input' : 'keep-forget') : 'none',
    resetAfter: name !== 'gru_cho',
    projSize: name === 'lstm_proj' ? projSize : 0,
    ...(clip ? { clip } : {}),
  };
}

/** The fixture/spec name of a cell spec (inverse of cellSpecOf up to the coupling side). */
export function cellNameOf(cell: CellSpec): CellName {
  if (cell.family === 'rnn') return cell.nonlinearity === 'relu' ? 'rnn_relu' : 'rnn_tanh';
  if (cell.family === 'gru') return cell.resetAfter ? 'gru' : 'gru_cho';
  if (cell.projSize > 0) return 'lstm_proj';
  const coupled = cell.coupling !== 'none';
  return cell.peephole ? (coupled ? 'lstm_cifg_peephole' : 'lstm_peephole') : coupled ? 'lstm_cifg' : 'lstm';
}
