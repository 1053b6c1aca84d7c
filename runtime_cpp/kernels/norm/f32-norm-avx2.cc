// Softmax and LayerNormalization row micro-kernels, x86-64 AVX2+FMA (8 lanes), compiled with -mavx2 -mfma:
// the generic code of f32-norm.h instantiated with SimdAvx2.
#include "../vector/simd-avx2.h"
#include "f32-norm-ukernels.h"
#include "f32-norm.h"

namespace sparsecc::ukernel {

void scc_f32_softmax_ukernel__avx2(size_t n, const float* x, float* y) { NormKernels<SimdAvx2>::softmax(n, x, y); }

void scc_f32_layernorm_ukernel__avx2(size_t n, const float* x, const float* scale, const float* bias, float eps,
                                     float* y) {
  NormKernels<SimdAvx2>::layernorm(n, x, scale, bias, eps, y);
}

}  // namespace sparsecc::ukernel
