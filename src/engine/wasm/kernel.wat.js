// Source of the WebAssembly SIMD kernel: emits WAT text, assembled by scripts/build-wasm.js with the
// npm `wabt` package. A generator (not a hand-written .wat) because the hot loops are unrolled per cell
// family (accumulator counts differ) and the gate math is inlined: V8 does not inline wasm calls.
//
// Layout (all pointers are byte offsets into the one shared memory, all vectors f32x4 = 4 units):
// - Weights are packed in "unit blocks" of 4 units. A block of a matrix with V gate row-groups is
//   [K][V][4] floats: for every input column k, the V gates' rows of the block's 4 units. One pass over
//   k streams the panel contiguously and leaves the block's gate pre-activations in V registers.
// - xw (input projection + bias for all steps of a chunk) has the same [block][V][4] order per row.
// - Records use padded rows: gates [G][Hp], c [Hp], m [Hp], h [Op] (Hp, Op multiples of 4); a stride of
//   0 makes every step write the same scratch row (tracing off).
// Keep DESC in sync with src/engine/wasm/wasmKernel.ts (the fixture tests fail at once if not).
'use strict';

const { QUANTIZE_WAT } = require('./quantize.wat.js');

const DESC = [
  'R', 'K', 'b0', 'b1', 'xw', 'xwStride', 'steps', 'reverse', 'hA', 'hB', 'c',
  'gRec', 'gStride', 'cRec', 'cStride', 'mRec', 'mStride', 'hRec', 'hStride',
  'peep', 'flags', 'clip', 'Hp', 'aux', 'buf', 'pb0', 'pb1', 'Kaux', 'barrier', 'threads', 'zbuf', 'hOut',
  'qRec', 'qSlot',
];
const F = Object.fromEntries(DESC.map((n, i) => [n, i * 4]));

const v4 = (x) => `(v128.const f32x4 ${x} ${x} ${x} ${x})`;
const g = (n) => `(local.get $${n})`;
const set = (n, e) => `(local.set $${n} ${e})`;
const add = (a, b) => `(f32x4.add ${a} ${b})`;
const sub = (a, b) => `(f32x4.sub ${a} ${b})`;
const mul = (a, b) => `(f32x4.mul ${a} ${b})`;
const ld = (addr, off = 0) => `(v128.load${off ? ` offset=${off}` : ''} ${addr})`;
const st = (addr, v, off = 0) => `(v128.store${off ? ` offset=${off}` : ''} ${addr} ${v})`;
const iadd = (a, b) => `(i32.add ${a} ${b})`;
const imul = (a, b) => `(i32.mul ${a} ${b})`;
const ic = (n) => `(i32.const ${n})`;

class Fn {
  constructor(name, params, exported = true) {
    this.name = name;
    this.params = params;
    this.exported = exported;
    this.locals = new Map();
    this.body = [];
  }
  i32(...names) { for (const n of names) this.locals.set(n, 'i32'); }
  v(...names) { for (const n of names) this.locals.set(n, 'v128'); }
  emit(...lines) { this.body.push(...lines); }
  text() {
    const ps = this.params.map(([n, t]) => `(param $${n} ${t})`).join(' ');
    const ls = [...this.locals].filter(([n]) => !this.params.some(([p]) => p === n)).map(([n, t]) => `(local $${n} ${t})`).join(' ');
    const ex = this.exported ? ` (export "${this.name}")` : '';
    return `(func $${this.name}${ex} ${ps}\n  ${ls}\n  ${this.body.join('\n  ')})`;
  }
}

/** Load descriptor field `name` of the descriptor at $d into local `name`. */
function field(fn, name, type = 'i32') {
  if (type === 'i32') fn.i32(name); else fn.locals.set(name, type);
  const op = type === 'f32' ? 'f32.load' : 'i32.load';
  fn.emit(set(name, `(${op} offset=${F[name]} (local.get $d))`));
}

