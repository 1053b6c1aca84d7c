// Softmax and LayerNormalization row micro-kernels, wasm32 SIMD128 (4 lanes), compiled with -msimd128:
// the generic code of f32-norm.h instantiated with SimdWasm.
#include "../vector/simd-wasmsimd.h"
#include "f32-norm-ukernels.h"
#include "f32-norm.h"

namespace sparsecc::ukernel {

void scc_f32_softmax_ukernel__wasmsimd(size_t n, const float* x, float* y) { NormKernels<SimdWasm>::softmax(n, x, y); }

void scc_f32_layernorm_ukernel__wasmsimd(size_t n, const float* x, const float* scale, const float* bias, float eps,
                                         float* y) {
  NormKernels<SimdWasm>::layernorm(n, x, scale, bias, eps, y);
}

}  // namespace sparsecc::ukernel
