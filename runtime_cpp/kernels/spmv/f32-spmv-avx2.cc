// Sparse-rows micro-kernels g1/g2/g4/g8, avx2 build (-mavx2 -mfma: a g4 group is one SSE register, g8 one AVX register).
// Generic code: f32-spmv.h; contract: ukernel::SpmvFn.
#include "f32-spmv-ukernels.h"
#include "f32-spmv.h"

namespace sparsecc::ukernel {

SCC_DEFINE_SPMV_ARCH(avx2)

}  // namespace sparsecc::ukernel
