// Sparse-rows micro-kernels g1/g2/g4/g8, wasmsimd build (-msimd128: a g4 group is one v128).
// Generic code: f32-spmv.h; contract: ukernel::SpmvFn.
#include "f32-spmv-ukernels.h"
#include "f32-spmv.h"

namespace sparsecc::ukernel {

SCC_DEFINE_SPMV_ARCH(wasmsimd)

}  // namespace sparsecc::ukernel
