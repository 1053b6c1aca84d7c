// SIMD traits for x86-64 AVX2 + FMA (8 lanes). Include only from files compiled
// with -mavx2 -mfma. Conventions: see simd-scalar.h.
#pragma once

#include <immintrin.h>

#include <cstddef>

namespace sparsecc::ukernel {
namespace {

struct SimdAvx2 {
  using V = __m256;
  using M = __m256;
  static constexpr size_t N = 8;
  static V set1(float v) { return _mm256_set1_ps(v); }
  static V loadu(const float* p) { return _mm256_loadu_ps(p); }
  static void storeu(float* p, V v) { _mm256_storeu_ps(p, v); }
  static __m256i tail_mask(size_t n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(int(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  // the first n < N lanes (others zero; masked lanes are not read) / store only the first n lanes.
  // The store is 4 + 2 + 1 lanes of plain stores, not vmaskmovps: a masked store to memory is
  // microcoded on AMD Zen (~35 cycles on this project's Zen 4 host against ~1 for a plain
  // store; masked loads are cheap there and stay).
  static V load_partial(const float* p, size_t n) { return _mm256_maskload_ps(p, tail_mask(n)); }
  static void store_partial(float* p, V v, size_t n) {
    __m128 h = _mm256_castps256_ps128(v);
    if (n & 4) {
      _mm_storeu_ps(p, h);
      h = _mm256_extractf128_ps(v, 1);
      p += 4;
    }
    if (n & 2) {
      _mm_storel_pi(reinterpret_cast<__m64*>(p), h);
      h = _mm_movehl_ps(h, h);
      p += 2;
    }
    if (n & 1) _mm_store_ss(p, h);
  }
  // (p[0], p[2], ..., p[14]): reads 16 floats
  static V load_even(const float* p) {
    const V e = _mm256_shuffle_ps(loadu(p), loadu(p + 8), _MM_SHUFFLE(2, 0, 2, 0));
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(e), _MM_SHUFFLE(3, 1, 2, 0)));
  }
  // (a, b) = 16 consecutive floats -> even[0..7] = the even ones, odd[0..7] = the odd ones
  static void deinterleave(V a, V b, float* even, float* odd) {
    const V e = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)), o = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
    storeu(even, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(e), _MM_SHUFFLE(3, 1, 2, 0))));
    storeu(odd, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(o), _MM_SHUFFLE(3, 1, 2, 0))));
  }
  // (0 x s, p[0], .., p[n-1], 0..): lanes i in [s, s+n) hold p[i-s], the others zero;
  // reads only those p[i-s] (masked lanes do not fault; dwconv: a row behind its left pad)
  static V load_shifted(const float* p, size_t s, size_t n) {
    const __m256i i = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i m = _mm256_andnot_si256(_mm256_cmpgt_epi32(_mm256_set1_epi32(int(s)), i),
                                          _mm256_cmpgt_epi32(_mm256_set1_epi32(int(s + (n < 8 ? n : 8))), i));
    return _mm256_maskload_ps(p - s, m);
  }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static V sub(V a, V b) { return _mm256_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V div(V a, V b) { return _mm256_div_ps(a, b); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V min(V a, V b) { return _mm256_min_ps(a, b); }
  static V max(V a, V b) { return _mm256_max_ps(a, b); }
  static V round(V a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static V pow2i(V n) {
    const __m256i e = _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127));
    return _mm256_castsi256_ps(_mm256_slli_epi32(e, 23));
  }
  static V abs(V a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
  static V copysign(V mag, V sgn) {
    const V s = _mm256_set1_ps(-0.0f);
    return _mm256_or_ps(_mm256_andnot_ps(s, mag), _mm256_and_ps(s, sgn));
  }
  static M ge(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_GE_OQ); }
  static M gt(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
  static M is_nan(V a) { return _mm256_cmp_ps(a, a, _CMP_UNORD_Q); }
  static V select(M m, V a, V b) { return _mm256_blendv_ps(b, a, m); }
  static float hsum(V a) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
};

}  // namespace
}  // namespace sparsecc::ukernel