/**
 * exp(x) for f32x4 (Cephes expf): clamp to [-87, 88] so 2^n stays a normal float (no overflow to inf,
 * no denormal scale), n = round(x·log2 e), r = x − n·ln 2 in two parts, degree-6 polynomial, scale by 2^n.
 */
function expInto(fn, dst, src) {
  fn.v('ex_x', 'ex_n', 'ex_r', 'ex_p');
  fn.emit(
    set('ex_x', `(f32x4.max (f32x4.min ${src} ${v4(88)}) ${v4(-87)})`),
    set('ex_n', `(f32x4.nearest ${mul(g('ex_x'), v4(1.44269504088896341))})`),
    set('ex_r', sub(sub(g('ex_x'), mul(g('ex_n'), v4(0.693359375))), mul(g('ex_n'), v4(-2.12194440e-4)))),
    set('ex_p', add(mul(v4(1.9875691500e-4), g('ex_r')), v4(1.3981999507e-3))),
    set('ex_p', add(mul(g('ex_p'), g('ex_r')), v4(8.3334519073e-3))),
    set('ex_p', add(mul(g('ex_p'), g('ex_r')), v4(4.1665795894e-2))),
    set('ex_p', add(mul(g('ex_p'), g('ex_r')), v4(1.6666665459e-1))),
    set('ex_p', add(mul(g('ex_p'), g('ex_r')), v4(5.0000001201e-1))),
    set('ex_p', add(add(mul(mul(g('ex_p'), g('ex_r')), g('ex_r')), g('ex_r')), v4(1))),
    set(dst, mul(g('ex_p'), `(i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s ${g('ex_n')}) (v128.const i32x4 127 127 127 127)) (i32.const 23))`)),
  );
}

/** σ(a) = 1 / (1 + e^−a); saturates cleanly because exp is clamped. */
function sigmoidInto(fn, dst, src) {
  fn.v('act_e');
  expInto(fn, 'act_e', `(f32x4.neg ${src})`);
  fn.emit(set(dst, `(f32x4.div ${v4(1)} ${add(v4(1), g('act_e'))})`));
}

/** tanh(a) = 1 − 2 / (e^2a + 1). */
function tanhInto(fn, dst, src) {
  fn.v('act_e');
  expInto(fn, 'act_e', add(src, src));
  fn.emit(set(dst, sub(v4(1), `(f32x4.div ${v4(2)} ${add(g('act_e'), v4(1))})`)));
}

/**
 * Fused 8-bit store (flags bit 32): the Trace's codes of a fixed-range value, made while it is still in a
 * register — exactly quantize.ts's nearest((v − lo)·255/(hi − lo)) in float64 (ties to even, NaN → 0,
 * clamped by the saturating narrows), for [0, 1] (σ gates) or [−1, 1] (tanh values). The 4 codes of the
 * block go to code slot `slot`: rows of Hp bytes, row = chunk-local position, slots qSlot bytes apart.
 */
const F64 = (x) => `(v128.const f64x2 ${x} ${x})`;
/**
 * Round-to-integer by adding 1.5·2^52: for 0 ≤ y < 2^51 the sum lies where float64's ulp is 1, so the
 * add itself rounds y half to even (wasm fixes the rounding mode) and the low 32 bits of the sum are that
 * integer. One add instead of nearest + the multi-instruction trunc_sat; bit-identical (tested).
 */
