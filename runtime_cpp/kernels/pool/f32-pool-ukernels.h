// Declarations of the pooling micro-kernels (contract: ukernel::PoolFn in
// ../ukernel.h), one per arch: scc_f32_pool_ukernel__<arch> in
// f32-pool-<arch>.cc, all instantiated from the generic code in f32-pool.h.
#pragma once

#include "../ukernel.h"

namespace sparsecc::ukernel {

#define SCC_DECLARE_POOL(arch)                                                                            \
  void scc_f32_pool_ukernel__##arch(PoolOp op, const float* const* rows, size_t nrows, const PoolRow& p, \
                                    const float* col_scale, float row_scale, float* buf, float* y);

SCC_DECLARE_POOL(scalar)
SCC_DECLARE_POOL(avx2)
SCC_DECLARE_POOL(avx512)
SCC_DECLARE_POOL(neon)
SCC_DECLARE_POOL(wasmsimd)

#undef SCC_DECLARE_POOL

}  // namespace sparsecc::ukernel
