/** Sequence encoders: editor text → x[0..T) with a source range per step. Pure (no `vscode`). */
export * from './types';
export * from './chars';
export * from './words';
export * from './numbers';
export * from './csv';
export * from './readings';
export * from './limits';
export * from './selection';
export * from './standardize';