const ROUND_MAGIC = 6755399441055744;
function codesOf(fn, slot, value, signed) {
  fn.v('q_v', 'q_q');
  const half = (lanes) => {
    const d = `(f64x2.promote_low_f32x4 ${lanes})`;
    const shifted = signed ? `(f64x2.sub ${d} ${F64(-1)})` : d; // v − 0 is v, even for −0 and NaN
    // pmax(0, y) = 0 < y ? y : 0 sends NaN (and −0) to 0; σ / tanh values never exceed the top code
    return `(f64x2.add (f64x2.pmax ${F64(0)} (f64x2.mul ${shifted} ${F64(signed ? 127.5 : 255)})) ${F64(ROUND_MAGIC)})`;
  };
  fn.emit(
    set('q_v', value),
    // the low 32 bits of each float64 lane: the 4 codes as i32x4
    set('q_q', `(i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 ${half(g('q_v'))} ${half(`(i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 ${g('q_v')} ${g('q_v')})`)})`),
    set('q_q', `(i8x16.narrow_i16x8_u (i16x8.narrow_i32x4_s ${g('q_q')} ${g('q_q')}) (v128.const i32x4 0 0 0 0))`),
    `(v128.store32_lane 0 ${iadd(iadd(g('qrow'), imul(g('qSlot'), ic(slot))), imul(g('b'), ic(4)))} ${g('q_q')})`,
  );
}
/** Emit `body` (which calls codesOf) only when the fused store is on. */
function whenCoding(fn, body) {
  fn.emit(`(if (i32.and ${g('flags')} (i32.const 32)) (then`);
  body();
  fn.emit('))');
}

/**
 * ONNX clip of a pre-activation to [−clip, clip]; clip = +inf when off, so this is always emitted. Read
 * from the descriptor at each use: v128 values live across the matvec loops would spill accumulators.
 */
const clipv = `(f32x4.splat (f32.load offset=${F.clip} (local.get $d)))`;
const clipped = (e) => `(f32x4.max (f32x4.min ${e} ${clipv}) (f32x4.neg ${clipv}))`;

/**
 * acc0..acc{V-1} = Σ_k panel[k][j] · x[k] for one block, U columns per iteration. The U products of a
 * gate are summed first and added to its accumulator once, so each loop-carried add chain advances once
 * per U columns while only V accumulators stay live (V8 hoists the weight loads; more accumulators spill
 * to the stack and the spilled chains then run at store-forwarding latency).
 * Uses $p (panel pointer), $xp (x pointer), $k, $kn (K).
 */
function matvecBlock(fn, V, U, panelExpr, xExpr, kExpr) {
  const acc = (j) => `acc${j}`;
  for (let j = 0; j < V; j++) fn.v(acc(j));
  for (let u = 0; u < U; u++) fn.v(`xs${u}`);
  fn.i32('p', 'xp', 'k', 'kn');
  fn.emit(set('p', panelExpr), set('xp', xExpr), set('kn', kExpr), set('k', ic(0)));
  for (let j = 0; j < V; j++) fn.emit(set(acc(j), v4(0)));
  const body = [];
  for (let u = 0; u < U; u++) body.push(set(`xs${u}`, `(v128.load32_splat offset=${u * 4} ${g('xp')})`));
  for (let j = 0; j < V; j++) {
    let sum = mul(ld(g('p'), j * 16), g('xs0'));
    for (let u = 1; u < U; u++) sum = add(sum, mul(ld(g('p'), (u * V + j) * 16), g(`xs${u}`)));
    body.push(set(acc(j), add(g(acc(j)), sum)));
  }
  fn.emit(
    `(block $mvu_end (loop $mvu`,
    `  (br_if $mvu_end (i32.gt_s ${iadd(g('k'), ic(U))} ${g('kn')}))`,
    ...body.map((l) => '  ' + l),
    `  ${set('p', iadd(g('p'), ic(U * V * 16)))} ${set('xp', iadd(g('xp'), ic(U * 4)))} ${set('k', iadd(g('k'), ic(U)))}`,
    `  (br $mvu)))`,
    `(block $mvr_end (loop $mvr`,
    `  (br_if $mvr_end (i32.ge_s ${g('k')} ${g('kn')}))`,
    `  ${set('xs0', `(v128.load32_splat ${g('xp')})`)}`,
    ...Array.from({ length: V }, (_, j) => '  ' + set(acc(j), add(g(acc(j)), mul(ld(g('p'), j * 16), g('xs0'))))),
    `  ${set('p', iadd(g('p'), ic(V * 16)))} ${set('xp', iadd(g('xp'), ic(4)))} ${set('k', iadd(g('k'), ic(1)))}`,
    `  (br $mvr)))`,
  );
  return (j) => g(acc(j));
}

