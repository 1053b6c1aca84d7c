// Declarations of the sparse (spmm) micro-kernels, signature ukernel::SpmmFn
// (contract in ../ukernel.h): scc_f32_spmm_g<G>_ukernel_<MR>x<G>__<arch>, one
// source file per (pattern, tile, arch): f32-spmm-g<G>-<MR>x<G>-<arch>.cc.
// MR = pixels per strip, chosen per arch so that the G x MR/lanes accumulators
// plus the strip's input vectors fit the register file. Generic code: f32-spmm.h.
#pragma once

#include "../ukernel.h"

namespace sparsecc::ukernel {

#define SCC_DECLARE_SPMM(name)                                                                     \
  void name(size_t n, size_t nc, const float* input, const float* w, const int32_t* dmap,          \
            const uint32_t* nnz, float* out, size_t ostride, uint32_t flags, const Epilogue& ep)

SCC_DECLARE_SPMM(scc_f32_spmm_g1_ukernel_8x1__scalar);
SCC_DECLARE_SPMM(scc_f32_spmm_g2_ukernel_8x2__scalar);
SCC_DECLARE_SPMM(scc_f32_spmm_g4_ukernel_8x4__scalar);
SCC_DECLARE_SPMM(scc_f32_spmm_g8_ukernel_4x8__scalar);
SCC_DECLARE_SPMM(scc_f32_spmm_g1_ukernel_128x1__avx512);
SCC_DECLARE_SPMM(scc_f32_spmm_g2_ukernel_64x2__avx512);
SCC_DECLARE_SPMM(scc_f32_spmm_g4_ukernel_64x4__avx512);
SCC_DECLARE_SPMM(scc_f32_spmm_g8_ukernel_32x8__avx512);
SCC_DECLARE_SPMM(scc_f32_spmm_g1_ukernel_64x1__avx2);
SCC_DECLARE_SPMM(scc_f32_spmm_g2_ukernel_32x2__avx2);
SCC_DECLARE_SPMM(scc_f32_spmm_g4_ukernel_16x4__avx2);
SCC_DECLARE_SPMM(scc_f32_spmm_g8_ukernel_8x8__avx2);
SCC_DECLARE_SPMM(scc_f32_spmm_g1_ukernel_32x1__neon);
SCC_DECLARE_SPMM(scc_f32_spmm_g2_ukernel_16x2__neon);
SCC_DECLARE_SPMM(scc_f32_spmm_g4_ukernel_16x4__neon);
SCC_DECLARE_SPMM(scc_f32_spmm_g8_ukernel_8x8__neon);
SCC_DECLARE_SPMM(scc_f32_spmm_g1_ukernel_16x1__wasmsimd);
SCC_DECLARE_SPMM(scc_f32_spmm_g2_ukernel_8x2__wasmsimd);
SCC_DECLARE_SPMM(scc_f32_spmm_g4_ukernel_8x4__wasmsimd);
SCC_DECLARE_SPMM(scc_f32_spmm_g8_ukernel_4x8__wasmsimd);

#undef SCC_DECLARE_SPMM

}  // namespace sparsecc::ukernel
