// Depthwise 5x5 stride-2 plane kernel, x86-64 AVX2+FMA (-mavx2 -mfma).
// The direct masked-load kernel (f32-dwconv-direct.h): at stride 2 it beat the
// band kernel's de-interleaved copy on every MobileNet shape (bench_dwconv).
#include "f32-dwconv-direct.h"
#include "f32-dwconv-ukernels.h"

namespace sparsecc::ukernel {

void scc_f32_dwconv_ukernel_5x5s2__avx2(const float* x, size_t H, size_t W, const float* w, float bias,
                                        float* y, size_t OH, size_t OW, size_t pad_top, size_t pad_left,
                                        const Epilogue& ep) {
  dwconv_plane_direct<DwDirectAvx2, 5, 2, 4, 8>(x, H, W, w, bias, y, OH, OW, pad_top, pad_left, ep);
}

}  // namespace sparsecc::ukernel
