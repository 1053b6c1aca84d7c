// Depthwise 5x5 stride-2 plane kernel, portable fallback.
// 2 rows x 4 columns per block (one lane per "vector").
#include "../vector/simd-scalar.h"
#include "f32-dwconv-ukernels.h"
#include "f32-dwconv.h"

namespace sparsecc::ukernel {

void scc_f32_dwconv_ukernel_5x5s2__scalar(const float* x, size_t H, size_t W, const float* w, float bias,
                                          float* y, size_t OH, size_t OW, size_t pad_top, size_t pad_left,
                                          const Epilogue& ep) {
  dwconv_plane<SimdScalar, 5, 2, 2, 4>(x, H, W, w, bias, y, OH, OW, pad_top, pad_left, ep);
}

}  // namespace sparsecc::ukernel
