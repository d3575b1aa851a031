/**
 * Unroll's command line: `node dist/cli.js <command> [options]`.
 *
 *   trace --spec SPEC.json [--input X.json] [--out OUT.json]
 *       Run the network a spec describes (any fixture file is a valid spec) and print its outputs in the
 *       shape of a fixture's `expected` (to OUT.json or stdout).
 *
 * Errors are one line on stderr and a non-zero exit (1 = bad input, 2 = internal error); never a stack.
 *
 * Adding a command (other helpers): write `export const myCommand: CliCommand = {...}` in your own module
 * (e.g. src/model/onnx/cliCommands.ts, importing only the types from '../../cli') and add it to
 * COMMANDS below — one import line, one entry. A new network source for `trace` (e.g. `--onnx FILE`) is
 * a TraceSource added to TRACE_SOURCES the same way.
 */
import * as fs from 'fs';
import * as path from 'path';
import { toExpected } from './engine/expected';
import { runNetwork } from './engine/trace';
import { type Network, UnrollError } from './engine/types';
import { matrix, networkFromSpec, parseSpec } from './model/spec';
import { goldenCommand, inspectCommand, modelTraceSource, onnxTraceSource } from './model/cliCommands';
import { gradCommand } from './engine/grad/cliCommand';

export interface CliContext {
  /** option name (without --) → value ('' for flags) */
  options: Map<string, string>;
  /** Read a file named on the command line; a missing/unreadable file is a one-line UnrollError. */
  readFile(file: string, what: string): Uint8Array;
  /** Parse a JSON file; invalid JSON (or NaN/Infinity in it) is a one-line UnrollError. */
  readJson(file: string, what: string): unknown;
  /** Write text to --out when given, else stdout. */
  writeResult(text: string): void;
}

export interface CliCommand {
  name: string;
  /** one usage line, shown by `help` and on a usage error */
  usage: string;
  /** option name → whether it takes a value */
  options: Record<string, 'value' | 'flag'>;
  /** one positional argument (e.g. `inspect FILE`), available as options.get('_') */
  positional?: string;
  run(ctx: CliContext): void | Promise<void>;
}

/** What a `trace` source yields: a network plus, optionally, the input and initial states. */
export interface LoadedRun {
  net: Network;
  x?: Float32Array;
  h0?: Float32Array;
  c0?: Float32Array;
  tokens?: number[];
}

export interface TraceSource {
  /** the option that selects this source, e.g. 'onnx' for --onnx FILE */
  option: string;
  usage: string;
  /** further options this source accepts (e.g. --h0 for --onnx) */
  extraOptions?: Record<string, 'value' | 'flag'>;
  load(ctx: CliContext, value: string): LoadedRun | Promise<LoadedRun>;
}

function readFile(file: string, what: string): Uint8Array {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new UnrollError(`cannot read ${what} ${file}: ${why}`);
  }
}

