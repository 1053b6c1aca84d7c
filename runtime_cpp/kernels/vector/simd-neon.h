// SIMD traits for aarch64 NEON (4 lanes). Conventions: see simd-scalar.h
// (vminq/vmaxq propagate a NaN from either operand, which satisfies them).
#pragma once

#include <arm_neon.h>

#include <cstddef>

namespace sparsecc::ukernel {
namespace {

struct SimdNeon {
  using V = float32x4_t;
  using M = uint32x4_t;
  static constexpr size_t N = 4;
  static V set1(float v) { return vdupq_n_f32(v); }
  static V loadu(const float* p) { return vld1q_f32(p); }
  static void storeu(float* p, V v) { vst1q_f32(p, v); }
  // the first n < N lanes (others zero) / store only the first n lanes
  static V load_partial(const float* p, size_t n) {
    float t[N] = {};
    for (size_t i = 0; i < n; ++i) t[i] = p[i];
    return vld1q_f32(t);
  }
  static void store_partial(float* p, V v, size_t n) {
    float t[N];
    vst1q_f32(t, v);
    for (size_t i = 0; i < n; ++i) p[i] = t[i];
  }
  static V load_even(const float* p) { return vld2q_f32(p).val[0]; }  // reads 8 floats
  // (0 x s, p[0], .., p[n-1], 0..): lanes i in [s, s+n) hold p[i-s], the others zero;
  // reads only those p[i-s] (dwconv: a row's first vector behind its left pad)
  static V load_shifted(const float* p, size_t s, size_t n) {
    float t[N] = {};
    for (size_t i = s; i < N && i - s < n; ++i) t[i] = p[i - s];
    return vld1q_f32(t);
  }
  // the 8 floats (a, b) split into even[i] = (a,b)[2i] and odd[i] = (a,b)[2i+1] (dwconv stride 2)
  static void deinterleave(V a, V b, float* even, float* odd) {
    vst1q_f32(even, vuzp1q_f32(a, b));
    vst1q_f32(odd, vuzp2q_f32(a, b));
  }
  static V add(V a, V b) { return vaddq_f32(a, b); }
  static V sub(V a, V b) { return vsubq_f32(a, b); }
  static V mul(V a, V b) { return vmulq_f32(a, b); }
  static V div(V a, V b) { return vdivq_f32(a, b); }
  static V fma(V a, V b, V c) { return vfmaq_f32(c, a, b); }
  static V min(V a, V b) { return vminq_f32(a, b); }
  static V max(V a, V b) { return vmaxq_f32(a, b); }
  static V round(V a) { return vrndnq_f32(a); }
  static V pow2i(V n) {
    const int32x4_t e = vaddq_s32(vcvtq_s32_f32(n), vdupq_n_s32(127));
    return vreinterpretq_f32_s32(vshlq_n_s32(e, 23));
  }
  static V abs(V a) { return vabsq_f32(a); }
  static V copysign(V mag, V sgn) { return vbslq_f32(vdupq_n_u32(0x80000000u), sgn, mag); }
  static M ge(V a, V b) { return vcgeq_f32(a, b); }
  static M gt(V a, V b) { return vcgtq_f32(a, b); }
  static M is_nan(V a) { return vmvnq_u32(vceqq_f32(a, a)); }
  static V select(M m, V a, V b) { return vbslq_f32(m, a, b); }
  static float hsum(V a) { return vaddvq_f32(a); }
};

}  // namespace
}  // namespace sparsecc::ukernel
