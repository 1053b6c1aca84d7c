// SIMD traits for AVX-512F (16 lanes), the subset the sparse family, the
// pooling rows (f32-pool.h) and the shared activation code (f32-vact.h,
// f32-vmath.h) use. Same conventions as
// simd-scalar.h. Internal linkage: included only by
// files compiled with -mavx512f.
#pragma once

#include <immintrin.h>

#include <cstddef>

// GCC 12 reports its own _mm512_undefined_ps() inside the AVX-512 intrinsics as
// "may be used uninitialized" (a known false positive); silence it for the
// files that include these traits.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace sparsecc::ukernel {
namespace {

struct SimdAvx512 {
  using V = __m512;
  using M = __mmask16;
  static constexpr size_t N = 16;
  static V set1(float v) { return _mm512_set1_ps(v); }
  static V loadu(const float* p) { return _mm512_loadu_ps(p); }
  static void storeu(float* p, V v) { _mm512_storeu_ps(p, v); }
  static M tail_mask(size_t n) { return __mmask16((1u << n) - 1u); }  // 0 < n < 16
  // the first n < N lanes (others zero; masked lanes are not read) / store only the first n lanes
  static V load_partial(const float* p, size_t n) { return _mm512_maskz_loadu_ps(tail_mask(n), p); }
  static void store_partial(float* p, V v, size_t n) { _mm512_mask_storeu_ps(p, tail_mask(n), v); }
  // (p[0], p[2], ..., p[30]): reads 32 floats
  static V load_even(const float* p) {
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    return _mm512_permutex2var_ps(loadu(p), even, loadu(p + 16));
  }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static V sub(V a, V b) { return _mm512_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static V div(V a, V b) { return _mm512_div_ps(a, b); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V min(V a, V b) { return _mm512_min_ps(a, b); }
  static V max(V a, V b) { return _mm512_max_ps(a, b); }
  static V round(V a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static V pow2i(V n) {
    const __m512i e = _mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127));
    return _mm512_castsi512_ps(_mm512_slli_epi32(e, 23));
  }
  static V abs(V a) { return _mm512_castsi512_ps(_mm512_and_epi32(_mm512_castps_si512(a), _mm512_set1_epi32(0x7fffffff))); }
  static V copysign(V mag, V sgn) {
    const __m512i s = _mm512_set1_epi32(int(0x80000000u));
    return _mm512_castsi512_ps(_mm512_or_epi32(_mm512_andnot_epi32(s, _mm512_castps_si512(mag)),
                                               _mm512_and_epi32(s, _mm512_castps_si512(sgn))));
  }
  static M ge(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_GE_OQ); }
  static M gt(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
  static M is_nan(V a) { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
  static V select(M m, V a, V b) { return _mm512_mask_blend_ps(m, b, a); }
  static float hsum(V a) { return _mm512_reduce_add_ps(a); }
};

}  // namespace
}  // namespace sparsecc::ukernel