/**
 * out[t][b][j] = bias[b][j] + Σ_k Wp[b][k][j] · x[t][k] for blocks b0..b1 and all T rows: the input
 * projection of a whole chunk as one matrix–matrix product, TT rows at a time so each weight load
 * feeds TT multiply-adds.
 */
function gemm(V) {
  const TT = V >= 3 ? 2 : 4;
  const fn = new Fn(`gemm_v${V}`, [['wp', 'i32'], ['bias', 'i32'], ['x', 'i32'], ['T', 'i32'], ['K', 'i32'], ['out', 'i32'], ['outStride', 'i32'], ['b0', 'i32'], ['b1', 'i32']]);
  fn.i32('b', 't', 'k', 'p', 'panel', 'o', 'rowBytes', 'biasb');
  fn.v('w');
  const acc = (u, j) => `g${u}_${j}`;
  for (let u = 0; u < TT; u++) { fn.i32(`xp${u}`); fn.v(`xs${u}`); for (let j = 0; j < V; j++) fn.v(acc(u, j)); }
  fn.emit(set('rowBytes', imul(g('K'), ic(4))), set('b', g('b0')));
  const tile = (n) => {
    const lines = [];
    for (let u = 0; u < n; u++) {
      lines.push(set(`xp${u}`, iadd(g('x'), imul(iadd(g('t'), ic(u)), g('rowBytes')))));
      for (let j = 0; j < V; j++) lines.push(set(acc(u, j), v4(0)));
    }
    lines.push(set('p', g('panel')), set('k', ic(0)));
    lines.push('(block $kd (loop $kl', `(br_if $kd (i32.ge_s ${g('k')} ${g('K')}))`);
    // one broadcast per row and k (V8 re-issues a splat load at every use, then spills)
    for (let u = 0; u < n; u++) lines.push(set(`xs${u}`, `(v128.load32_splat ${g(`xp${u}`)})`));
    for (let j = 0; j < V; j++) {
      lines.push(set('w', ld(g('p'), j * 16)));
      for (let u = 0; u < n; u++) lines.push(set(acc(u, j), add(g(acc(u, j)), mul(g('w'), g(`xs${u}`)))));
    }
    for (let u = 0; u < n; u++) lines.push(set(`xp${u}`, iadd(g(`xp${u}`), ic(4))));
    lines.push(set('p', iadd(g('p'), ic(V * 16))), set('k', iadd(g('k'), ic(1))), '(br $kl)))');
    for (let u = 0; u < n; u++) {
      lines.push(set('o', iadd(iadd(g('out'), imul(iadd(g('t'), ic(u)), g('outStride'))), imul(g('b'), ic(V * 16)))));
      // bias re-read per store: keeping V bias vectors live across the loop spills accumulators (16 xmm)
      for (let j = 0; j < V; j++) lines.push(st(g('o'), add(g(acc(u, j)), ld(g('biasb'), j * 16)), j * 16));
    }
    return lines;
  };
  fn.emit(
    '(block $bd (loop $bl',
    `(br_if $bd (i32.ge_s ${g('b')} ${g('b1')}))`,
    set('panel', iadd(g('wp'), imul(imul(g('b'), g('K')), ic(V * 16)))),
    set('biasb', iadd(g('bias'), imul(g('b'), ic(V * 16)))),
    set('t', ic(0)),
    '(block $td (loop $tl',
    `(br_if $td (i32.gt_s ${iadd(g('t'), ic(TT))} ${g('T')}))`,
    ...tile(TT),
    set('t', iadd(g('t'), ic(TT))), '(br $tl)))',
    '(block $rd (loop $rl',
    `(br_if $rd (i32.ge_s ${g('t')} ${g('T')}))`,
    ...tile(1),
    set('t', iadd(g('t'), ic(1))), '(br $rl)))',
    set('b', iadd(g('b'), ic(1))), '(br $bl)))',
  );
  return fn;
}

