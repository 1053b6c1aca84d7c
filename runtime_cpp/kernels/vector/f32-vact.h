// Generic activation kernel y = act(x) (ukernel::ActFn) for any SIMD traits T,
// shared by the vector family and the depthwise epilogue. Every activation
// is evaluated in registers (gelu through a relative-accurate erfc, see
// f32-vmath.h). A tail shorter than
// one vector is loaded/stored partially (zero lanes), so it sees the same math.
#pragma once

#include <cmath>
#include <cstring>

#include "../ukernel.h"
#include "f32-vmath.h"

namespace sparsecc::ukernel {
namespace {

template <class T, class F>
inline void vmap(size_t n, const float* x, float* y, F f) {
  size_t i = 0;
  for (; i + T::N <= n; i += T::N) T::storeu(y + i, f(T::loadu(x + i)));
  if (i < n) T::store_partial(y + i, f(T::load_partial(x + i, n - i)), n - i);
}

template <class T>
void vact(size_t n, const float* x, float* y, const Epilogue& ep) {
  using V = typename T::V;
  using Mth = VMath<T>;
  const V zero = T::set1(0.0f), one = T::set1(1.0f), p0 = T::set1(ep.p0), p1 = T::set1(ep.p1);
  switch (ep.act) {
    case Act::none:
      if (n != 0 && x != y) std::memmove(y, x, n * sizeof(float));  // n == 0 may come with null pointers
      return;
    case Act::relu:  // x > 0 ? x : 0 (NaN -> 0, as the reference)
      return vmap<T>(n, x, y, [&](V v) { return T::select(T::gt(v, zero), v, zero); });
    case Act::clip:  // min(max(x, lo), hi): lo > hi gives hi; NaN stays NaN
      return vmap<T>(n, x, y, [&](V v) { return T::min(p1, T::max(p0, v)); });
    case Act::leaky_relu:
      return vmap<T>(n, x, y, [&](V v) { return T::select(T::ge(v, zero), v, T::mul(v, p0)); });
    case Act::sigmoid:
      return vmap<T>(n, x, y, [&](V v) { return Mth::sigmoid(v); });
    case Act::hard_sigmoid:
      return vmap<T>(n, x, y, [&](V v) { return T::min(one, T::max(zero, T::fma(p0, v, p1))); });
    case Act::hard_swish: {
      const V sixth = T::set1(1.0f / 6.0f), half = T::set1(0.5f);
      return vmap<T>(n, x, y, [&](V v) { return T::mul(v, T::min(one, T::max(zero, T::fma(v, sixth, half)))); });
    }
    case Act::tanh:
      return vmap<T>(n, x, y, [&](V v) { return Mth::tanh(v); });
    case Act::silu:
      return vmap<T>(n, x, y, [&](V v) { return T::mul(v, Mth::sigmoid(v)); });
    case Act::gelu_tanh: {  // 0.5x(1 + tanh(u)) = x * sigmoid(2u), no cancellation for x << 0
      const V c = T::set1(2.0f * 0.79788456080286535588f), k = T::set1(0.044715f);
      return vmap<T>(n, x, y, [&](V v) {
        const V u = T::mul(c, T::fma(T::mul(k, v), T::mul(v, v), v));
        return T::mul(v, Mth::sigmoid(u));
      });
    }
    case Act::gelu:
      return vmap<T>(n, x, y, [&](V v) { return Mth::gelu(v); });
  }
}

}  // namespace
}  // namespace sparsecc::ukernel
