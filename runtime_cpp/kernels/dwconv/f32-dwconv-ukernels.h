// Declarations of the depthwise-conv micro-kernels (signature ukernel::DwConvFn,
// contract in ../ukernel.h): scc_f32_dwconv_ukernel_<K>x<K>s<S>__<arch> for
// K in {3, 5}, S in {1, 2}, arch in {scalar, avx2, avx512, neon, wasmsimd}; one source
// file per (tile, arch): f32-dwconv-<K>x<K>s<S>-<arch>.cc (generic code in f32-dwconv.h,
// the avx512 rows and narrow avx2 planes in f32-dwconv-direct.h).
#pragma once

#include "../ukernel.h"

namespace sparsecc::ukernel {

#define SCC_DECLARE_DWCONV(name)                                                              \
  void name(const float* x, size_t H, size_t W, const float* w, float bias, float* y, size_t OH, \
            size_t OW, size_t pad_top, size_t pad_left, const Epilogue& ep);
#define SCC_DECLARE_DWCONV_ARCH(arch)                  \
  SCC_DECLARE_DWCONV(scc_f32_dwconv_ukernel_3x3s1__##arch) \
  SCC_DECLARE_DWCONV(scc_f32_dwconv_ukernel_3x3s2__##arch) \
  SCC_DECLARE_DWCONV(scc_f32_dwconv_ukernel_5x5s1__##arch) \
  SCC_DECLARE_DWCONV(scc_f32_dwconv_ukernel_5x5s2__##arch)

SCC_DECLARE_DWCONV_ARCH(scalar)
SCC_DECLARE_DWCONV_ARCH(avx2)
SCC_DECLARE_DWCONV_ARCH(avx512)
SCC_DECLARE_DWCONV_ARCH(neon)
SCC_DECLARE_DWCONV_ARCH(wasmsimd)

#undef SCC_DECLARE_DWCONV_ARCH
#undef SCC_DECLARE_DWCONV

}  // namespace sparsecc::ukernel
