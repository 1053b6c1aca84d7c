// AVX2 pieces shared by the GEMM-shaped kernels (gemm/igemm 6x16, pgemm 6x16):
// the tail mask and the piecewise-linear activations applied in registers (the
// others go through the scalar epilogue of f32-gemm-epilogue.h after the
// store). Internal linkage: included only by files compiled with -mavx2 -mfma.
#pragma once

#include <immintrin.h>

#include "f32-gemm-epilogue.h"

namespace sparsecc::ukernel {
namespace {

inline __m256i tail_mask(size_t n) {  // lanes [0, n) set, 0 < n <= 8
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(int(n)), lanes);
}

// Piecewise-linear activations in registers; others are applied after the store.
inline __m256 act_vec(const Epilogue& ep, __m256 x) {
  const __m256 zero = _mm256_setzero_ps(), one = _mm256_set1_ps(1.0f);
  switch (ep.act) {
    case Act::relu: return _mm256_max_ps(x, zero);
    case Act::clip: return _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(ep.p0)), _mm256_set1_ps(ep.p1));
    case Act::leaky_relu:
      return _mm256_blendv_ps(_mm256_mul_ps(x, _mm256_set1_ps(ep.p0)), x, _mm256_cmp_ps(x, zero, _CMP_GE_OQ));
    case Act::hard_sigmoid: {
      const __m256 v = _mm256_fmadd_ps(x, _mm256_set1_ps(ep.p0), _mm256_set1_ps(ep.p1));
      return _mm256_min_ps(_mm256_max_ps(v, zero), one);
    }
    case Act::hard_swish: {
      const __m256 v = _mm256_fmadd_ps(x, _mm256_set1_ps(1.0f / 6.0f), _mm256_set1_ps(0.5f));
      return _mm256_mul_ps(x, _mm256_min_ps(_mm256_max_ps(v, zero), one));
    }
    default: return x;
  }
}

}  // namespace
}  // namespace sparsecc::ukernel