/** Common prologue of a step function: descriptor fields, clip vectors, time loop head. */
function stepPrologue(fn) {
  for (const n of ['R', 'K', 'b0', 'b1', 'xw', 'xwStride', 'steps', 'reverse', 'hA', 'hB', 'c', 'gRec', 'gStride', 'cRec', 'cStride',
    'mRec', 'mStride', 'hRec', 'hStride', 'peep', 'flags', 'Hp', 'aux', 'buf', 'pb0', 'pb1', 'Kaux', 'barrier', 'threads', 'zbuf',
    'qRec', 'qSlot']) field(fn, n);
  fn.i32('s', 'loc', 'xrow', 'b', 'tmp', 'qrow');
  fn.emit(set('s', ic(0)));
  fn.emit('(block $sd (loop $sl', `(br_if $sd (i32.ge_s ${g('s')} ${g('steps')}))`,
    // loc: chunk-local input position of this step (reverse runs walk the chunk backwards)
    set('loc', `(select ${`(i32.sub (i32.sub ${g('steps')} (i32.const 1)) ${g('s')})`} ${g('s')} ${g('reverse')})`),
    set('xrow', iadd(g('xw'), imul(g('loc'), g('xwStride')))),
    set('qrow', iadd(g('qRec'), imul(g('loc'), g('Hp')))));
}

function stepEpilogue(fn) {
  fn.emit(`(call $barrier ${g('barrier')} ${g('threads')})`,
    set('tmp', g('hA')), set('hA', g('hB')), set('hB', g('tmp')),
    set('s', iadd(g('s'), ic(1))), '(br $sl)))',
    `(i32.store offset=${F.hOut} (local.get $d) ${g('hA')})`);
}

/** Loop over this worker's blocks [lo, hi) with $b; body sees $b. */
function forBlocks(fn, lo, hi, body) {
  fn.emit(set('b', g(lo)), '(block $bd (loop $bl', `(br_if $bd (i32.ge_s ${g('b')} ${g(hi)}))`);
  body();
  fn.emit(set('b', iadd(g('b'), ic(1))), '(br $bl)))');
}

const blockOff = (V = 1) => imul(g('b'), ic(V * 16));
const recRow = (rec, stride) => iadd(g(rec), imul(g('loc'), g(stride)));
/** Address of gate j's 4 units of block b in the record row. */
const gateAddr = (j) => iadd(iadd(recRow('gRec', 'gStride'), imul(g('Hp'), ic(j * 4))), blockOff());

/** Projection / Cho second matvec: y[pb] = A[pb] · v over K = Kaux, V = 1 (4 rows per block). */
function projectInto(fn, onBlock) {
  forBlocks(fn, 'pb0', 'pb1', () => {
    const acc = matvecBlock(fn, 1, 4, iadd(g('aux'), imul(imul(g('b'), g('Kaux')), ic(16))), g('buf'), g('Kaux'));
    onBlock(acc(0));
  });
}

function rnnSteps() {
  const fn = new Fn('steps_rnn', [['d', 'i32']]);
  stepPrologue(fn);
  fn.v('a', 'h');
  forBlocks(fn, 'b0', 'b1', () => {
    const acc = matvecBlock(fn, 1, 4, iadd(g('R'), imul(imul(g('b'), g('K')), ic(16))), g('hA'), g('K'));
    fn.emit(set('a', clipped(add(ld(iadd(g('xrow'), blockOff())), acc(0)))));
    fn.emit(`(if (i32.and ${g('flags')} (i32.const 8)) (then ${set('h', `(f32x4.max ${g('a')} ${v4(0)})`)}) (else`);
    tanhInto(fn, 'h', g('a'));
    fn.emit('))');
    fn.emit(st(iadd(g('hB'), blockOff()), g('h')), st(iadd(recRow('hRec', 'hStride'), blockOff()), g('h')));
    whenCoding(fn, () => codesOf(fn, 0, g('h'), true)); // tanh h (a relu h has a data range: not fused)
  });
  stepEpilogue(fn);
  return fn;
}

