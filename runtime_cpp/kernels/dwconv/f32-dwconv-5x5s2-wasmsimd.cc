// Depthwise 5x5 stride-2 plane kernel, wasm32 SIMD128 (-msimd128).
// 2 rows x 2 vectors per block (the engine decides the register allocation).
#include "../vector/simd-wasmsimd.h"
#include "f32-dwconv-ukernels.h"
#include "f32-dwconv.h"

namespace sparsecc::ukernel {

void scc_f32_dwconv_ukernel_5x5s2__wasmsimd(const float* x, size_t H, size_t W, const float* w, float bias,
                                            float* y, size_t OH, size_t OW, size_t pad_top, size_t pad_left,
                                            const Epilogue& ep) {
  dwconv_plane<SimdWasm, 5, 2, 2, 2>(x, H, W, w, bias, y, OH, OW, pad_top, pad_left, ep);
}

}  // namespace sparsecc::ukernel
