// Declarations of the pixel-broadcast GEMM micro-kernels (signature
// ukernel::PGemmFn; contract in ../ukernel.h). Tile <PT>x<NR>: up to PT pixels
// x NR output channels per call; the scalar variant is the portable fallback.
#pragma once

#include "../ukernel.h"

namespace sparsecc::ukernel {

#define SCC_DECLARE_PGEMM(name)                                                                        \
  void name(size_t np, size_t nc, size_t k, const float* w, size_t w_k_stride, const float* x,         \
            const ptrdiff_t* x_off, const ptrdiff_t* x_pix, float* acc, uint32_t flags, float* y, size_t y_stride, \
            const ptrdiff_t* y_pix, \
            const float* bias, const Epilogue& ep)

SCC_DECLARE_PGEMM(scc_f32_pgemm_ukernel_7x48__scalar);
SCC_DECLARE_PGEMM(scc_f32_pgemm_ukernel_7x48__avx512);
SCC_DECLARE_PGEMM(scc_f32_pgemm_ukernel_6x16__scalar);
SCC_DECLARE_PGEMM(scc_f32_pgemm_ukernel_6x16__avx2);

#undef SCC_DECLARE_PGEMM

}  // namespace sparsecc::ukernel
