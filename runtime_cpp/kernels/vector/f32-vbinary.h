// Generic binary kernels (ukernel::BinaryFn, BinaryScalarFn) and the sum
// (ukernel::SumFn) for any SIMD traits T. Max/Min propagate a NaN from either
// operand, as the reference kernel.
#pragma once

#include <cstring>

#include "../ukernel.h"

namespace sparsecc::ukernel {
namespace {

template <class T>
inline typename T::V vbinop(BinOp op, typename T::V a, typename T::V b) {
  switch (op) {
    case BinOp::add: return T::add(a, b);
    case BinOp::sub: return T::sub(a, b);
    case BinOp::mul: return T::mul(a, b);
    case BinOp::div: return T::div(a, b);
    case BinOp::max: return T::select(T::is_nan(a), a, T::max(a, b));
    case BinOp::min: return T::select(T::is_nan(a), a, T::min(a, b));
    case BinOp::rsub: return T::sub(b, a);
    case BinOp::rdiv: return T::div(b, a);
  }
  return a;
}

// The op is a template parameter of the loop so that the switch is hoisted.
template <class T, BinOp OP>
void vbinary_loop(size_t n, const float* a, const float* b, float* y) {
  size_t i = 0;
  for (; i + T::N <= n; i += T::N) T::storeu(y + i, vbinop<T>(OP, T::loadu(a + i), T::loadu(b + i)));
  if (i < n) {
    float ba[T::N] = {}, bb[T::N] = {};
    std::memcpy(ba, a + i, (n - i) * sizeof(float));
    std::memcpy(bb, b + i, (n - i) * sizeof(float));
    T::storeu(ba, vbinop<T>(OP, T::loadu(ba), T::loadu(bb)));
    std::memcpy(y + i, ba, (n - i) * sizeof(float));
  }
}

template <class T, BinOp OP>
void vbinary_scalar_loop(size_t n, const float* a, float s, float* y) {
  const typename T::V vs = T::set1(s);
  size_t i = 0;
  for (; i + T::N <= n; i += T::N) T::storeu(y + i, vbinop<T>(OP, T::loadu(a + i), vs));
  if (i < n) {
    float ba[T::N] = {};
    std::memcpy(ba, a + i, (n - i) * sizeof(float));
    T::storeu(ba, vbinop<T>(OP, T::loadu(ba), vs));
    std::memcpy(y + i, ba, (n - i) * sizeof(float));
  }
}

#define SCC_BINOP_DISPATCH(FN, ...)                          \
  switch (op) {                                              \
    case BinOp::add: return FN<T, BinOp::add>(__VA_ARGS__);  \
    case BinOp::sub: return FN<T, BinOp::sub>(__VA_ARGS__);  \
    case BinOp::mul: return FN<T, BinOp::mul>(__VA_ARGS__);  \
    case BinOp::div: return FN<T, BinOp::div>(__VA_ARGS__);  \
    case BinOp::max: return FN<T, BinOp::max>(__VA_ARGS__);  \
    case BinOp::min: return FN<T, BinOp::min>(__VA_ARGS__);  \
    case BinOp::rsub: return FN<T, BinOp::rsub>(__VA_ARGS__); \
    case BinOp::rdiv: return FN<T, BinOp::rdiv>(__VA_ARGS__); \
  }

template <class T>
void vbinary(BinOp op, size_t n, const float* a, const float* b, float* y) {
  SCC_BINOP_DISPATCH(vbinary_loop, n, a, b, y)
}

template <class T>
void vbinary_scalar(BinOp op, size_t n, const float* a, float s, float* y) {
  SCC_BINOP_DISPATCH(vbinary_scalar_loop, n, a, s, y)
}

#undef SCC_BINOP_DISPATCH

// Four independent accumulators (latency hiding), then a horizontal sum.
template <class T>
float vsum(size_t n, const float* x) {
  using V = typename T::V;
  V s0 = T::set1(0.0f), s1 = s0, s2 = s0, s3 = s0;
  size_t i = 0;
  for (; i + 4 * T::N <= n; i += 4 * T::N) {
    s0 = T::add(s0, T::loadu(x + i));
    s1 = T::add(s1, T::loadu(x + i + T::N));
    s2 = T::add(s2, T::loadu(x + i + 2 * T::N));
    s3 = T::add(s3, T::loadu(x + i + 3 * T::N));
  }
  for (; i + T::N <= n; i += T::N) s0 = T::add(s0, T::loadu(x + i));
  float total = T::hsum(T::add(T::add(s0, s1), T::add(s2, s3)));
  for (; i < n; ++i) total += x[i];
  return total;
}

}  // namespace
}  // namespace sparsecc::ukernel
