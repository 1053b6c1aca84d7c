// 2-D pooling row micro-kernel, portable fallback (1 lane):
// the generic separable code of f32-pool.h instantiated with SimdScalar.
#include "../vector/simd-scalar.h"
#include "f32-pool-ukernels.h"
#include "f32-pool.h"

namespace sparsecc::ukernel {

void scc_f32_pool_ukernel__scalar(PoolOp op, const float* const* rows, size_t nrows, const PoolRow& p,
                                  const float* col_scale, float row_scale, float* buf, float* y) {
  pool_row<SimdScalar>(op, rows, nrows, p, col_scale, row_scale, buf, y);
}

}  // namespace sparsecc::ukernel
