// Vector micro-kernels, portable fallback: activation, binary (same-shape and
// scalar operand) and sum, instantiated from the generic code with SimdScalar.
#include "f32-vact.h"
#include "f32-vbinary.h"
#include "f32-vector.h"
#include "simd-scalar.h"

namespace sparsecc::ukernel {

void scc_f32_vact_ukernel__scalar(size_t n, const float* x, float* y, const Epilogue& ep) {
  vact<SimdScalar>(n, x, y, ep);
}

void scc_f32_vbinary_ukernel__scalar(BinOp op, size_t n, const float* a, const float* b, float* y) {
  vbinary<SimdScalar>(op, n, a, b, y);
}

void scc_f32_vbinaryc_ukernel__scalar(BinOp op, size_t n, const float* a, float s, float* y) {
  vbinary_scalar<SimdScalar>(op, n, a, s, y);
}

float scc_f32_vsum_ukernel__scalar(size_t n, const float* x) { return vsum<SimdScalar>(n, x); }

}  // namespace sparsecc::ukernel
