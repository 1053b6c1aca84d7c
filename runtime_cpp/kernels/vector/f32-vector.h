// Declarations of the vector micro-kernels (contracts in ../ukernel.h):
//   scc_f32_vact_ukernel__<arch>      ActFn        y = act(x)
//   scc_f32_vbinary_ukernel__<arch>   BinaryFn     y = a (op) b
//   scc_f32_vbinaryc_ukernel__<arch>  BinaryScalarFn  y = a (op) s
//   scc_f32_vsum_ukernel__<arch>      SumFn
// One source file per arch: f32-vector-<arch>.cc (the generic code is in
// f32-vact.h / f32-vbinary.h, the per-arch SIMD traits in simd-<arch>.h).
#pragma once

#include "../ukernel.h"

namespace sparsecc::ukernel {

#define SCC_DECLARE_VECTOR(arch)                                                          \
  void scc_f32_vact_ukernel__##arch(size_t n, const float* x, float* y, const Epilogue& ep); \
  void scc_f32_vbinary_ukernel__##arch(BinOp op, size_t n, const float* a, const float* b, float* y); \
  void scc_f32_vbinaryc_ukernel__##arch(BinOp op, size_t n, const float* a, float s, float* y); \
  float scc_f32_vsum_ukernel__##arch(size_t n, const float* x);

SCC_DECLARE_VECTOR(scalar)
SCC_DECLARE_VECTOR(avx2)
SCC_DECLARE_VECTOR(avx512)
SCC_DECLARE_VECTOR(neon)
SCC_DECLARE_VECTOR(wasmsimd)

#undef SCC_DECLARE_VECTOR

}  // namespace sparsecc::ukernel
