// Sparse 1x1-conv micro-kernel, pattern g1 (1 output channel per nonzero group),
// tile 128 pixels x 1 channels = 8 vectors x 1 = 8 accumulators; AVX-512F (-mavx512f), 32 zmm.
// Generic code and strip/tail handling: f32-spmm.h; contract: ukernel::SpmmFn.
#include "../vector/simd-avx512.h"
#include "f32-spmm-ukernels.h"
#include "f32-spmm.h"

namespace sparsecc::ukernel {

void scc_f32_spmm_g1_ukernel_128x1__avx512(size_t n, size_t nc, const float* input, const float* w, const int32_t* dmap,
                                         const uint32_t* nnz, float* out, size_t ostride, uint32_t flags, const Epilogue& ep) {
  spmm_ukernel<SimdAvx512, 8, 1>(n, nc, input, w, dmap, nnz, out, ostride, flags, ep);
}

}  // namespace sparsecc::ukernel