function lstmSteps() {
  const fn = new Fn('steps_lstm', [['d', 'i32']]);
  stepPrologue(fn);
  fn.v('cp', 'cn', 'gi', 'gf', 'gg', 'go', 'm', 'pre');
  forBlocks(fn, 'b0', 'b1', () => {
    const acc = matvecBlock(fn, 4, 2, iadd(g('R'), imul(imul(g('b'), g('K')), ic(64))), g('hA'), g('K'));
    const xwv = (j) => ld(iadd(g('xrow'), blockOff(4)), j * 16);
    const peep = (j) => ld(iadd(iadd(g('peep'), imul(g('Hp'), ic(j * 4))), blockOff()));
    fn.emit(set('cp', ld(iadd(g('c'), blockOff()))));
    // i_t, f_t with optional peepholes on C_{t-1}; coupling: flags bits 1-2 (1 keep-forget, 2 keep-input)
    fn.emit(set('pre', add(xwv(0), acc(0))), `(if (i32.and ${g('flags')} (i32.const 1)) (then ${set('pre', add(g('pre'), mul(peep(0), g('cp'))))}))`);
    sigmoidInto(fn, 'gi', clipped(g('pre')));
    fn.emit(set('pre', add(xwv(1), acc(1))), `(if (i32.and ${g('flags')} (i32.const 1)) (then ${set('pre', add(g('pre'), mul(peep(1), g('cp'))))}))`);
    sigmoidInto(fn, 'gf', clipped(g('pre')));
    fn.emit(`(if (i32.eq (i32.and ${g('flags')} (i32.const 6)) (i32.const 2)) (then ${set('gi', sub(v4(1), g('gf')))}))`);
    fn.emit(`(if (i32.eq (i32.and ${g('flags')} (i32.const 6)) (i32.const 4)) (then ${set('gf', sub(v4(1), g('gi')))}))`);
    tanhInto(fn, 'gg', clipped(add(xwv(2), acc(2)))); // C̃_t
    fn.emit(set('cn', add(mul(g('gf'), g('cp')), mul(g('gi'), g('gg'))))); // C_t = f ⊙ C_{t-1} + i ⊙ C̃_t
    fn.emit(set('pre', add(xwv(3), acc(3))), `(if (i32.and ${g('flags')} (i32.const 1)) (then ${set('pre', add(g('pre'), mul(peep(2), g('cn'))))}))`);
    sigmoidInto(fn, 'go', clipped(g('pre')));
    tanhInto(fn, 'm', g('cn'));
    fn.emit(set('m', mul(g('go'), g('m')))); // m_t = o ⊙ tanh(C_t)
    fn.emit(st(iadd(g('c'), blockOff()), g('cn')), st(iadd(recRow('cRec', 'cStride'), blockOff()), g('cn')));
    ['gi', 'gf', 'gg', 'go'].forEach((n, j) => fn.emit(st(gateAddr(j), g(n))));
    // slots: i, f, g, o, then m (= h when not projected)
    whenCoding(fn, () => ['gi', 'gf', 'gg', 'go', 'm'].forEach((n, j) => codesOf(fn, j, g(n), j === 2 || j === 4)));
    // flags bit 4: projection; m goes to the projection input buffer, h comes from the second pass
    fn.emit(`(if (i32.and ${g('flags')} (i32.const 16)) (then ${st(iadd(g('buf'), blockOff()), g('m'))} ${st(iadd(recRow('mRec', 'mStride'), blockOff()), g('m'))})`,
      `(else ${st(iadd(g('hB'), blockOff()), g('m'))} ${st(iadd(recRow('hRec', 'hStride'), blockOff()), g('m'))}))`);
  });
  fn.emit(`(if (i32.and ${g('flags')} (i32.const 16)) (then (call $barrier ${g('barrier')} ${g('threads')})`);
  projectInto(fn, (y) => fn.emit(st(iadd(g('hB'), blockOff()), y), st(iadd(recRow('hRec', 'hStride'), blockOff()), y)));
  fn.emit('))');
  stepEpilogue(fn);
  return fn;
}

