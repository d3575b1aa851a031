// WAT for the Trace's 8-bit store, part of kernel.wasm (see kernel.wat.js). Exactly the semantics of
// src/engine/quantize.ts, so it is a drop-in: codes are computed in float64 (f64x2) as
// nearest((v − lo)·scale) — round half to even, exactly what the JS store's Uint8ClampedArray does
// (σ(0) = 0.5 → 127.5 is a tie) — clamped to 0..255 by saturating narrows, NaN → 0; ranges ignore NaN
// the way `v < lo` does. Byte offsets throughout.
'use strict';

/** range_rows(src, rows, width, stride, out): out[0] = min, out[1] = max over rows (NaN ignored, ±inf kept). */
const RANGE = `(func $range_rows (export "range_rows") (param $src i32) (param $rows i32) (param $width i32) (param $stride i32) (param $out i32)
  (local $r i32) (local $j i32) (local $p i32) (local $lo v128) (local $hi v128) (local $v v128) (local $slo f32) (local $shi f32) (local $s f32)
  (local.set $lo (v128.const f32x4 inf inf inf inf)) (local.set $hi (v128.const f32x4 -inf -inf -inf -inf))
  (local.set $slo (f32.const inf)) (local.set $shi (f32.const -inf))
  (block $rd (loop $rl
    (br_if $rd (i32.ge_s (local.get $r) (local.get $rows)))
    (local.set $p (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $stride))))
    (local.set $j (i32.const 0))
    (block $vd (loop $vl
      (br_if $vd (i32.gt_s (i32.add (local.get $j) (i32.const 4)) (local.get $width)))
      (local.set $v (v128.load (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 2)))))
      ;; pmin(acc, v) = v < acc ? v : acc — a NaN v never replaces the accumulator, as in JS
      (local.set $lo (f32x4.pmin (local.get $v) (local.get $lo)))
      (local.set $hi (f32x4.pmax (local.get $v) (local.get $hi)))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $vl)))
    (block $sd (loop $sl
      (br_if $sd (i32.ge_s (local.get $j) (local.get $width)))
      (local.set $s (f32.load (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 2)))))
      (if (f32.lt (local.get $s) (local.get $slo)) (then (local.set $slo (local.get $s))))
      (if (f32.gt (local.get $s) (local.get $shi)) (then (local.set $shi (local.get $s))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $sl)))
    (local.set $r (i32.add (local.get $r) (i32.const 1)))
    (br $rl)))
  (f32.store (local.get $out) (f32.min (local.get $slo) (f32.min (f32.min (f32x4.extract_lane 0 (local.get $lo)) (f32x4.extract_lane 1 (local.get $lo))) (f32.min (f32x4.extract_lane 2 (local.get $lo)) (f32x4.extract_lane 3 (local.get $lo))))))
  (f32.store offset=4 (local.get $out) (f32.max (local.get $shi) (f32.max (f32.max (f32x4.extract_lane 0 (local.get $hi)) (f32x4.extract_lane 1 (local.get $hi))) (f32.max (f32x4.extract_lane 2 (local.get $hi)) (f32x4.extract_lane 3 (local.get $hi)))))))`;

// y = (v − lo)·scale, NaN and y < 0 → 0, y > 255 (±inf too) → 255, then rounded half to even by adding
// 1.5·2^52 (see ROUND_MAGIC in kernel.wat.js): the low 32 bits of each float64 lane are the code.
const code = (x) => `(f64x2.add (f64x2.pmin (f64x2.pmax (v128.const f64x2 0 0) (f64x2.mul (f64x2.sub ${x} (local.get $lov)) (local.get $scv))) (v128.const f64x2 255 255)) (v128.const f64x2 6755399441055744 6755399441055744))`;

/** quantize_rows(src, rows, width, stride, lo, scale, dst): dst[r·width + j] = code of src row r, column j. */
const QUANTIZE = `(func $quantize_rows (export "quantize_rows") (param $src i32) (param $rows i32) (param $width i32) (param $stride i32) (param $lo f64) (param $scale f64) (param $dst i32)
  (local $r i32) (local $j i32) (local $p i32) (local $o i32) (local $v v128) (local $lov v128) (local $scv v128) (local $q v128) (local $qs f64) (local $qi i32)
  (local.set $lov (f64x2.splat (local.get $lo))) (local.set $scv (f64x2.splat (local.get $scale)))
  (block $rd (loop $rl
    (br_if $rd (i32.ge_s (local.get $r) (local.get $rows)))
    (local.set $p (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $stride))))
    (local.set $o (i32.add (local.get $dst) (i32.mul (local.get $r) (local.get $width))))
    (local.set $j (i32.const 0))
    (block $vd (loop $vl
      (br_if $vd (i32.gt_s (i32.add (local.get $j) (i32.const 4)) (local.get $width)))
      (local.set $v (v128.load (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 2)))))
      ;; lanes 0,1 and 2,3 in float64; NaN and negatives → 0, > 255 → 255 through the saturating narrows
      (local.set $q (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
        ${code('(f64x2.promote_low_f32x4 (local.get $v))')}
        ${code('(f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))')}))
      (local.set $q (i8x16.narrow_i16x8_u (i16x8.narrow_i32x4_s (local.get $q) (local.get $q)) (v128.const i32x4 0 0 0 0)))
      (v128.store32_lane offset=0 0 (i32.add (local.get $o) (local.get $j)) (local.get $q))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $vl)))
    (block $sd (loop $sl
      (br_if $sd (i32.ge_s (local.get $j) (local.get $width)))
      (local.set $qs (f64.nearest (f64.mul (f64.sub (f64.promote_f32 (f32.load (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 2))))) (local.get $lo)) (local.get $scale))))
      (local.set $qi (i32.trunc_sat_f64_s (local.get $qs)))
      (local.set $qi (select (i32.const 255) (select (local.get $qi) (i32.const 0) (i32.gt_s (local.get $qi) (i32.const 0))) (i32.ge_s (local.get $qi) (i32.const 255))))
      (i32.store8 (i32.add (local.get $o) (local.get $j)) (local.get $qi))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $sl)))
    (local.set $r (i32.add (local.get $r) (i32.const 1)))
    (br $rl))))`;

module.exports = { QUANTIZE_WAT: `${RANGE}\n${QUANTIZE}` };
