// Declarations of the sparse-rows (spmv) micro-kernels, signature
// ukernel::SpmvFn (contract in ../ukernel.h): scc_f32_spmv_g<G>_ukernel__<arch>,
// the four patterns of an arch in one file f32-spmv-<arch>.cc. Generic code:
// f32-spmv.h.
#pragma once

#include "../ukernel.h"

namespace sparsecc::ukernel {

#define SCC_DECLARE_SPMV(name)                                                                   \
  void name(size_t R, const float* x, size_t ldx, const float* values, const int32_t* chan,     \
            const uint32_t* nnz, size_t m0, size_t m1, float* y, size_t ldy)
#define SCC_DECLARE_SPMV_ARCH(arch)                 \
  SCC_DECLARE_SPMV(scc_f32_spmv_g1_ukernel__##arch); \
  SCC_DECLARE_SPMV(scc_f32_spmv_g2_ukernel__##arch); \
  SCC_DECLARE_SPMV(scc_f32_spmv_g4_ukernel__##arch); \
  SCC_DECLARE_SPMV(scc_f32_spmv_g8_ukernel__##arch);

SCC_DECLARE_SPMV_ARCH(scalar)
SCC_DECLARE_SPMV_ARCH(avx2)
SCC_DECLARE_SPMV_ARCH(neon)
SCC_DECLARE_SPMV_ARCH(wasmsimd)

#undef SCC_DECLARE_SPMV_ARCH

// The definitions of one arch's file (the same generic code for every arch).
#define SCC_DEFINE_SPMV(G, arch)                                                                             \
  SCC_DECLARE_SPMV(scc_f32_spmv_g##G##_ukernel__##arch) { spmv_ukernel<G>(R, x, ldx, values, chan, nnz, m0, m1, y, ldy); }
#define SCC_DEFINE_SPMV_ARCH(arch) \
  SCC_DEFINE_SPMV(1, arch)         \
  SCC_DEFINE_SPMV(2, arch)         \
  SCC_DEFINE_SPMV(4, arch)         \
  SCC_DEFINE_SPMV(8, arch)

}  // namespace sparsecc::ukernel
