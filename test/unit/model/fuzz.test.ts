/**
 * Fuzzing both model parsers (ONNX graph walk, safetensors model detection) through the one load entry:
 * thousands of random and mutated files. Every case must end in a network or ONE clear UnrollError line —
 * never another exception, a hang, or a runaway allocation. Seeded, so a failure names a reproducible case.
 */
import * as assert from 'assert';
import { runNetwork } from '../../../src/engine/trace';
import { UnrollError } from '../../../src/engine/types';
import { loadModel, type ModelIO } from '../../../src/model/load';
import { encodeOnnxModel } from '../../../src/model/onnx/writer';
import { readFixtureFile } from './fixtureHelpers';

const none: ModelIO = { readSibling: () => undefined };

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const int = (r: Rand, n: number) => Math.floor(r() * n);

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function mutate(src: Uint8Array, r: Rand): Uint8Array {
  let b: Uint8Array = src.slice();
  const ops = 1 + int(r, 4);
  for (let k = 0; k < ops; k++) {
    switch (int(r, 7)) {
      case 0: // flip random bytes
        for (let i = 0, n = 1 + int(r, 8); i < n && b.length; i++) b[int(r, b.length)] ^= 1 << int(r, 8);
        break;
      case 1: // truncate
        b = b.slice(0, int(r, b.length + 1));
        break;
      case 2: {
        // delete a span
        const at = int(r, b.length + 1);
        b = concat(b.subarray(0, at), b.subarray(at + int(r, 64)));
        break;
      }
      case 3: {
        // duplicate a span
        const at = int(r, b.length + 1);
        const span = b.subarray(at, at + int(r, 128));
        b = concat(b.subarray(0, at), span, b.subarray(at));
        break;
      }
      case 4: // extreme bytes (huge varints, lengths)
        for (let i = 0, n = 1 + int(r, 4); i < n && b.length; i++) b[int(r, b.length)] = r() < 0.5 ? 0xff : 0x7f;
        break;
      case 5: // random overwrite
        for (let i = 0, at = int(r, b.length + 1), n = int(r, 16); i < n && at + i < b.length; i++) b[at + i] = int(r, 256);
        break;
      default: // append garbage
        b = concat(b, Uint8Array.from({ length: int(r, 32) }, () => int(r, 256)));
    }
  }
  return b;
}

interface Stats {
  cases: number;
  loaded: number;
  errors: number;
  maxMs: number;
  maxArrayBuffers: number;
}

