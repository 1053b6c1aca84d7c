// Vector micro-kernels, wasm32 SIMD128 (-msimd128): activation, binary (same-shape and
// scalar operand) and sum, instantiated from the generic code with SimdWasm.
#include "f32-vact.h"
#include "f32-vbinary.h"
#include "f32-vector.h"
#include "simd-wasmsimd.h"

namespace sparsecc::ukernel {

void scc_f32_vact_ukernel__wasmsimd(size_t n, const float* x, float* y, const Epilogue& ep) {
  vact<SimdWasm>(n, x, y, ep);
}

void scc_f32_vbinary_ukernel__wasmsimd(BinOp op, size_t n, const float* a, const float* b, float* y) {
  vbinary<SimdWasm>(op, n, a, b, y);
}

void scc_f32_vbinaryc_ukernel__wasmsimd(BinOp op, size_t n, const float* a, float s, float* y) {
  vbinary_scalar<SimdWasm>(op, n, a, s, y);
}

float scc_f32_vsum_ukernel__wasmsimd(size_t n, const float* x) { return vsum<SimdWasm>(n, x); }

}  // namespace sparsecc::ukernel
