// 2-D pooling row micro-kernel, aarch64 NEON (4 lanes):
// the generic separable code of f32-pool.h instantiated with SimdNeon.
#include "../vector/simd-neon.h"
#include "f32-pool-ukernels.h"
#include "f32-pool.h"

namespace sparsecc::ukernel {

void scc_f32_pool_ukernel__neon(PoolOp op, const float* const* rows, size_t nrows, const PoolRow& p,
                                const float* col_scale, float row_scale, float* buf, float* y) {
  pool_row<SimdNeon>(op, rows, nrows, p, col_scale, row_scale, buf, y);
}

}  // namespace sparsecc::ukernel
