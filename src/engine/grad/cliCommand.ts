/**
 * `node dist/cli.js grad --spec SPEC.json [--out OUT.json]`: the loss the spec's `grad` object defines,
 * differentiated by BPTT, written as {"grad": {...}} in the fixtures' format. I/O comes in through the
 * CLI context, so this module stays free of `fs`.
 */
import * as path from 'path';
import type { CliCommand } from '../../cli';
import { UnrollError } from '../types';
import { computeGradSpec } from './gradSpec';

export const gradCommand: CliCommand = {
  name: 'grad',
  usage: 'grad --spec SPEC.json [--out OUT.json]',
  options: { spec: 'value', out: 'value' },
  run(ctx) {
    const file = ctx.options.get('spec');
    if (!file) throw new UnrollError('grad needs --spec SPEC.json; usage: grad --spec SPEC.json [--out OUT.json]');
    const doc = ctx.readJson(file, 'spec');
    const grad = computeGradSpec(doc, (w) => ctx.readFile(path.resolve(path.dirname(file), w), 'weights file'));
    ctx.writeResult(JSON.stringify({ grad }));
  },
};
