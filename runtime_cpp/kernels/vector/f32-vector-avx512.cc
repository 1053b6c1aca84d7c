// Vector micro-kernels, x86-64 AVX-512F (16 lanes), compiled with -mavx512f: activation, binary (same-shape and
// scalar operand) and sum, instantiated from the generic code with SimdAvx512.
#include "f32-vact.h"
#include "f32-vbinary.h"
#include "f32-vector.h"
#include "simd-avx512.h"

namespace sparsecc::ukernel {

void scc_f32_vact_ukernel__avx512(size_t n, const float* x, float* y, const Epilogue& ep) {
  vact<SimdAvx512>(n, x, y, ep);
}

void scc_f32_vbinary_ukernel__avx512(BinOp op, size_t n, const float* a, const float* b, float* y) {
  vbinary<SimdAvx512>(op, n, a, b, y);
}

void scc_f32_vbinaryc_ukernel__avx512(BinOp op, size_t n, const float* a, float s, float* y) {
  vbinary_scalar<SimdAvx512>(op, n, a, s, y);
}

float scc_f32_vsum_ukernel__avx512(size_t n, const float* x) { return vsum<SimdAvx512>(n, x); }

}  // namespace sparsecc::ukernel
