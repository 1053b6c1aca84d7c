// SIMD traits for wasm32 SIMD128 (4 lanes; no FMA instruction, so fma is a
// multiply then an add). Conventions: see simd-scalar.h (wasm f32x4 min/max
// propagate a NaN from either operand, which satisfies them).
#pragma once

#include <wasm_simd128.h>

#include <cstddef>

namespace sparsecc::ukernel {
namespace {

struct SimdWasm {
  using V = v128_t;
  using M = v128_t;
  static constexpr size_t N = 4;
  static V set1(float v) { return wasm_f32x4_splat(v); }
  static V loadu(const float* p) { return wasm_v128_load(p); }
  static void storeu(float* p, V v) { wasm_v128_store(p, v); }
  // the first n < N lanes (others zero) / store only the first n lanes
  static V load_partial(const float* p, size_t n) {
    float t[N] = {};
    for (size_t i = 0; i < n; ++i) t[i] = p[i];
    return wasm_v128_load(t);
  }
  static void store_partial(float* p, V v, size_t n) {
    float t[N];
    wasm_v128_store(t, v);
    for (size_t i = 0; i < n; ++i) p[i] = t[i];
  }
  static V load_even(const float* p) { return wasm_i32x4_shuffle(loadu(p), loadu(p + 4), 0, 2, 4, 6); }
  // (0 x s, p[0], .., p[n-1], 0..): lanes i in [s, s+n) hold p[i-s], the others zero;
  // reads only those p[i-s] (dwconv: a row's first vector behind its left pad)
  static V load_shifted(const float* p, size_t s, size_t n) {
    float t[N] = {};
    for (size_t i = s; i < N && i - s < n; ++i) t[i] = p[i - s];
    return wasm_v128_load(t);
  }
  // the 8 floats (a, b) split into even[i] = (a,b)[2i] and odd[i] = (a,b)[2i+1] (dwconv stride 2)
  static void deinterleave(V a, V b, float* even, float* odd) {
    storeu(even, wasm_i32x4_shuffle(a, b, 0, 2, 4, 6));
    storeu(odd, wasm_i32x4_shuffle(a, b, 1, 3, 5, 7));
  }
  static V add(V a, V b) { return wasm_f32x4_add(a, b); }
  static V sub(V a, V b) { return wasm_f32x4_sub(a, b); }
  static V mul(V a, V b) { return wasm_f32x4_mul(a, b); }
  static V div(V a, V b) { return wasm_f32x4_div(a, b); }
  static V fma(V a, V b, V c) { return wasm_f32x4_add(wasm_f32x4_mul(a, b), c); }
  static V min(V a, V b) { return wasm_f32x4_min(a, b); }
  static V max(V a, V b) { return wasm_f32x4_max(a, b); }
  static V round(V a) { return wasm_f32x4_nearest(a); }
  static V pow2i(V n) {
    const v128_t e = wasm_i32x4_add(wasm_i32x4_trunc_sat_f32x4(n), wasm_i32x4_splat(127));
    return wasm_i32x4_shl(e, 23);
  }
  static V abs(V a) { return wasm_f32x4_abs(a); }
  static V copysign(V mag, V sgn) { return wasm_v128_bitselect(sgn, mag, wasm_i32x4_splat(int32_t(0x80000000u))); }
  static M ge(V a, V b) { return wasm_f32x4_ge(a, b); }
  static M gt(V a, V b) { return wasm_f32x4_gt(a, b); }
  static M is_nan(V a) { return wasm_f32x4_ne(a, a); }
  static V select(M m, V a, V b) { return wasm_v128_bitselect(a, b, m); }
  static float hsum(V a) {
    return (wasm_f32x4_extract_lane(a, 0) + wasm_f32x4_extract_lane(a, 1)) +
           (wasm_f32x4_extract_lane(a, 2) + wasm_f32x4_extract_lane(a, 3));
  }
};

}  // namespace
}  // namespace sparsecc::ukernel
