// Depthwise 5x5 stride-1 plane kernel, x86-64 AVX2+FMA (-mavx2 -mfma).
#include "../vector/simd-avx2.h"
#include "f32-dwconv-ukernels.h"
#include "f32-dwconv.h"

namespace sparsecc::ukernel {

void scc_f32_dwconv_ukernel_5x5s1__avx2(const float* x, size_t H, size_t W, const float* w, float bias,
                                            float* y, size_t OH, size_t OW, size_t pad_top, size_t pad_left,
                                            const Epilogue& ep) {
  dwconv_plane<SimdAvx2, 5, 1>(x, H, W, w, bias, y, OH, OW, pad_top, pad_left, ep);
}

}  // namespace sparsecc::ukernel
