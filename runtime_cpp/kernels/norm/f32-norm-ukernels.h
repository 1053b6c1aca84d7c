// Declarations of the normalisation micro-kernels (contracts: ukernel::SoftmaxFn
// and ukernel::LayerNormFn in ../ukernel.h), one pair per arch in
// f32-norm-<arch>.cc, instantiated from the generic code in f32-norm.h:
//   scc_f32_softmax_ukernel__<arch>     softmax over one row
//   scc_f32_layernorm_ukernel__<arch>   layer normalisation of one row
#pragma once

#include "../ukernel.h"

namespace sparsecc::ukernel {

#define SCC_DECLARE_NORM(arch)                                                                     \
  void scc_f32_softmax_ukernel__##arch(size_t n, const float* x, float* y);                       \
  void scc_f32_layernorm_ukernel__##arch(size_t n, const float* x, const float* scale, const float* bias, \
                                         float eps, float* y);

SCC_DECLARE_NORM(scalar)
SCC_DECLARE_NORM(avx2)
SCC_DECLARE_NORM(neon)
SCC_DECLARE_NORM(wasmsimd)

#undef SCC_DECLARE_NORM

}  // namespace sparsecc::ukernel
