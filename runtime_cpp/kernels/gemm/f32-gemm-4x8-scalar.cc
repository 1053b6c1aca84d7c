// Scalar 4x8 GEMM micro-kernel: the portable fallback of the 4x8 tile
// (same packed layout as its SIMD sibling). See f32-gemm-scalar.h.
#include "f32-gemm-scalar.h"
#include "f32-gemm.h"

namespace sparsecc::ukernel {

void scc_f32_gemm_ukernel_4x8__scalar(size_t mr, size_t nr, size_t k, const float* a, size_t a_row_stride,
                                    size_t a_k_stride, const float* b, size_t b_row_stride, float* c,
                                    size_t c_row_stride, const float* bias, Bias bias_mode, const Epilogue& ep) {
  gemm_scalar<4, 8>(mr, nr, k, a, a_row_stride, a_k_stride, b, b_row_stride, nullptr, c, c_row_stride, bias,
                       bias_mode, ep);
}

}  // namespace sparsecc::ukernel
