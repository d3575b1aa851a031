/**
 * Turns a launch configuration into a traced program: reads the sequence file (I/O passed in), encodes it
 * the way the visualizer does, builds the network (the same seeded random one as the visualizer for the
 * same settings, or the person's model file) and runs the engine. Pure: no `vscode` import.
 */
import { runNetwork, type Trace } from '../engine/trace';
import { type CellName, type Network, UnrollError } from '../engine/types';
import { msg } from '../l10n/format';
import { DEFAULT_TOKEN_LIMIT, defaultCharVocabulary, encodeChars, makeVocabulary, planReadings, toDense, tokenText, truncateSequence, type EncodedSequence, type InputTarget } from '../input';
import { loadModel, requireNetwork } from '../model/load';
import { DEFAULT_RANDOM_MODEL, TraceSession, validateRandomModel } from '../panel/traceSession';
import { traceSource, type StepSource } from '../expr';

/** The launch arguments; mirrors `configurationAttributes.launch` of the `unroll` debugger in package.json. */
export interface LaunchArgs {
  /** The sequence file (absolute path). */
  program: string;
  /** Text to debug instead of the whole file (Debug Selection), with its document offset. */
  text?: string;
  startOffset?: number;
  /** The editor's current text of the program (Debug Selection of an unsaved or untitled document). */
  documentText?: string;
  /** "random" (seeded random network) or the path of a .onnx / .safetensors model ("builtin" is resolved by the host). */
  model?: string;
  /** How to name the model in messages (the host names the built-in one). */
  modelLabel?: string;
  /** Random model only. */
  cell?: CellName;
  hiddenSize?: number;
  numLayers?: number;
  bidirectional?: boolean;
  seed?: number;
  /** How the text becomes steps: chars (default), words, numbers, csv, or auto. */
  encoding?: 'auto' | 'chars' | 'words' | 'numbers' | 'csv';
  /** Stop at step 0 instead of running to the first breakpoint. */
  stopOnEntry?: boolean;
}

export interface FileIO {
  /** The file's bytes, or throws (ENOENT etc.); the caller turns errors into one line. */
  readFile(path: string): Uint8Array;
}

export interface Program {
  path: string;
  /** The whole file text (token offsets index it). */
  fileText: string;
  seq: EncodedSequence;
  network: Network;
  trace: Trace;
  x: Float32Array;
  tokens: string[];
  source: StepSource;
  /** One line: "42 characters → LSTM (hidden 16, seeded random, seed 42)". */
  description: string;
}

const MAX_FILE_BYTES = 16 * 1024 * 1024;
/** Steps the debugger traces (the visualizer's default token limit). */
export const MAX_DEBUG_STEPS = DEFAULT_TOKEN_LIMIT;

function baseName(p: string): string {
  return p.split(/[\\/]/).pop() ?? p;
}

function readText(io: FileIO, path: string, what: 'program' | 'model'): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = io.readFile(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === 'ENOENT' ? msg('the file does not exist') : code === 'EISDIR' ? msg('it is a folder, not a file') : code === 'EACCES' ? msg('permission denied') : String((e as Error).message ?? e);
    throw what === 'program' ? UnrollError.of('cannot read the program {0}: {1}', path, why) : UnrollError.of('cannot read the model {0}: {1}', path, why);
  }
  return bytes;
}

function decodeProgram(bytes: Uint8Array, path: string): string {
  if (bytes.length > MAX_FILE_BYTES) throw UnrollError.of('{0} is {1} MB; a sequence file may be at most 16 MB — debug a selection of it instead', baseName(path), (bytes.length / 1048576).toFixed(1));
  if (bytes.subarray(0, 8192).includes(0)) throw UnrollError.of('{0} is not a text file (it contains NUL bytes); the program must be a text sequence: characters, words, numbers or CSV', baseName(path));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw UnrollError.of('{0} is not valid UTF-8 text; save it as UTF-8', baseName(path));
  }
}

function encode(text: string, base: number, enc: NonNullable<LaunchArgs['encoding']>, target: InputTarget): EncodedSequence {
  if (enc === 'chars' && target.kind !== 'dense') {
    return encodeChars(text, target.kind === 'vocab' ? target.vocab : target.charVocab, { baseOffset: base });
  }
  const plan = planReadings(text, target, { baseOffset: base });
  const wanted = enc === 'auto' ? plan.fitting[0] : plan.fitting.find((r) => r.id === enc || (enc === 'csv' && r.id.startsWith('csv')));
  if (!wanted) {
    const alt = plan.fitting.map((r) => r.id).join(', ');
    if (plan.problem) throw new UnrollError(plan.problem);
    throw alt ? UnrollError.of('the program cannot be read as "{0}"; it can be read as: {1} (set "encoding")', enc, alt) : UnrollError.of('the program cannot be read as "{0}"', enc);
  }
  return wanted.encode();
}

