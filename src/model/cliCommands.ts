/**
 * The models' part of the command line (registered in src/cli.ts):
 *   trace --onnx MODEL.onnx --input X.json [--h0 H0.json] [--c0 C0.json] [--out OUT.json]
 *   trace --model MODEL.(onnx|safetensors) …        (any model file, sidecars honoured)
 *   inspect FILE                                      (one JSON object; or one error line, exit 1)
 *   golden --model FILE --reference REF.json          (max error per tensor + diagnosis)
 * H0/C0 are shaped like a fixture's h0/c0: [numLayers·D][outputSize] (or {"h0": …}).
 */
import * as fs from 'fs';
import type { CliCommand, CliContext, LoadedRun, TraceSource } from '../cli';
import { numDirections, outputSize, UnrollError } from '../engine/types';
import { goldenCheck } from './golden';
import { summarizeModel } from './inspect';
import { loadModel, requireNetwork, type LoadedModel, type ModelIO } from './load';
import { matrix } from './spec';

const fileIO: ModelIO = {
  readSibling(path) {
    try {
      return fs.statSync(path).isFile() ? fs.readFileSync(path) : undefined;
    } catch {
      return undefined;
    }
  },
};

function loadFromCli(ctx: CliContext, file: string): LoadedModel {
  return loadModel(file, ctx.readFile(file, 'model'), fileIO);
}

function stateOption(ctx: CliContext, key: 'h0' | 'c0', width: number, rows: number): Float32Array | undefined {
  const file = ctx.options.get(key);
  if (file === undefined) return undefined;
  const doc = ctx.readJson(file, key);
  const rowsDoc = Array.isArray(doc) ? doc : (doc as Record<string, unknown> | null)?.[key];
  return matrix(rowsDoc, `${key} ${file}`, width, rows);
}

function runFrom(ctx: CliContext, model: LoadedModel): LoadedRun {
  const net = requireNetwork(model);
  const L = net.shape.numLayers * numDirections(net.shape);
  const h0 = stateOption(ctx, 'h0', outputSize(net.cell, net.shape), L) ?? model.h0;
  const c0 = net.cell.family === 'lstm' ? (stateOption(ctx, 'c0', net.shape.hiddenSize, L) ?? model.c0) : undefined;
  if (net.cell.family !== 'lstm' && ctx.options.has('c0')) throw new UnrollError(`--c0 given, but ${model.label} is a ${net.cell.family.toUpperCase()} without a cell state`);
  for (const w of model.warnings) process.stderr.write(`unroll: warning: ${w}\n`);
  return { net, ...(h0 ? { h0 } : {}), ...(c0 ? { c0 } : {}) };
}

export const onnxTraceSource: TraceSource = {
  option: 'onnx',
  usage: '--onnx MODEL.onnx [--h0 H0.json] [--c0 C0.json]',
  extraOptions: { h0: 'value', c0: 'value' },
  load(ctx, file) {
    if (!/\.onnx$/i.test(file)) throw new UnrollError(`--onnx expects a .onnx file (got ${file}); use --model for other formats`);
    return runFrom(ctx, loadFromCli(ctx, file));
  },
};

export const modelTraceSource: TraceSource = {
  option: 'model',
  usage: '--model MODEL.(onnx|safetensors) [--h0 H0.json] [--c0 C0.json]',
  extraOptions: { h0: 'value', c0: 'value' },
  load(ctx, file) {
    return runFrom(ctx, loadFromCli(ctx, file));
  },
};

export const inspectCommand: CliCommand = {
  name: 'inspect',
  usage: 'inspect FILE.(onnx|safetensors)',
  options: {},
  positional: 'FILE',
  run(ctx) {
    const file = ctx.options.get('_');
    if (!file) throw new UnrollError(`usage: ${inspectCommand.usage}`);
    ctx.writeResult(JSON.stringify(summarizeModel(loadFromCli(ctx, file)), null, 2));
  },
};

export const goldenCommand: CliCommand = {
  name: 'golden',
  usage: 'golden --model FILE --reference REF.json [--out OUT.json]',
  options: { model: 'value', reference: 'value', out: 'value' },
  run(ctx) {
    const file = ctx.options.get('model');
    const ref = ctx.options.get('reference');
    if (!file || !ref) throw new UnrollError(`usage: ${goldenCommand.usage}`);
    const bytes = ctx.readFile(file, 'model');
    const model = loadModel(file, bytes, fileIO);
    const report = goldenCheck(model, ctx.readJson(ref, 'reference'), ref, (cell) => requireNetwork(loadModel(file, bytes, fileIO, { cell })));
    ctx.writeResult(JSON.stringify(report, null, 2));
    if (!report.passed) process.exitCode = 3;
  },
};
