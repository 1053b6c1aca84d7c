// Depthwise 5x5 stride-1 plane kernel, x86-64 AVX-512F (-mavx512f).
// Direct masked-load kernel (f32-dwconv-direct.h): 4 rows per block, planes of up
// to 8 output rows (7x7) in one block.
#include "f32-dwconv-direct.h"
#include "f32-dwconv-ukernels.h"

namespace sparsecc::ukernel {

void scc_f32_dwconv_ukernel_5x5s1__avx512(const float* x, size_t H, size_t W, const float* w, float bias,
                                          float* y, size_t OH, size_t OW, size_t pad_top, size_t pad_left,
                                          const Epilogue& ep) {
  dwconv_plane_direct<DwDirectAvx512, 5, 1, 4, 8>(x, H, W, w, bias, y, OH, OW, pad_top, pad_left, ep);
}

}  // namespace sparsecc::ukernel
