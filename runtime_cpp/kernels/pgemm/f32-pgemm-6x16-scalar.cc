// Scalar 6x16 pixel-broadcast GEMM: the portable fallback and test twin of the
// AVX2 tile (see f32-pgemm-scalar.h).
#include "f32-pgemm-scalar.h"

namespace sparsecc::ukernel {

void scc_f32_pgemm_ukernel_6x16__scalar(size_t np, size_t nc, size_t k, const float* w, size_t w_k_stride,
                                        const float* x, const ptrdiff_t* x_off, const ptrdiff_t* x_pix, float* acc,
                                        uint32_t flags, float* y, size_t y_stride, const ptrdiff_t* y_pix,
                                        const float* bias, const Epilogue& ep) {
  pgemm_scalar<6, 16>(np, nc, k, w, w_k_stride, x, x_off, x_pix, acc, flags, y, y_stride, y_pix, bias, ep);
}

}  // namespace sparsecc::ukernel
