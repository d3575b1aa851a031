/** Training API in one import (used by scripts/train-default.js and the worker). Pure. */
export { Adam, clipGradNorm, globalNorm } from './adam';
export { CHAR_UNK, CHAR_VOCAB, charCellSpec, encodeCharIds, newCharNetwork, type CharCell } from './charModel';
export { labelCode, pearson } from './codeLabels';
export { interpretUnits, type Interpretation } from './interpret';
export { Prng } from './prng';
export { evaluateNextToken, flattenParams, networkFromParams, paramsFromFlat, runStreamJob, trainNextToken, type StreamJob, type StreamResult, type TrainConfig, type TrainResult } from './trainer';
export { toNamed } from '../grad/tensors';
export { readSafetensors, writeSafetensors } from '../../model/safetensors';
export { networkFromTensors } from '../conventions';