/** Runs the engine: in this thread by default; the VS Code glue passes one that uses the worker for big runs. */
export type TraceRunner = (network: Network, x: Float32Array) => Trace | Promise<Trace>;

export const runHere: TraceRunner = (network, x) => runNetwork(network, x);

/** Read, encode, build and trace. Rejects with an UnrollError of one actionable line. */
export async function prepareProgram(args: LaunchArgs, io: FileIO, run: TraceRunner = runHere): Promise<Program> {
  if (typeof args.program !== 'string' || args.program.trim() === '') {
    throw UnrollError.of('the launch configuration has no "program": set it to the sequence file, e.g. "${file}"');
  }
  const fileText = typeof args.documentText === 'string' ? args.documentText : decodeProgram(readText(io, args.program, 'program'), args.program);
  if (fileText.length > MAX_FILE_BYTES) throw UnrollError.of('{0} is too large to debug (more than 16 MB); debug a selection of it instead', baseName(args.program));
  const text = args.text ?? fileText;
  const base = args.text !== undefined ? args.startOffset ?? 0 : 0;
  if (!Number.isInteger(base) || base < 0 || base + text.length > fileText.length) throw UnrollError.of('"startOffset" and "text" do not fit inside the program file');
  if (text.length === 0) throw UnrollError.of('{0} is empty: there is no sequence to step through', baseName(args.program));
  const enc = args.encoding ?? 'chars';
  if (!['auto', 'chars', 'words', 'numbers', 'csv'].includes(enc)) throw UnrollError.of('"encoding" must be one of auto, chars, words, numbers, csv (got {0})', JSON.stringify(enc));

  let network: Network;
  let seq: EncodedSequence;
  let modelWords: string;
  if (args.model && args.model !== 'random') {
    const bytes = readText(io, args.model, 'model');
    const model = loadModel(args.model, bytes, { readSibling: (p) => { try { return io.readFile(p); } catch { return undefined; } } }, args.cell ? { cell: args.cell } : {});
    network = requireNetwork(model);
    const target: InputTarget = model.vocab
      ? { kind: 'vocab', vocab: makeVocabulary(model.vocab.vocab, model.vocab.unkId, 'char'), modelName: model.label }
      : { kind: 'dense', inputSize: network.shape.inputSize, modelName: model.label };
    seq = encode(text, base, enc === 'chars' && !model.vocab ? 'auto' : enc, target);
    if (seq.inputSize !== network.shape.inputSize) {
      throw UnrollError.of('{0} reads {1} values per step, but the program gives {2} ({3})', model.label, network.shape.inputSize, seq.inputSize, seq.description);
    }
    modelWords = typeof args.modelLabel === 'string' && args.modelLabel ? args.modelLabel : model.label;
  } else {
    const settings = validateRandomModel({
      ...DEFAULT_RANDOM_MODEL,
      ...(args.cell !== undefined ? { cell: args.cell } : {}),
      ...(args.hiddenSize !== undefined ? { hiddenSize: args.hiddenSize } : {}),
      ...(args.numLayers !== undefined ? { numLayers: args.numLayers } : {}),
      ...(args.bidirectional !== undefined ? { bidirectional: args.bidirectional } : {}),
      ...(args.seed !== undefined ? { seed: args.seed } : {}),
    });
    seq = encode(text, base, enc, { kind: 'default', charVocab: defaultCharVocabulary(), hashedDim: 32, seed: settings.seed });
    network = TraceSession.network(seq, settings);
    modelWords = `${settings.cell}, hidden ${settings.hiddenSize}${settings.numLayers > 1 ? `, ${settings.numLayers} layers` : ''}${settings.bidirectional ? ', bidirectional' : ''}, seeded random (seed ${settings.seed})`;
  }
  if (seq.steps === 0) throw UnrollError.of('{0} has no steps to run ({1})', baseName(args.program), seq.description);
  // The inline adapter runs in the extension host: keep the synchronous trace bounded.
  let truncation = '';
  if (seq.steps > MAX_DEBUG_STEPS) {
    truncation = `; only the first ${MAX_DEBUG_STEPS.toLocaleString('en-US')} of ${seq.steps.toLocaleString('en-US')} steps are run — use Debug Selection for a later part`;
    seq = truncateSequence(seq, MAX_DEBUG_STEPS);
  }
  const x = toDense(seq);
  const trace = await run(network, x);
  const tokens = Array.from({ length: seq.steps }, (_, t) => tokenText(seq, t));
  const source = traceSource(trace, { x, tokenAt: (t) => tokens[t] });
  return { path: args.program, fileText, seq, network, trace, x, tokens, source, description: `${seq.steps} steps (${seq.description}) → ${modelWords}${truncation}` };
}
