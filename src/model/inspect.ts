/**
 * A model's summary as one plain JSON object: what `node dist/cli.js inspect FILE` prints and what the
 * model view shows. Pure.
 */
import type { CellName } from '../engine/types';
import { type LoadedModel } from './load';

export interface ModelSummary {
  file: string;
  format: 'onnx' | 'safetensors';
  /** The cell when decided; null when the file is ambiguous (see candidates). */
  cell: CellName | null;
  candidates: CellName[];
  decidedBy: LoadedModel['decidedBy'];
  convention: 'pytorch' | 'onnx' | 'keras';
  /** Gate row order inside the stored tensors (null for RNN). */
  gateOrder: string[] | null;
  /** For coupled cells: which gate is computed (keep-input = ONNX Runtime f = 1 − i; keep-forget = i = 1 − f). */
  coupling: 'none' | 'keep-forget' | 'keep-input' | null;
  inputSize: number;
  hiddenSize: number;
  projSize: number;
  outputSize: number;
  numLayers: number;
  bidirectional: boolean;
  numDirections: number;
  hasDecoder: boolean;
  vocabSize: number | null;
  hasVocab: boolean;
  /** An embedding folded into the first layer: inputs are one-hot over its vocabulary. */
  embedding: { name: string; vocabSize: number; dim: number } | null;
  parameterCount: number;
  ambiguities: string[];
  warnings: string[];
  onnx?: {
    producer: string;
    irVersion: number;
    opset: number;
    nodes: { name: string; op: string; attributes: Record<string, unknown> }[];
    decoder: string | null;
    inputName: string;
    /** Graph inputs carrying initial states (null: the graph builds its own, usually zeros). */
    initialStateInputs: { h: string[]; c: string[] };
    fixedInitialState: boolean;
  };
}

function gateOrder(model: LoadedModel): string[] | null {
  const fam = model.cell ?? model.candidates[0];
  if (fam.startsWith('rnn')) return null;
  const lstm = fam.startsWith('lstm');
  if (model.convention === 'onnx') return lstm ? ['i', 'o', 'f', 'c'] : ['z', 'r', 'h'];
  if (model.convention === 'keras') return lstm ? ['i', 'f', 'c', 'o'] : ['z', 'r', 'h'];
  return lstm ? ['i', 'f', 'g', 'o'] : ['r', 'z', 'n'];
}

export function summarizeModel(model: LoadedModel): ModelSummary {
  const D = model.shape.bidirectional ? 2 : 1;
  const summary: ModelSummary = {
    file: model.label,
    format: model.format,
    cell: model.cell ?? null,
    candidates: model.candidates,
    decidedBy: model.decidedBy,
    convention: model.convention,
    gateOrder: gateOrder(model),
    coupling: model.network?.cell.family === 'lstm' ? model.network.cell.coupling : null,
    inputSize: model.shape.inputSize,
    hiddenSize: model.shape.hiddenSize,
    projSize: model.projSize,
    outputSize: model.projSize || model.shape.hiddenSize,
    numLayers: model.shape.numLayers,
    bidirectional: model.shape.bidirectional,
    numDirections: D,
    hasDecoder: model.hasDecoder,
    vocabSize: model.vocabSize || null,
    hasVocab: !!model.vocab,
    embedding: model.embedding ?? null,
    parameterCount: model.parameterCount,
    ambiguities: model.ambiguities,
    warnings: model.warnings,
  };
  if (model.onnx) {
    summary.onnx = {
      producer: model.onnx.producer,
      irVersion: model.onnx.irVersion,
      opset: model.onnx.opset,
      nodes: model.onnx.nodes,
      decoder: model.onnx.decoder ? `${model.onnx.decoder.kind}: ${model.onnx.decoder.nodes.join(', ')}` : null,
      inputName: model.onnx.inputName,
      initialStateInputs: model.onnx.stateInputs,
      fixedInitialState: !!(model.h0 || model.c0),
    };
  }
  return summary;
}