/** One case: load; if it yields a network, run 3 steps. Anything but an UnrollError fails the test. */
function runCase(file: string, bytes: Uint8Array, stats: Stats, where: string): void {
  const t0 = process.hrtime.bigint();
  try {
    const model = loadModel(file, bytes, none);
    if (model.network && model.parameterCount < 50_000) {
      runNetwork(model.network, new Float32Array(3 * model.network.shape.inputSize).fill(0.5), { h0: model.h0, c0: model.c0 });
    }
    stats.loaded++;
  } catch (e) {
    if (!(e instanceof UnrollError)) assert.fail(`${where}: ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
    assert.ok(e.message.length > 0 && !e.message.includes('\n'), `${where}: not one line: ${e.message}`);
    stats.errors++;
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  stats.maxMs = Math.max(stats.maxMs, ms);
  stats.maxArrayBuffers = Math.max(stats.maxArrayBuffers, process.memoryUsage().arrayBuffers);
  stats.cases++;
}

const newStats = (): Stats => ({ cases: 0, loaded: 0, errors: 0, maxMs: 0, maxArrayBuffers: 0 });

function assertBounded(stats: Stats, label: string): void {
  if (process.env.UNROLL_FUZZ_STATS) console.log(label, JSON.stringify(stats));
  // Generous bounds (2 shared cores): a case that hangs or allocates gigabytes breaks them by far.
  assert.ok(stats.maxMs < 2000, `${label}: slowest case took ${stats.maxMs.toFixed(0)} ms`);
  assert.ok(stats.maxArrayBuffers < 512 * 1024 * 1024, `${label}: ${stats.maxArrayBuffers} bytes of array buffers`);
  assert.ok(stats.errors > 0 && stats.loaded > 0, `${label}: the corpus should produce both loads and errors (${stats.loaded}/${stats.errors})`);
}

describe('fuzz: ONNX parser', function () {
  this.timeout(180000);
  const corpus = ['rnn_tanh_i3_h4_t5.onnx', 'lstm_i3_h4_t6_l2_bi.onnx', 'gru_i3_h5_t6_l2_h0.onnx', 'lstm_peephole_i4_h3_t5_bi_h0.onnx', 'lstm_cifg_i3_h5_t6_l2_h0.onnx'].map(readFixtureFile);
  corpus.push(
    encodeOnnxModel({
      nodes: [{ op: 'GRU', name: 'g', inputs: ['X', 'W', 'R', 'B'], outputs: ['Y'], attrs: { hidden_size: 2, linear_before_reset: 1, clip: 3 } },
        { op: 'Squeeze', inputs: ['Y', 'ax'], outputs: ['Ys'] }, { op: 'Gemm', inputs: ['Ys', 'D', 'b'], outputs: ['z'], attrs: { transB: 1 } }],
      initializers: [
        { name: 'W', dims: [1, 6, 2], data: new Array(12).fill(0.1) }, { name: 'R', dims: [1, 6, 2], data: new Array(12).fill(0.2), typed: true },
        { name: 'B', dims: [1, 12], data: new Array(12).fill(0.3) }, { name: 'ax', dims: [2], data: [1, 2], type: 'int64' },
        { name: 'D', dims: [3, 2], data: [1, 2, 3, 4, 5, 6] }, { name: 'b', dims: [3], data: [0, 0, 1] },
      ],
      inputs: [{ name: 'X', dims: [null, 1, 2] }],
      outputs: [{ name: 'z' }],
    }),
  );

  it('4000 mutated fixture graphs', () => {
    const r = prng(1234);
    const stats = newStats();
    for (let k = 0; k < 4000; k++) runCase('m.onnx', mutate(corpus[k % corpus.length], r), stats, `mutated onnx case ${k}`);
    assertBounded(stats, 'mutated onnx');
  });

  it('2000 random byte strings', () => {
    const r = prng(99);
    const stats = newStats();
    for (let k = 0; k < 2000; k++) {
      const bytes = Uint8Array.from({ length: int(r, 2048) }, () => int(r, 256));
      // Half start like a ModelProto (field 1 varint, then a graph) to get past the first byte.
      if (k % 2 && bytes.length > 4) bytes.set([0x08, 0x07, 0x3a, 0x80 | int(r, 128)]);
      runCase('r.onnx', bytes, stats, `random onnx case ${k}`);
    }
    assert.ok(stats.maxMs < 2000 && stats.maxArrayBuffers < 512 * 1024 * 1024);
    assert.strictEqual(stats.errors, stats.cases, 'random bytes never load as a model');
  });
});

describe('fuzz: safetensors model detection', function () {
  this.timeout(180000);
  const corpus = ['rnn_relu_i3_h4_t5', 'lstm_i3_h4_t6_l2_bi', 'gru_cho_i3_h4_t5', 'lstm_proj_i4_h6_p3_t6_h0', 'lstm_peephole_i3_h4_t5', 'char_gru_public'].map((n) => readFixtureFile(`${n}.safetensors`));

  /** Structured header mutations: past the JSON parse, into shapes, names, dtypes and offsets. */
  function mutateHeader(src: Uint8Array, r: Rand): Uint8Array {
    const n = Number(new DataView(src.buffer, src.byteOffset).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(src.subarray(8, 8 + n)));
    const names = Object.keys(header).filter((k) => k !== '__metadata__');
    const name = names[int(r, names.length)];
    const e = header[name];
    switch (int(r, 8)) {
      case 0: e.shape = e.shape.map((d: number) => (r() < 0.5 ? d : int(r, 3) === 0 ? 0 : d + int(r, 5) - 2)); break;
      case 1: e.shape = [...e.shape, 1 + int(r, 3)]; break;
      case 2: e.dtype = ['F16', 'BF16', 'F64', 'I8', 'U8', 'bogus'][int(r, 6)]; break;
      case 3: e.data_offsets = [e.data_offsets[0] + int(r, 64), e.data_offsets[1] + int(r, 64) - 32]; break;
      case 4: header[['weight_ih_l1', 'bias_hh_l0_reverse', 'weight_hr_l0', 'decoder.weight', 'W_l0', 'x.weight_ih_l0', 'lstm/kernel:0', 'recurrent_kernel_l0'][int(r, 8)]] = e; delete header[name]; break;
      case 5: delete header[name]; break;
      case 6: e.shape = [2 ** 40, 2 ** 20]; break;
      default: header[name + '_copy'] = { ...e };
    }
    const json = new TextEncoder().encode(JSON.stringify(header));
    const out = new Uint8Array(8 + json.length + (src.length - 8 - n));
    new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
    out.set(json, 8);
    out.set(src.subarray(8 + n), 8 + json.length);
    return out;
  }

  it('3000 header-level mutations', () => {
    const r = prng(7);
    const stats = newStats();
    for (let k = 0; k < 3000; k++) {
      let bytes = corpus[k % corpus.length];
      for (let m = 0, n = 1 + int(r, 3); m < n; m++) bytes = mutateHeader(bytes, r);
      runCase('m.safetensors', bytes, stats, `header-mutated safetensors case ${k}`);
    }
    assertBounded(stats, 'header-mutated safetensors');
  });

  it('2000 byte-level mutations and random files', () => {
    const r = prng(8);
    const stats = newStats();
    for (let k = 0; k < 2000; k++) {
      const bytes = k % 4 === 3 ? Uint8Array.from({ length: int(r, 1024) }, () => int(r, 256)) : mutate(corpus[k % corpus.length], r);
      runCase('b.safetensors', bytes, stats, `byte-mutated safetensors case ${k}`);
    }
    assertBounded(stats, 'byte-mutated safetensors');
  });
});
