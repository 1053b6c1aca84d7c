// Vector micro-kernels, aarch64 NEON: activation, binary (same-shape and
// scalar operand) and sum, instantiated from the generic code with SimdNeon.
#include "f32-vact.h"
#include "f32-vbinary.h"
#include "f32-vector.h"
#include "simd-neon.h"

namespace sparsecc::ukernel {

void scc_f32_vact_ukernel__neon(size_t n, const float* x, float* y, const Epilogue& ep) {
  vact<SimdNeon>(n, x, y, ep);
}

void scc_f32_vbinary_ukernel__neon(BinOp op, size_t n, const float* a, const float* b, float* y) {
  vbinary<SimdNeon>(op, n, a, b, y);
}

void scc_f32_vbinaryc_ukernel__neon(BinOp op, size_t n, const float* a, float s, float* y) {
  vbinary_scalar<SimdNeon>(op, n, a, s, y);
}

float scc_f32_vsum_ukernel__neon(size_t n, const float* x) { return vsum<SimdNeon>(n, x); }

}  // namespace sparsecc::ukernel