/** GRU, reset after (PyTorch): n = tanh(W_n x + b_in + r ⊙ (R_n h + b_hn)); aux = b_hn per block. */
function gruSteps() {
  const fn = new Fn('steps_gru', [['d', 'i32']]);
  stepPrologue(fn);
  fn.v('gr', 'gz', 'gn', 'hp', 'h');
  forBlocks(fn, 'b0', 'b1', () => {
    const acc = matvecBlock(fn, 3, 2, iadd(g('R'), imul(imul(g('b'), g('K')), ic(48))), g('hA'), g('K'));
    const xwv = (j) => ld(iadd(g('xrow'), blockOff(3)), j * 16);
    sigmoidInto(fn, 'gr', clipped(add(xwv(0), acc(0))));
    sigmoidInto(fn, 'gz', clipped(add(xwv(1), acc(1))));
    tanhInto(fn, 'gn', clipped(add(xwv(2), mul(g('gr'), add(acc(2), ld(iadd(g('aux'), blockOff())))))));
    fn.emit(set('hp', ld(iadd(g('hA'), blockOff()))));
    fn.emit(set('h', add(mul(sub(v4(1), g('gz')), g('gn')), mul(g('gz'), g('hp'))))); // h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}
    ['gr', 'gz', 'gn'].forEach((n, j) => fn.emit(st(gateAddr(j), g(n))));
    whenCoding(fn, () => ['gr', 'gz', 'gn'].forEach((n, j) => codesOf(fn, j, g(n), j === 2)));
    fn.emit(st(iadd(g('hB'), blockOff()), g('h')), st(iadd(recRow('hRec', 'hStride'), blockOff()), g('h')));
  });
  stepEpilogue(fn);
  return fn;
}

/**
 * GRU, reset before (Cho 2014): n = tanh(W_n x + b_in + R_n (r ⊙ h) + b_hn). Needs all of r ⊙ h before
 * R_n, so two passes: R holds the r,z rows (V = 2), aux the R_n rows (V = 1), buf receives r ⊙ h_{t-1}.
 */
function gruChoSteps() {
  const fn = new Fn('steps_gru_cho', [['d', 'i32']]);
  stepPrologue(fn);
  fn.v('gr', 'gz', 'gn', 'hp', 'h');
  forBlocks(fn, 'b0', 'b1', () => {
    const acc = matvecBlock(fn, 2, 4, iadd(g('R'), imul(imul(g('b'), g('K')), ic(32))), g('hA'), g('K'));
    const xwv = (j) => ld(iadd(g('xrow'), blockOff(3)), j * 16);
    sigmoidInto(fn, 'gr', clipped(add(xwv(0), acc(0))));
    sigmoidInto(fn, 'gz', clipped(add(xwv(1), acc(1))));
    fn.emit(st(iadd(g('zbuf'), blockOff()), g('gz')), st(iadd(g('buf'), blockOff()), mul(g('gr'), ld(iadd(g('hA'), blockOff())))));
    ['gr', 'gz'].forEach((n, j) => fn.emit(st(gateAddr(j), g(n))));
    whenCoding(fn, () => ['gr', 'gz'].forEach((n, j) => codesOf(fn, j, g(n), false)));
  });
  fn.emit(`(call $barrier ${g('barrier')} ${g('threads')})`);
  projectInto(fn, (y) => {
    tanhInto(fn, 'gn', clipped(add(ld(iadd(g('xrow'), blockOff(3)), 32), y)));
    fn.emit(set('gz', ld(iadd(g('zbuf'), blockOff()))), set('hp', ld(iadd(g('hA'), blockOff()))));
    fn.emit(set('h', add(mul(sub(v4(1), g('gz')), g('gn')), mul(g('gz'), g('hp')))));
    fn.emit(st(gateAddr(2), g('gn')), st(iadd(g('hB'), blockOff()), g('h')), st(iadd(recRow('hRec', 'hStride'), blockOff()), g('h')));
    whenCoding(fn, () => codesOf(fn, 2, g('gn'), true));
  });
  stepEpilogue(fn);
  return fn;
}

