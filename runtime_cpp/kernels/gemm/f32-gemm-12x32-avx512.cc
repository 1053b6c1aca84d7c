// AVX-512F 12x32 GEMM micro-kernel and its igemm twin: 12 rows x 2 vectors
// (body and paths in f32-gemm-avx512.h). Contract: ukernel::GemmFn and
// ukernel::IGemmFn in ../ukernel.h.
#include "f32-gemm-avx512.h"
#include "f32-gemm.h"

namespace sparsecc::ukernel {

void scc_f32_gemm_ukernel_12x32__avx512(size_t mr, size_t nr, size_t k, const float* a, size_t a_row_stride,
                                        size_t a_k_stride, const float* b, size_t b_row_stride, float* c,
                                        size_t c_row_stride, const float* bias, Bias bias_mode,
                                        const Epilogue& ep) {
  gemm_avx512<12, 2>(mr, nr, k, a, a_row_stride, a_k_stride, b, b_row_stride, nullptr, c, c_row_stride, bias,
                     bias_mode, ep);
}

void scc_f32_igemm_ukernel_12x32__avx512(size_t mr, size_t nr, size_t k, const float* a, size_t a_k_stride,
                                         const float* b, const ptrdiff_t* b_off, float* c, size_t c_row_stride,
                                         const float* bias, Bias bias_mode, const Epilogue& ep) {
  gemm_avx512<12, 2>(mr, nr, k, a, 1, a_k_stride, b, 0, b_off, c, c_row_stride, bias, bias_mode, ep);
}

}  // namespace sparsecc::ukernel
