// Sparse-rows micro-kernels g1/g2/g4/g8, scalar build (no SIMD flags: the reference the tests compare the others with).
// Generic code: f32-spmv.h; contract: ukernel::SpmvFn.
#include "f32-spmv-ukernels.h"
#include "f32-spmv.h"

namespace sparsecc::ukernel {

SCC_DEFINE_SPMV_ARCH(scalar)

}  // namespace sparsecc::ukernel
