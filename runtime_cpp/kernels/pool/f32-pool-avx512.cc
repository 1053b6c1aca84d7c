// 2-D pooling row micro-kernel, x86-64 AVX-512F (16 lanes), compiled with -mavx512f:
// the generic separable code of f32-pool.h instantiated with SimdAvx512.
#include "../vector/simd-avx512.h"
#include "f32-pool-ukernels.h"
#include "f32-pool.h"

namespace sparsecc::ukernel {

void scc_f32_pool_ukernel__avx512(PoolOp op, const float* const* rows, size_t nrows, const PoolRow& p,
                                  const float* col_scale, float row_scale, float* buf, float* y) {
  pool_row<SimdAvx512>(op, rows, nrows, p, col_scale, row_scale, buf, y);
}

}  // namespace sparsecc::ukernel
