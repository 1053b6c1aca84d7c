// Scalar epilogue shared by the GEMM micro-kernels of every arch: y = act(x)
// in float (the reference kernels evaluate transcendentals in double; the
// difference is a few ulp). SIMD variants vectorise the piecewise-linear
// activations themselves and call apply_epilogue_rows() for the
// transcendental ones on the tile they just stored (still in L1).
//
// Everything here has internal linkage: this header is included by files
// compiled with different ISA flags, and an inline function with external
// linkage could be merged by the linker into its AVX2-compiled copy.
#pragma once

#include <math.h>  // C header: wasm32-wasi has a libc but no C++ standard library
#include <stddef.h>

#include "../ukernel.h"

namespace sparsecc::ukernel {
namespace {

inline float clamp01f(float v) { return v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v); }

inline float sigmoidf_stable(float x) {
  if (x >= 0.0f) return 1.0f / (1.0f + expf(-x));
  const float e = expf(x);
  return e / (1.0f + e);
}

inline float apply_act(const Epilogue& ep, float x) {
  switch (ep.act) {
    case Act::none: return x;
    case Act::relu: return x > 0.0f ? x : 0.0f;
    case Act::clip: {
      const float lo = x < ep.p0 ? ep.p0 : x;
      return lo > ep.p1 ? ep.p1 : lo;
    }
    case Act::leaky_relu: return x >= 0.0f ? x : x * ep.p0;
    case Act::sigmoid: return sigmoidf_stable(x);
    case Act::hard_sigmoid: return clamp01f(ep.p0 * x + ep.p1);
    case Act::hard_swish: return x * clamp01f(x * (1.0f / 6.0f) + 0.5f);
    case Act::tanh: return tanhf(x);
    case Act::gelu: return 0.5f * x * (1.0f + erff(x * 0.70710678118654752440f));
    case Act::gelu_tanh:
      return 0.5f * x * (1.0f + tanhf(0.79788456080286535588f * (x + 0.044715f * x * x * x)));
    case Act::silu: return x * sigmoidf_stable(x);
  }
  return x;
}

// True for the activations the SIMD kernels evaluate in registers.
inline bool act_is_piecewise_linear(Act a) {
  return a == Act::none || a == Act::relu || a == Act::clip || a == Act::leaky_relu ||
         a == Act::hard_sigmoid || a == Act::hard_swish;
}

// Applies ep to an mr x nr tile stored at c (row stride c_row_stride), in place.
inline void apply_epilogue_rows(const Epilogue& ep, size_t mr, size_t nr, float* c, size_t c_row_stride) {
  if (ep.act == Act::none) return;
  for (size_t i = 0; i < mr; ++i)
    for (size_t j = 0; j < nr; ++j) c[i * c_row_stride + j] = apply_act(ep, c[i * c_row_stride + j]);
}

}  // namespace
}  // namespace sparsecc::ukernel
