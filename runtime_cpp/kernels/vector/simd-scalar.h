// SIMD traits with one lane: the scalar variants of the vector and depthwise
// families run the same generic code (f32-vmath.h, f32-vact.h, ...) as their
// SIMD siblings, so every arch computes the same approximations.
//
// Operand conventions shared by all traits (the generic code relies on them):
// min(a, b) / max(a, b) return b when b is NaN (pass the data operand second);
// select(m, a, b) = m ? a : b lane-wise; fma(a, b, c) = a * b + c.
// Internal linkage throughout: these headers are compiled with different ISA
// flags in different files and must never be merged by the linker.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace sparsecc::ukernel {
namespace {

struct SimdScalar {
  using V = float;
  using M = bool;
  static constexpr size_t N = 1;
  static V set1(float v) { return v; }
  static V loadu(const float* p) { return *p; }
  static void storeu(float* p, V v) { *p = v; }
  static V load_even(const float* p) { return *p; }
  // (0 x s, p[0], .., p[n-1], 0..): lanes i in [s, s+n) hold p[i-s], the others zero;
  // reads only those p[i-s] (dwconv: a row's first vector behind its left pad)
  static V load_shifted(const float* p, size_t s, size_t n) { return s == 0 && n ? *p : 0.0f; }
  // the first n < N lanes (others zero) / store only the first n lanes
  static V load_partial(const float* p, size_t n) { return n ? *p : 0.0f; }
  static void store_partial(float* p, V v, size_t n) {
    if (n) *p = v;
  }
  static V add(V a, V b) { return a + b; }
  static V sub(V a, V b) { return a - b; }
  static V mul(V a, V b) { return a * b; }
  static V div(V a, V b) { return a / b; }
  static V fma(V a, V b, V c) { return a * b + c; }
  static V min(V a, V b) { return a < b ? a : b; }
  static V max(V a, V b) { return a > b ? a : b; }
  static V round(V a) { return std::nearbyint(a); }
  static V pow2i(V n) {  // 2^n for integral n in [-126, 127]; NaN stays NaN (casting it is UB)
    if (std::isnan(n)) return n;
    const int32_t bits = (int32_t(n) + 127) << 23;
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
  }
  static V abs(V a) { return std::fabs(a); }
  static V copysign(V mag, V sgn) { return std::copysign(mag, sgn); }
  static M ge(V a, V b) { return a >= b; }
  static M gt(V a, V b) { return a > b; }
  static M is_nan(V a) { return a != a; }
  static V select(M m, V a, V b) { return m ? a : b; }
  static float hsum(V a) { return a; }
};

}  // namespace
}  // namespace sparsecc::ukernel
