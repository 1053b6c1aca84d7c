// Softmax and LayerNormalization row micro-kernels, aarch64 NEON (4 lanes):
// the generic code of f32-norm.h instantiated with SimdNeon.
#include "../vector/simd-neon.h"
#include "f32-norm-ukernels.h"
#include "f32-norm.h"

namespace sparsecc::ukernel {

void scc_f32_softmax_ukernel__neon(size_t n, const float* x, float* y) { NormKernels<SimdNeon>::softmax(n, x, y); }

void scc_f32_layernorm_ukernel__neon(size_t n, const float* x, const float* scale, const float* bias, float eps,
                                     float* y) {
  NormKernels<SimdNeon>::layernorm(n, x, scale, bias, eps, y);
}

}  // namespace sparsecc::ukernel
