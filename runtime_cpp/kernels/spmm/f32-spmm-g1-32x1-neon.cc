// Sparse 1x1-conv micro-kernel, pattern g1 (1 output channel per nonzero group),
// tile 32 pixels x 1 channels = 8 vectors x 1 = 8 accumulators; aarch64 NEON, 32 q registers.
// Generic code and strip/tail handling: f32-spmm.h; contract: ukernel::SpmmFn.
#include "../vector/simd-neon.h"
#include "f32-spmm-ukernels.h"
#include "f32-spmm.h"

namespace sparsecc::ukernel {

void scc_f32_spmm_g1_ukernel_32x1__neon(size_t n, size_t nc, const float* input, const float* w, const int32_t* dmap,
                                      const uint32_t* nnz, float* out, size_t ostride, uint32_t flags, const Epilogue& ep) {
  spmm_ukernel<SimdNeon, 8, 1>(n, nc, input, w, dmap, nnz, out, ostride, flags, ep);
}

}  // namespace sparsecc::ukernel
