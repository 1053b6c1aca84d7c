// Depthwise 5x5 stride-1 plane kernel, aarch64 NEON.
// 32 q registers: 4 rows x 2 vectors + 9 weights (3x3), 2 x 2 + 25 weights (5x5).
#include "../vector/simd-neon.h"
#include "f32-dwconv-ukernels.h"
#include "f32-dwconv.h"

namespace sparsecc::ukernel {

void scc_f32_dwconv_ukernel_5x5s1__neon(const float* x, size_t H, size_t W, const float* w, float bias,
                                        float* y, size_t OH, size_t OW, size_t pad_top, size_t pad_left,
                                        const Epilogue& ep) {
  dwconv_plane<SimdNeon, 5, 1, 2, 2>(x, H, W, w, bias, y, OH, OW, pad_top, pad_left, ep);
}

}  // namespace sparsecc::ukernel
