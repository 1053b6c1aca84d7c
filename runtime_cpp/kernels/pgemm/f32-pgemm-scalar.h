// Scalar pixel-broadcast GEMM of any tile PT x NR: the portable fallback and
// test twin of each SIMD tile (contract: ukernel::PGemmFn in ../ukernel.h),
// accumulating in float in the same k order. Included only by the
// f32-pgemm-<tile>-scalar.cc files (internal linkage: see f32-gemm-epilogue.h).
#pragma once

#include "../gemm/f32-gemm-epilogue.h"
#include "f32-pgemm.h"

namespace sparsecc::ukernel {
namespace {

template <size_t PT, size_t NR>
void pgemm_scalar(size_t np, size_t nc, size_t k, const float* w, size_t w_k_stride, const float* x,
                  const ptrdiff_t* x_off, const ptrdiff_t* x_pix, float* acc, uint32_t flags, float* y,
                  size_t y_stride, const ptrdiff_t* y_pix, const float* bias, const Epilogue& ep) {
  float s[PT][NR];
  for (size_t p = 0; p < np; ++p)
    for (size_t c = 0; c < nc; ++c) s[p][c] = (flags & kPGemmAccumulate) ? acc[p * NR + c] : 0.0f;
  for (size_t kk = 0; kk < k; ++kk) {
    const float* xk = x + x_off[kk];
    const float* wk = w + kk * w_k_stride;
    for (size_t p = 0; p < np; ++p) {
      const float xv = xk[x_pix[p]];
      for (size_t c = 0; c < nc; ++c) s[p][c] += xv * wk[c];
    }
  }
  for (size_t p = 0; p < np; ++p)
    for (size_t c = 0; c < nc; ++c) {
      if (flags & kPGemmPartial) acc[p * NR + c] = s[p][c];
      else y[c * y_stride + size_t(y_pix[p])] = apply_act(ep, s[p][c] + (bias ? bias[c] : 0.0f));
    }
}

}  // namespace
}  // namespace sparsecc::ukernel
