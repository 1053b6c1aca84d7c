// Sparse-rows micro-kernels g1/g2/g4/g8, neon build (aarch64 NEON: a g4 group is one q register).
// Generic code: f32-spmv.h; contract: ukernel::SpmvFn.
#include "f32-spmv-ukernels.h"
#include "f32-spmv.h"

namespace sparsecc::ukernel {

SCC_DEFINE_SPMV_ARCH(neon)

}  // namespace sparsecc::ukernel
