// Generic 2-D pooling row kernel (ukernel::PoolFn, contract in ../ukernel.h)
// for any SIMD traits T (../vector/simd-*.h); instantiated per arch in
// f32-pool-<arch>.cc.
//
// Why separable: max and sum both split into a vertical pass (the window's kh
// valid input rows reduced element-wise: contiguous vector loads whatever the
// stride) and a horizontal pass over the reduced, padded row. A KxK window
// then costs K + K vector operations per output vector instead of K*K, and the
// pads become plain entries of the row buffer (no bounds tests in the loops).
// The horizontal pass loads unit-stride vectors for stride 1 and even lanes
// (T::load_even) for stride 2; other strides take a scalar loop.
// The same code runs for every arch (scalar = 1 lane) with the same order of
// operations, so SIMD and scalar variants agree bit for bit.
#pragma once

#include <cstring>
#include <limits>

#include "../ukernel.h"

namespace sparsecc::ukernel {
namespace {

template <class T, PoolOp OP>
struct PoolKernel {
  using V = typename T::V;

  static float empty() { return OP == PoolOp::max ? std::numeric_limits<float>::lowest() : 0.0f; }
  static V op(V acc, V x) { return OP == PoolOp::max ? T::max(acc, x) : T::add(acc, x); }
  static float op1(float acc, float x) { return OP == PoolOp::max ? (acc > x ? acc : x) : acc + x; }  // = T::max(acc, x)

  // out[0, W) = reduce over the nrows >= 1 rows, element-wise
  static void vertical(const float* const* rows, size_t nrows, size_t W, float* out) {
    size_t i = 0;
    for (; i + T::N <= W; i += T::N) {
      V acc = T::loadu(rows[0] + i);
      for (size_t r = 1; r < nrows; ++r) acc = op(acc, T::loadu(rows[r] + i));
      T::storeu(out + i, acc);
    }
    if (i < W) {  // tail: masked (partial) loads and store, nothing read or written past W
      const size_t n = W - i;
      V acc = T::load_partial(rows[0] + i, n);
      for (size_t r = 1; r < nrows; ++r) acc = op(acc, T::load_partial(rows[r] + i, n));
      T::store_partial(out + i, acc, n);
    }
  }

  // window value of output columns [ow, ow + N) from the padded row buffer
  template <size_t S>
  static V window(const float* buf, size_t ow, const PoolRow& p) {
    const float* b = buf + ow * S;
    V acc = S == 1 ? T::loadu(b) : T::load_even(b);
    for (size_t kx = 1; kx < p.kw; ++kx) acc = op(acc, S == 1 ? T::loadu(b + kx * p.dw) : T::load_even(b + kx * p.dw));
    return acc;
  }

  template <size_t S>
  static void horizontal_vec(const float* buf, const PoolRow& p, const float* col_scale, float row_scale, float* y) {
    const V rs = T::set1(row_scale);
    size_t ow = 0;
    for (; ow + T::N <= p.OW; ow += T::N) {
      V v = window<S>(buf, ow, p);
      if (OP == PoolOp::avg) v = T::mul(v, T::mul(rs, T::loadu(col_scale + ow)));
      T::storeu(y + ow, v);
    }
    if (ow < p.OW) {  // the buffer's slack makes the full-vector reads safe; only OW - ow lanes are stored
      const size_t n = p.OW - ow;
      V v = window<S>(buf, ow, p);
      if (OP == PoolOp::avg) v = T::mul(v, T::mul(rs, T::load_partial(col_scale + ow, n)));
      T::store_partial(y + ow, v, n);
    }
  }

  static void horizontal_any(const float* buf, const PoolRow& p, const float* col_scale, float row_scale, float* y) {
    for (size_t ow = 0; ow < p.OW; ++ow) {
      const float* b = buf + ow * p.sw;
      float acc = b[0];
      for (size_t kx = 1; kx < p.kw; ++kx) acc = op1(acc, b[kx * p.dw]);
      y[ow] = OP == PoolOp::avg ? acc * (row_scale * col_scale[ow]) : acc;
    }
  }

  static void run(const float* const* rows, size_t nrows, const PoolRow& p, const float* col_scale, float row_scale,
                  float* buf, float* y) {
    const size_t cap = pool_buf_floats(p), row_end = p.pad_left + p.W;
    const float e = empty();
    for (size_t i = 0; i < p.pad_left; ++i) buf[i] = e;
    if (nrows == 0) {
      for (size_t i = p.pad_left; i < row_end; ++i) buf[i] = e;
    } else {
      vertical(rows, nrows, p.W, buf + p.pad_left);
    }
    for (size_t i = row_end; i < cap; ++i) buf[i] = e;
    if (p.sw == 1) horizontal_vec<1>(buf, p, col_scale, row_scale, y);
    else if (p.sw == 2) horizontal_vec<2>(buf, p, col_scale, row_scale, y);
    else horizontal_any(buf, p, col_scale, row_scale, y);
  }
};

template <class T>
void pool_row(PoolOp op, const float* const* rows, size_t nrows, const PoolRow& p, const float* col_scale,
              float row_scale, float* buf, float* y) {
  if (op == PoolOp::max) PoolKernel<T, PoolOp::max>::run(rows, nrows, p, col_scale, row_scale, buf, y);
  else PoolKernel<T, PoolOp::avg>::run(rows, nrows, p, col_scale, row_scale, buf, y);
}

}  // namespace
}  // namespace sparsecc::ukernel
