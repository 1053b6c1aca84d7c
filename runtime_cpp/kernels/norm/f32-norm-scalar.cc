// Softmax and LayerNormalization row micro-kernels, portable fallback (1 lane):
// the generic code of f32-norm.h instantiated with SimdScalar.
#include "../vector/simd-scalar.h"
#include "f32-norm-ukernels.h"
#include "f32-norm.h"

namespace sparsecc::ukernel {

void scc_f32_softmax_ukernel__scalar(size_t n, const float* x, float* y) { NormKernels<SimdScalar>::softmax(n, x, y); }

void scc_f32_layernorm_ukernel__scalar(size_t n, const float* x, const float* scale, const float* bias, float eps,
                                       float* y) {
  NormKernels<SimdScalar>::layernorm(n, x, scale, bias, eps, y);
}

}  // namespace sparsecc::ukernel
