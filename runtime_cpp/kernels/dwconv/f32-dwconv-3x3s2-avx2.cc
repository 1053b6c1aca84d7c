// Depthwise 3x3 stride-2 plane kernel, x86-64 AVX2+FMA (-mavx2 -mfma).
// Outputs up to 32 wide: the direct masked-load kernel (f32-dwconv-direct.h),
// two masked loads and a split per tap window. Wider: the band kernel
// (f32-dwconv.h), which de-interleaves each input row once into even and odd
// columns (SimdAvx2::deinterleave). bench_dwconv, both in one binary on an AMD
// Zen 4 host: band 0.76x the direct kernel's time at 112x112 -> 56x56
// (MobileNet-v1, 64 ch) and 0.45x (MobileNet-v2, 96 ch), but 1.12x at 56 -> 28,
// 1.73x at 28 -> 14 and 2.17x at 14 -> 7, where the per-plane copy dominates.
#include "../vector/simd-avx2.h"
#include "f32-dwconv-direct.h"
#include "f32-dwconv-ukernels.h"
#include "f32-dwconv.h"

namespace sparsecc::ukernel {

void scc_f32_dwconv_ukernel_3x3s2__avx2(const float* x, size_t H, size_t W, const float* w, float bias,
                                        float* y, size_t OH, size_t OW, size_t pad_top, size_t pad_left,
                                        const Epilogue& ep) {
  if (OW <= 32)
    dwconv_plane_direct<DwDirectAvx2, 3, 2, 4, 8>(x, H, W, w, bias, y, OH, OW, pad_top, pad_left, ep);
  else
    dwconv_plane<SimdAvx2, 3, 2, 4, 1>(x, H, W, w, bias, y, OH, OW, pad_top, pad_left, ep);
}

}  // namespace sparsecc::ukernel
