/** The model view's strings, localised with vscode.l10n (English source text; zh-cn in l10n/). */
import * as vscode from 'vscode';
import type { ModelViewStrings } from './summaryHtml';

export function modelViewStrings(): ModelViewStrings {
  const t = vscode.l10n.t;
  return {
    title: t('Recurrent model'),
    format: t('Format'),
    cell: t('Cell'),
    undecided: t('Not decided by the file'),
    convention: t('Weight convention'),
    gateOrder: t('Gate order in the file'),
    inputSize: t('Input size'),
    hiddenSize: t('Hidden size'),
    projection: t('Projection'),
    none: t('none'),
    layers: t('Layers'),
    directions: t('Directions'),
    bidirectional: t('bidirectional'),
    forward: t('forward only'),
    parameters: t('Parameters'),
    decoder: t('Decoder'),
    vocabulary: t('Vocabulary'),
    tokens: t('tokens'),
    embedding: t('Input embedding'),
    embeddingFolded: t('folded into the first layer: inputs are one-hot tokens'),
    ambiguous: t('What the file cannot say'),
    warnings: t('Warnings'),
    onnxGraph: t('ONNX graph'),
    initialState: t('Initial state'),
    initialStateInputs: t('graph inputs'),
    initialStateInside: t('built inside the graph (zeros unless fixed)'),
    visualize: t('Visualize with this model'),
    chooseCell: t('Choose the cell…'),
    couldNotRead: t('Unroll cannot show this model:'),
    cellNames: {
      rnn_tanh: t('RNN, tanh'),
      rnn_relu: t('RNN, ReLU'),
      lstm: t('LSTM'),
      lstm_proj: t('LSTM with projection'),
      lstm_peephole: t('Peephole LSTM'),
      lstm_cifg: t('LSTM, coupled input-forget gate (CIFG)'),
      lstm_cifg_peephole: t('Peephole LSTM, coupled input-forget gate'),
      gru: t('GRU, reset after the recurrent product (PyTorch)'),
      gru_cho: t('GRU, reset before the recurrent product (Cho 2014)'),
    },
    decidedBy: {
      file: t('from the file'),
      sidecar: t('from the .unroll.json sidecar'),
      choice: t('your choice'),
      undecided: t('undecided'),
    },
  };
}
