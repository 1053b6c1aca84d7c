// Declarations of the GEMM micro-kernels (signature ukernel::GemmFn; contract in
// ../ukernel.h). One (tile, arch) per source file in this folder; the scalar
// variant of each tile is the portable fallback with the same packed layout.
#pragma once

#include "../ukernel.h"

namespace sparsecc::ukernel {

#define SCC_DECLARE_GEMM(name)                                                             \
  void name(size_t mr, size_t nr, size_t k, const float* a, size_t a_row_stride,         \
            size_t a_k_stride, const float* b, size_t b_row_stride, float* c,            \
            size_t c_row_stride, const float* bias, Bias bias_mode, const Epilogue& ep)

SCC_DECLARE_GEMM(scc_f32_gemm_ukernel_12x32__scalar);
SCC_DECLARE_GEMM(scc_f32_gemm_ukernel_12x32__avx512);
SCC_DECLARE_GEMM(scc_f32_gemm_ukernel_8x48__scalar);
SCC_DECLARE_GEMM(scc_f32_gemm_ukernel_8x48__avx512);
SCC_DECLARE_GEMM(scc_f32_gemm_ukernel_6x16__scalar);
SCC_DECLARE_GEMM(scc_f32_gemm_ukernel_6x16__avx2);
SCC_DECLARE_GEMM(scc_f32_gemm_ukernel_8x8__scalar);
SCC_DECLARE_GEMM(scc_f32_gemm_ukernel_8x8__neon);
SCC_DECLARE_GEMM(scc_f32_gemm_ukernel_4x8__scalar);
SCC_DECLARE_GEMM(scc_f32_gemm_ukernel_4x8__wasmsimd);

#undef SCC_DECLARE_GEMM

// igemm (ukernel::IGemmFn): the same tiles with B rows through an offset table.
#define SCC_DECLARE_IGEMM(name)                                                            \
  void name(size_t mr, size_t nr, size_t k, const float* a, size_t a_k_stride, const float* b, \
            const ptrdiff_t* b_off, float* c, size_t c_row_stride, const float* bias, Bias bias_mode, \
            const Epilogue& ep)

SCC_DECLARE_IGEMM(scc_f32_igemm_ukernel_12x32__scalar);
SCC_DECLARE_IGEMM(scc_f32_igemm_ukernel_12x32__avx512);
SCC_DECLARE_IGEMM(scc_f32_igemm_ukernel_8x48__scalar);
SCC_DECLARE_IGEMM(scc_f32_igemm_ukernel_8x48__avx512);
SCC_DECLARE_IGEMM(scc_f32_igemm_ukernel_6x16__scalar);
SCC_DECLARE_IGEMM(scc_f32_igemm_ukernel_6x16__avx2);

#undef SCC_DECLARE_IGEMM

}  // namespace sparsecc::ukernel
