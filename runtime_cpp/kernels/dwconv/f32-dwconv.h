// Generic depthwise-conv plane kernel (ukernel::DwConvFn) for a fixed kernel
// size K and stride S and any SIMD traits T (../vector/simd-<arch>.h).
//
// The plane is first copied into a zero-padded buffer (on the stack for small
// planes, else per thread and reused across calls) wide enough that every output vector -- including the last,
// partial one -- reads whole vectors with no bounds checks: padding, borders
// and widths that are not a multiple of the vector width all take the same
// path. Then 2 output rows x NV vectors are accumulated at once (2*NV
// independent FMA chains; with stride 1 the input rows shared by the two
// output rows are loaded once). Taps are accumulated in (ky, kx) order from
// the bias, as the reference kernel. Relu and clip are applied in registers
// before the store; other epilogues run on each finished pair of rows while
// it is in L1.
#pragma once

#include <cstring>
#include <vector>

#include "../ukernel.h"
#include "../vector/f32-vact.h"

namespace sparsecc::ukernel {
namespace {

template <class T, int K, int S>
struct DwConvPlane {
  using V = typename T::V;
  static constexpr size_t N = T::N;

  const float* buf;  // padded plane, row stride wp
  size_t wp;
  V wv[K * K];
  float bias;
  float* y;
  size_t ow_total;
  Act act;     // none, relu or clip: applied in registers before the store
  V lo, hi;    // clip bounds (relu: lo = 0)

  template <int R, int NV>
  void block(size_t oh, size_t ow0) const {
    V acc[R][NV];
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) acc[r][v] = T::set1(bias);
#pragma GCC unroll 8
    for (int pr = 0; pr < (R - 1) * S + K; ++pr) {
      const float* row = buf + (oh * S + size_t(pr)) * wp + ow0 * S;
#pragma GCC unroll 8
      for (int kx = 0; kx < K; ++kx)
#pragma GCC unroll 8
        for (int v = 0; v < NV; ++v) {
          const V xv = S == 1 ? T::loadu(row + v * N + kx) : T::load_even(row + v * N * 2 + kx);
#pragma GCC unroll 8
          for (int r = 0; r < R; ++r) {
            const int ky = pr - r * S;
            if (ky >= 0 && ky < K) acc[r][v] = T::fma(xv, wv[ky * K + kx], acc[r][v]);
          }
        }
    }
    if (act == Act::clip)  // min(max(x, lo), hi), NaN stays NaN: as vact
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
        for (int v = 0; v < NV; ++v) acc[r][v] = T::min(hi, T::max(lo, acc[r][v]));
    else if (act == Act::relu)  // x > 0 ? x : 0, NaN -> 0: as vact
#pragma GCC unroll 8
      for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
        for (int v = 0; v < NV; ++v) acc[r][v] = T::select(T::gt(acc[r][v], lo), acc[r][v], lo);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 8
      for (int v = 0; v < NV; ++v) {
        const size_t col = ow0 + size_t(v) * N;
        float* dst = y + (oh + size_t(r)) * ow_total + col;
        if (col + N <= ow_total) {
          T::storeu(dst, acc[r][v]);
        } else if (col < ow_total) {
          T::store_partial(dst, acc[r][v], ow_total - col);
        }
      }
  }

  template <int R>
  void rows(size_t oh, size_t owv) const {
    constexpr int NV = 4;
    size_t ow0 = 0;
    for (; ow0 + NV * N <= owv; ow0 += NV * N) block<R, NV>(oh, ow0);
    if (ow0 + 2 * N <= owv) block<R, 2>(oh, ow0), ow0 += 2 * N;
    for (; ow0 < owv; ow0 += N) block<R, 1>(oh, ow0);
  }
};

template <class T, int K, int S>
void dwconv_plane(const float* x, size_t H, size_t W, const float* w, float bias, float* y, size_t OH,
                  size_t OW, size_t pad_top, size_t pad_left, const Epilogue& ep) {
  constexpr size_t N = T::N;
  const size_t owv = (OW + N - 1) / N * N;
  // the last vector reads up to owv*S + K - 2; a multiple of N for the zeroing stores
  const size_t wp = (owv * S + K + 2 * N - 1) / N * N;
  const size_t hp = (OH - 1) * S + K;
  // Small planes (every 7x7..28x28 layer of the zoo) pad into a stack buffer:
  // a thread_local vector costs a TLS lookup per call in a shared library,
  // which on a 7x7 plane was as much as the convolution itself.
  constexpr size_t kStackFloats = 4096;
  alignas(64) float stack_buf[kStackFloats];
  float* pbuf = stack_buf;
  if (hp * wp > kStackFloats) {
    thread_local std::vector<float> padded;
    if (padded.size() < hp * wp) padded.resize(hp * wp);
    pbuf = padded.data();
  }
  // vector stores and masked tails rather than memset/memcpy: rows are short
  // (7..120 floats) and a library call per row cost more than the copy
  const typename T::V zero = T::set1(0.0f);
  for (size_t r = 0; r < hp; ++r) {
    float* row = pbuf + r * wp;
    for (size_t c = 0; c < wp; c += N) T::storeu(row + c, zero);
    const size_t ih = r - pad_top;  // wraps around for r < pad_top: then >= H
    if (r < pad_top || ih >= H || pad_left >= wp) continue;
    const size_t count = W < wp - pad_left ? W : wp - pad_left;
    const float* src = x + ih * W;
    float* dst = row + pad_left;
    size_t c = 0;
    for (; c + N <= count; c += N) T::storeu(dst + c, T::loadu(src + c));
    if (c < count) T::store_partial(dst + c, T::load_partial(src + c, count - c), count - c);
  }
  DwConvPlane<T, K, S> p;
  p.buf = pbuf;
  p.wp = wp;
  for (int i = 0; i < K * K; ++i) p.wv[i] = T::set1(w[i]);
  p.bias = bias;
  p.y = y;
  p.ow_total = OW;
  // relu and clip (relu6: most depthwise layers) are fused into the block
  // store; the other activations run over each finished pair of rows
  const bool in_regs = ep.act == Act::relu || ep.act == Act::clip;
  p.act = in_regs ? ep.act : Act::none;
  p.lo = T::set1(ep.act == Act::clip ? ep.p0 : 0.0f);
  p.hi = T::set1(ep.act == Act::clip ? ep.p1 : 0.0f);
  const bool after = ep.act != Act::none && !in_regs;
  size_t oh = 0;
  for (; oh + 2 <= OH; oh += 2) {
    p.template rows<2>(oh, owv);
    if (after) vact<T>(2 * OW, y + oh * OW, y + oh * OW, ep);
  }
  if (oh < OH) {
    p.template rows<1>(oh, owv);
    if (after) vact<T>(OW, y + oh * OW, y + oh * OW, ep);
  }
}

}  // namespace
}  // namespace sparsecc::ukernel