/**
 * Step barrier for two workers sharing the memory: [count, generation] at $bp. The last to arrive resets
 * the count and bumps the generation; the others spin briefly (a few microseconds: partners normally
 * arrive together), then sleep on a futex so that on a busy machine the spinning thread yields its core
 * to the partner it waits for (with long spins, two threads ran slower than one under load).
 */
const BARRIER = `(func $barrier (param $bp i32) (param $n i32) (local $gen i32) (local $spins i32)
  (if (i32.le_s (local.get $n) (i32.const 1)) (then (return)))
  (local.set $gen (i32.atomic.load offset=4 (local.get $bp)))
  (if (i32.eq (i32.atomic.rmw.add (local.get $bp) (i32.const 1)) (i32.sub (local.get $n) (i32.const 1)))
    (then
      (i32.atomic.store (local.get $bp) (i32.const 0))
      (i32.atomic.store offset=4 (local.get $bp) (i32.add (local.get $gen) (i32.const 1)))
      (drop (memory.atomic.notify offset=4 (local.get $bp) (i32.const 8)))
      (return)))
  (block $done (loop $spin
    (br_if $done (i32.ne (i32.atomic.load offset=4 (local.get $bp)) (local.get $gen)))
    (local.set $spins (i32.add (local.get $spins) (i32.const 1)))
    (if (i32.gt_u (local.get $spins) (i32.const 4000))
      (then (drop (memory.atomic.wait32 offset=4 (local.get $bp) (local.get $gen) (i64.const 10000000)))))
    (br $spin))))`;

/**
 * gather(wp, bias, ids, T, K, V, out, outStride, nb): the input projection of one-hot rows,
 * out[s][b] = Wp[b][ids[s]] + bias[b] (V vectors per block), instead of the GEMM.
 */
const GATHER = `(func $gather (export "gather") (param $wp i32) (param $bias i32) (param $ids i32) (param $T i32) (param $K i32) (param $V i32) (param $out i32) (param $outStride i32) (param $nb i32)
  (local $s i32) (local $b i32) (local $j i32) (local $w i32) (local $bb i32) (local $o i32) (local $vb i32) (local $k i32)
  (local.set $vb (i32.shl (local.get $V) (i32.const 4)))
  (block $sd (loop $sl
    (br_if $sd (i32.ge_s (local.get $s) (local.get $T)))
    (local.set $k (i32.load (i32.add (local.get $ids) (i32.shl (local.get $s) (i32.const 2)))))
    (local.set $o (i32.add (local.get $out) (i32.mul (local.get $s) (local.get $outStride))))
    (local.set $w (i32.add (local.get $wp) (i32.mul (local.get $k) (local.get $vb))))
    (local.set $bb (local.get $bias))
    (local.set $b (i32.const 0))
    (block $bd (loop $bl
      (br_if $bd (i32.ge_s (local.get $b) (local.get $nb)))
      (local.set $j (i32.const 0))
      (block $jd (loop $jl
        (br_if $jd (i32.ge_s (local.get $j) (local.get $vb)))
        (v128.store (i32.add (local.get $o) (local.get $j))
          (f32x4.add (v128.load (i32.add (local.get $w) (local.get $j))) (v128.load (i32.add (local.get $bb) (local.get $j)))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $jl)))
      (local.set $o (i32.add (local.get $o) (local.get $vb)))
      (local.set $bb (i32.add (local.get $bb) (local.get $vb)))
      (local.set $w (i32.add (local.get $w) (i32.mul (local.get $K) (local.get $vb))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bl)))
    (local.set $s (i32.add (local.get $s) (i32.const 1)))
    (br $sl))))`;

function generateWat() {
  const fns = [gemm(1), gemm(3), gemm(4), rnnSteps(), lstmSteps(), gruSteps(), gruChoSteps()];
  return `;; GENERATED by src/engine/wasm/kernel.wat.js — edit the generator, not this text.
(module
(import "env" "memory" (memory 1 65536 shared))
${BARRIER}
${fns.map((f) => f.text()).join('\n')}
${GATHER}
${QUANTIZE_WAT}
)
`;
}

module.exports = { generateWat, DESC, ROUND_MAGIC };