function readJson(file: string, what: string): unknown {
  const text = new TextDecoder().decode(readFile(file, what));
  try {
    return JSON.parse(text);
  } catch (e) {
    if (/(^|[^"\w])-?(NaN|Infinity)\b/.test(text)) throw new UnrollError(`${what} ${file} contains NaN or Infinity; every value must be a finite number`);
    throw new UnrollError(`${what} ${file} is not valid JSON (${(e as Error).message})`);
  }
}

/** The spec-driven source: --spec SPEC.json (weights.file relative to the spec). */
const specSource: TraceSource = {
  option: 'spec',
  usage: '--spec SPEC.json',
  load(ctx, file) {
    const spec = parseSpec(ctx.readJson(file, 'spec'));
    let weights: { name: string; bytes: Uint8Array } | undefined;
    if (spec.weightsFile) {
      const wpath = path.resolve(path.dirname(file), spec.weightsFile);
      weights = { name: spec.weightsFile, bytes: ctx.readFile(wpath, 'weights file') };
    }
    const net = networkFromSpec(spec, weights);
    return { net, x: spec.x, h0: spec.h0, c0: spec.c0, tokens: spec.tokens };
  },
};

/** Network sources for `trace`; the first whose option is present is used. */
export const TRACE_SOURCES: TraceSource[] = [specSource, onnxTraceSource, modelTraceSource];

const traceCommand: CliCommand = {
  name: 'trace',
  usage: 'trace (--spec SPEC.json | --onnx MODEL.onnx | --model MODEL.onnx/.safetensors) [--input X.json] [--h0 H0.json] [--c0 C0.json] [--out OUT.json]',
  options: { spec: 'value', input: 'value', out: 'value' },
  async run(ctx) {
    const source = TRACE_SOURCES.find((s) => ctx.options.has(s.option));
    if (!source) throw new UnrollError(`trace needs one of ${TRACE_SOURCES.map((s) => s.usage).join(' | ')}`);
    const run = await source.load(ctx, ctx.options.get(source.option)!);
    let x = run.x;
    const tokens = ctx.options.has('input') ? undefined : run.tokens;
    if (ctx.options.has('input')) {
      const file = ctx.options.get('input')!;
      const doc = ctx.readJson(file, 'input');
      const rowsDoc = Array.isArray(doc) ? doc : (doc as { x?: unknown } | null)?.x;
      x = matrix(rowsDoc, `input ${file}`, run.net.shape.inputSize);
    }
    if (!x) throw new UnrollError('no input sequence: give "x" in the spec or --input X.json (T × inputSize)');
    const trace = runNetwork(run.net, x, { h0: run.h0, c0: run.c0 });
    let text: string;
    try {
      text = JSON.stringify(toExpected(trace, tokens));
    } catch (e) {
      if (e instanceof RangeError) throw new UnrollError(`the ${trace.steps}-step result is too large to write as JSON; trace fewer steps`);
      throw e;
    }
    ctx.writeResult(text);
  },
};

const helpCommand: CliCommand = {
  name: 'help',
  usage: 'help',
  options: {},
  run() {
    process.stdout.write(`usage: node dist/cli.js <command>\n${COMMANDS.map((c) => `  ${c.usage}`).join('\n')}\n`);
  },
};

/** The command table. Other modules register here with one entry each. */
export const COMMANDS: CliCommand[] = [traceCommand, inspectCommand, goldenCommand, gradCommand, helpCommand];

function parseOptions(cmd: CliCommand, argv: string[], extra: Record<string, 'value' | 'flag'>): Map<string, string> {
  const known = { ...cmd.options, ...extra };
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--') && cmd.positional && !out.has('_')) {
      out.set('_', a);
      continue;
    }
    if (!a.startsWith('--')) throw new UnrollError(`unexpected argument '${a}'; usage: ${cmd.usage}`);
    const [name, inline] = a.slice(2).split(/=(.*)/s, 2);
    const kind = known[name];
    if (!kind) throw new UnrollError(`unknown option --${name}; usage: ${cmd.usage}`);
    if (out.has(name)) throw new UnrollError(`--${name} given twice`);
    if (kind === 'flag') out.set(name, '');
    else {
      const v = inline ?? argv[++i];
      if (v === undefined || (inline === undefined && v.startsWith('--'))) throw new UnrollError(`--${name} needs a value; usage: ${cmd.usage}`);
      out.set(name, v);
    }
  }
  return out;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const [name, ...rest] = argv;
    const cmd = COMMANDS.find((c) => c.name === name);
    if (!cmd) throw new UnrollError(`${name ? `unknown command '${name}'` : 'no command'}; commands: ${COMMANDS.map((c) => c.name).join(', ')}`);
    const extra: Record<string, 'value' | 'flag'> = {};
    if (cmd === traceCommand) for (const s of TRACE_SOURCES) Object.assign(extra, s.extraOptions, { [s.option]: 'value' });
    const options = parseOptions(cmd, rest, extra);
    const out = options.get('out');
    await cmd.run({
      options,
      readFile,
      readJson,
      writeResult(text) {
        if (out === undefined) process.stdout.write(text + '\n');
        else {
          try {
            fs.writeFileSync(out, text + '\n');
          } catch (e) {
            throw new UnrollError(`cannot write ${out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
          }
        }
      },
    });
    return 0;
  } catch (e) {
    if (e instanceof UnrollError) {
      process.stderr.write(`unroll: ${e.message.replace(/\s*\n\s*/g, ' ')}\n`);
      return 1;
    }
    process.stderr.write(`unroll: internal error: ${String((e as Error)?.message ?? e).replace(/\s*\n\s*/g, ' ')}\n`);
    return 2;
  }
}

if (require.main === module) {
  // A reader that stops early (`| head`) is not an error worth a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    process.stderr.write(`unroll: cannot write the output: ${e.code ?? e.message}\n`);
    process.exit(2);
  });
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
