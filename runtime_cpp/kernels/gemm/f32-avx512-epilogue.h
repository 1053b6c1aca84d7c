// AVX-512 pieces shared by the GEMM-shaped kernels (gemm, igemm, pgemm): the
// tail mask and the piecewise-linear activations applied in registers (the
// others go through the scalar epilogue of f32-gemm-epilogue.h after the
// store). Internal linkage: included only by files compiled with -mavx512f.
// GCC 12's AVX-512 headers build min/max/add with an uninitialised pass-through
// operand and then warn about it inside the header (GCC bug 105593); not ours.
#pragma once

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include "f32-gemm-epilogue.h"

namespace sparsecc::ukernel {
namespace {

inline __mmask16 tail_mask(size_t n) {  // lanes [0, n) set, 0 < n <= 16
  return __mmask16((1u << n) - 1u);
}

// Piecewise-linear activations in registers; others are applied after the store.
inline __m512 act_vec(const Epilogue& ep, __m512 x) {
  const __m512 zero = _mm512_setzero_ps(), one = _mm512_set1_ps(1.0f);
  switch (ep.act) {
    case Act::relu: return _mm512_max_ps(x, zero);
    case Act::clip: return _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(ep.p0)), _mm512_set1_ps(ep.p1));
    case Act::leaky_relu: {
      const __mmask16 neg = _mm512_cmp_ps_mask(x, zero, _CMP_LT_OQ);
      return _mm512_mask_mul_ps(x, neg, x, _mm512_set1_ps(ep.p0));
    }
    case Act::hard_sigmoid: {
      const __m512 v = _mm512_fmadd_ps(x, _mm512_set1_ps(ep.p0), _mm512_set1_ps(ep.p1));
      return _mm512_min_ps(_mm512_max_ps(v, zero), one);
    }
    case Act::hard_swish: {
      const __m512 v = _mm512_fmadd_ps(x, _mm512_set1_ps(1.0f / 6.0f), _mm512_set1_ps(0.5f));
      return _mm512_mul_ps(x, _mm512_min_ps(_mm512_max_ps(v, zero), one));
    }
    default: return x;
  }
}

}  // namespace
}  // namespace sparsecc::ukernel
