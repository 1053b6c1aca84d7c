// Portable scalar GEMM micro-kernel, a template over the tile (MR x NR) so that
// every SIMD tile has a scalar twin reading the same packed layout. Contract:
// ukernel::GemmFn in ../ukernel.h; with b_off != nullptr the igemm form
// (ukernel::IGemmFn: B row kk at b + b_off[kk]). Included only by the
// *-scalar.cc files.
#pragma once

#include "f32-gemm-epilogue.h"

namespace sparsecc::ukernel {
namespace {

template <size_t MR, size_t NR>
void gemm_scalar(size_t mr, size_t nr, size_t k, const float* a, size_t a_row_stride, size_t a_k_stride,
                 const float* b, size_t b_row_stride, const ptrdiff_t* b_off, float* c, size_t c_row_stride,
                 const float* bias, Bias bias_mode, const Epilogue& ep) {
  float acc[MR][NR];
  for (size_t i = 0; i < MR; ++i)
    for (size_t j = 0; j < NR; ++j) acc[i][j] = 0.0f;
  for (size_t kk = 0; kk < k; ++kk) {
    const float* brow = b_off ? b + b_off[kk] : b + kk * b_row_stride;
    float bv[NR];
    for (size_t j = 0; j < NR; ++j) bv[j] = j < nr ? brow[j] : 0.0f;
    for (size_t i = 0; i < mr; ++i) {
      const float av = a[i * a_row_stride + kk * a_k_stride];
      for (size_t j = 0; j < NR; ++j) acc[i][j] += av * bv[j];
    }
  }
  for (size_t i = 0; i < mr; ++i) {
    float* crow = c + i * c_row_stride;
    for (size_t j = 0; j < nr; ++j) {
      float v = acc[i][j];
      if (bias_mode == Bias::per_row) v += bias[i];
      else if (bias_mode == Bias::per_col) v += bias[j];
      crow[j] = apply_act(ep, v);
    }
  }
}

}  // namespace
}  // namespace sparsecc::ukernel
