// Depthwise 3x3 stride-1 plane kernel, x86-64 AVX2+FMA (-mavx2 -mfma).
// Planes up to two vectors wide (OW <= 16: the 7x7 and 14x14 layers) run the
// direct masked-load kernel (f32-dwconv-direct.h), whose fixed cost per plane
// is lowest (7x7: 1.5x faster than the band kernel, 14x14: 1.15x); wider
// ones the band kernel (f32-dwconv.h) with 4 output rows x 1 vector per block:
// 4 accumulators + 9 weights + the input fit the 16 ymm registers (2 x 4 did not).
// Measured with bench_dwconv.
#include "../vector/simd-avx2.h"
#include "f32-dwconv-direct.h"
#include "f32-dwconv-ukernels.h"
#include "f32-dwconv.h"

namespace sparsecc::ukernel {

void scc_f32_dwconv_ukernel_3x3s1__avx2(const float* x, size_t H, size_t W, const float* w, float bias,
                                        float* y, size_t OH, size_t OW, size_t pad_top, size_t pad_left,
                                        const Epilogue& ep) {
  if (OW <= 16)
    dwconv_plane_direct<DwDirectAvx2, 3, 1, 4, 8>(x, H, W, w, bias, y, OH, OW, pad_top, pad_left, ep);
  else
    dwconv_plane<SimdAvx2, 3, 1, 4, 1>(x, H, W, w, bias, y, OH, OW, pad_top, pad_left, ep);
}

}  // namespace sparsecc::ukernel
