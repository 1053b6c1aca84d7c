// Generic depthwise-conv plane kernel (ukernel::DwConvFn) for a fixed kernel
// size K and stride S, any SIMD traits T (../vector/simd-<arch>.h) and a
// register blocking of R output rows x NV vectors chosen per arch by the
// f32-dwconv-<K>x<K>s<S>-<arch>.cc file (what fits its register file). Used
// by scalar, neon and wasmsimd, and by avx2 for stride-1 planes wider than 16
// outputs; avx512 and the other avx2 planes use f32-dwconv-direct.h (masked
// loads straight from the input, no copy).
//
// Input rows are first copied, zero-padded, into a small band buffer that
// stays in L1 (on the stack; a per-thread buffer only for very wide planes):
// only the rows the outputs read. Each band vector is built in a register
// (a plain load inside the row, a masked one at its ends) and written by one
// store, so no later load straddles two stores still in flight (a failed
// store-to-load forward stalls; it dominated small planes). The buffer is
// wide enough that every output vector -- including a partial last one --
// reads whole vectors with no bounds checks, so pads, borders and widths that
// are not a multiple of the vector width all take the same path. A band holds
// as many output rows as fit; consecutive bands re-copy only the K - S input
// rows they share.
//
// Stride 2: each padded row is stored de-interleaved, its even columns then
// its odd columns (T::deinterleave, once per input row). Tap kx of output
// column j is then a plain contiguous load: even[j + kx/2] for even kx,
// odd[j + kx/2] for odd kx -- instead of a strided gather per tap. (One-lane
// scalar traits keep the plain row and read it at stride 2.)
//
// R x NV accumulators are summed at once; an input vector is loaded once per
// block and used by every output row it feeds. Taps are accumulated in
// (ky, kx) order from the bias, as the reference kernel. Relu and clip are
// applied in registers before the store; other epilogues run on each finished
// block of rows while it is in L1.
#pragma once

#include <cstring>
#include <vector>

#include "../ukernel.h"
#include "../vector/f32-vact.h"

namespace sparsecc::ukernel {
namespace {

// Stride 2 with one-lane "vectors" (the scalar traits) reads the plain padded
// row at stride 2: there is nothing to gain from splitting it.
template <class T, int S>
constexpr bool dw_split() {
  return S == 2 && T::N > 1;
}

template <class T, int K, int S>
struct DwConvPlane {
  using V = typename T::V;
  static constexpr size_t N = T::N;
  static constexpr bool kSplit = dw_split<T, S>();

  const float* band;  // padded (S == 2: de-interleaved) rows of the current band
  size_t rs;          // row stride of the band buffer
  size_t half;        // S == 2: offset of a row's odd columns (even ones at 0)
  V wv[K * K];
  V vbias;
  float* y;
  size_t ow_total;
  Act act;   // none, relu or clip: applied in registers before the store
  V lo, hi;  // clip bounds (relu: lo = 0)

  // offset of tap kx within a band row, for output column 0
  size_t tap(int kx) const { return kSplit ? size_t(kx & 1) * half + size_t(kx / 2) : size_t(kx); }

  // RR output rows from band-relative row br (absolute row oh), NVV vectors from column ow0
  template <int RR, int NVV>
  void block(size_t br, size_t oh, size_t ow0) const {
    V acc[RR][NVV];
#pragma GCC unroll 8
    for (int r = 0; r < RR; ++r)
#pragma GCC unroll 8
      for (int v = 0; v < NVV; ++v) acc[r][v] = vbias;
#pragma GCC unroll 16
    for (int pr = 0; pr < (RR - 1) * S + K; ++pr) {
      const float* row = band + (br * S + size_t(pr)) * rs + (kSplit ? ow0 : ow0 * S);
#pragma GCC unroll 8
      for (int kx = 0; kx < K; ++kx)
#pragma GCC unroll 8
        for (int v = 0; v < NVV; ++v) {
          const V xv = T::loadu(row + tap(kx) + size_t(v) * N * (kSplit ? 1 : S));
#pragma GCC unroll 8
          for (int r = 0; r < RR; ++r) {
            const int ky = pr - r * S;
            if (ky >= 0 && ky < K) acc[r][v] = T::fma(xv, wv[ky * K + kx], acc[r][v]);
          }
        }
    }
    if (act == Act::clip)  // min(max(x, lo), hi), NaN stays NaN: as vact
#pragma GCC unroll 8
      for (int r = 0; r < RR; ++r)
#pragma GCC unroll 8
        for (int v = 0; v < NVV; ++v) acc[r][v] = T::min(hi, T::max(lo, acc[r][v]));
    else if (act == Act::relu)  // x > 0 ? x : 0, NaN -> 0: as vact
#pragma GCC unroll 8
      for (int r = 0; r < RR; ++r)
#pragma GCC unroll 8
        for (int v = 0; v < NVV; ++v) acc[r][v] = T::select(T::gt(acc[r][v], lo), acc[r][v], lo);
#pragma GCC unroll 8
    for (int r = 0; r < RR; ++r)
#pragma GCC unroll 8
      for (int v = 0; v < NVV; ++v) {
        const size_t col = ow0 + size_t(v) * N;
        float* dst = y + (oh + size_t(r)) * ow_total + col;
        if (col + N <= ow_total) {
          T::storeu(dst, acc[r][v]);
        } else if (col < ow_total) {
          T::store_partial(dst, acc[r][v], ow_total - col);
        }
      }
  }

  // RR rows, every vector of the row (owv: OW rounded up to N)
  template <int RR, int NV>
  void rows(size_t br, size_t oh, size_t owv) const {
    size_t ow0 = 0;
    for (; ow0 + NV * N <= owv; ow0 += NV * N) block<RR, NV>(br, oh, ow0);
    if constexpr (NV >= 4)
      if (ow0 + 2 * N <= owv) block<RR, 2>(br, oh, ow0), ow0 += 2 * N;
    for (; ow0 < owv; ow0 += N) block<RR, 1>(br, oh, ow0);
  }
};

// Columns [c, c + N) of padded input row `src` (zero outside [pl, pl + W)).
// Built in a register from x (one plain load inside the row, a masked one at
// its ends) so every band vector is written by one aligned store: a later load
// straddling two narrower or overlapping stores would wait for them to reach
// the cache (a failed store-to-load forward), which dominated small planes.
template <class T>
inline typename T::V dw_padded_vec(const float* src, size_t W, size_t pl, size_t c) {
  constexpr size_t N = T::N;
  if (c < pl) return T::load_shifted(src, pl - c, W);
  const size_t s = c - pl;
  if (s + N <= W) return T::loadu(src + s);
  return s < W ? T::load_partial(src + s, W - s) : T::set1(0.0f);
}

// Padded input row ih (zeros if outside [0, H)) into band row dst: the padded
// columns [0, need); split: its even columns at dst, odd ones at dst + half.
template <class T, bool kSplit>
inline void dw_pad_row(const float* x, size_t H, size_t W, size_t ih, size_t pl, size_t need, size_t half,
                       float* dst) {
  constexpr size_t N = T::N;
  if (ih >= H) {  // also rows above the plane: ih wrapped around
    const typename T::V zero = T::set1(0.0f);
    for (size_t c = 0; c < need; c += N) T::storeu(dst + c, zero);
    return;
  }
  const float* src = x + ih * W;
  // the vectors behind the left pad, the interior (plain loads, no branches), the rest
  constexpr size_t C = kSplit ? 2 * N : N;  // input columns per band vector
  size_t c = 0;
  const size_t lead = (pl + C - 1) / C * C;
  const size_t inner_end = W + pl >= C ? W + pl - C + 1 : 0;  // chunks starting below it lie inside the row
  const size_t end = kSplit ? 2 * half : need;
  for (;; c += C) {
    if (c >= lead && c < inner_end) {
      for (; c < inner_end && c < end; c += C) {
        if constexpr (!kSplit) T::storeu(dst + c, T::loadu(src + c - pl));
        else T::deinterleave(T::loadu(src + c - pl), T::loadu(src + c - pl + N), dst + c / 2, dst + half + c / 2);
      }
    }
    if (c >= end) break;
    if constexpr (!kSplit) {
      T::storeu(dst + c, dw_padded_vec<T>(src, W, pl, c));
    } else {
      T::deinterleave(dw_padded_vec<T>(src, W, pl, c), dw_padded_vec<T>(src, W, pl, c + N), dst + c / 2,
                      dst + half + c / 2);
    }
  }
}

template <class T, int K, int S, int R, int NV>
void dwconv_plane(const float* x, size_t H, size_t W, const float* w, float bias, float* y, size_t OH,
                  size_t OW, size_t pad_top, size_t pad_left, const Epilogue& ep) {
  static_assert(S == 1 || S == 2, "stride 1 or 2");
  constexpr size_t N = T::N;
  const size_t owv = (OW + N - 1) / N * N;
  // columns of the padded row the outputs read: [0, (owv - 1) * S + K); split rows
  // hold even and odd halves of `half` floats each (even read up to owv + (K-1)/2)
  const size_t half = (owv + (K - 1) / 2 + N - 1) / N * N;
  constexpr bool kSplit = dw_split<T, S>();
  const size_t need = kSplit ? 2 * half : (owv - 1) * S + K;
  // band row: the padded row (need rounded up to N) or its two halves (split)
  const size_t rs = kSplit ? 2 * half : (need + N - 1) / N * N;

  // The band lives on the stack for every plane of the zoo (rows up to ~1000
  // floats): a thread_local buffer costs a TLS lookup per call in a shared
  // library, as much as a whole 7x7 plane.
  constexpr size_t kStackFloats = 6144;
  const size_t rows_total = (OH - 1) * S + K;
  size_t band_rows = kStackFloats / rs;  // padded rows per band
  alignas(64) float stack_buf[kStackFloats];
  float* buf = stack_buf;
  const size_t min_rows = size_t((R - 1) * S + K);
  if (kStackFloats < min_rows * rs) {
    band_rows = rows_total < 4 * min_rows ? rows_total : 4 * min_rows;
    thread_local std::vector<float> big;
    if (big.size() < band_rows * rs) big.resize(band_rows * rs);
    buf = big.data();
  }
  // output rows per band: a multiple of R unless the band ends the plane
  size_t band_out = (band_rows - K) / S + 1;
  if (band_out >= OH) band_out = OH;
  else if (band_out >= size_t(R)) band_out -= band_out % size_t(R);

  DwConvPlane<T, K, S> p;
  p.band = buf;
  p.rs = rs;
  p.half = half;
  for (int i = 0; i < K * K; ++i) p.wv[i] = T::set1(w[i]);
  p.vbias = T::set1(bias);
  p.y = y;
  p.ow_total = OW;
  // relu and clip (relu6: most depthwise layers) are fused into the block
  // store; the other activations run over each finished block of rows
  const bool in_regs = ep.act == Act::relu || ep.act == Act::clip;
  p.act = in_regs ? ep.act : Act::none;
  p.lo = T::set1(ep.act == Act::clip ? ep.p0 : 0.0f);
  p.hi = T::set1(ep.act == Act::clip ? ep.p1 : 0.0f);
  const bool after = ep.act != Act::none && !in_regs;

  for (size_t ob = 0; ob < OH; ob += band_out) {
    const size_t nout = OH - ob < band_out ? OH - ob : band_out;
    const size_t nrows = (nout - 1) * S + K;
    for (size_t r = 0; r < nrows; ++r) {
      const size_t ih = ob * S + r - pad_top;  // wraps around above the plane: then >= H
      dw_pad_row<T, kSplit>(x, H, W, ih, pad_left, need, half, buf + r * rs);
    }
    size_t br = 0;
    for (; br + R <= nout; br += R) {
      p.template rows<R, NV>(br, ob + br, owv);
      if (after) vact<T>(R * OW, y + (ob + br) * OW, y + (ob + br) * OW, ep);
    }
    if constexpr (R > 2) {
      if (br + 2 <= nout) {
        p.template rows<2, NV>(br, ob + br, owv);
        if (after) vact<T>(2 * OW, y + (ob + br) * OW, y + (ob + br) * OW, ep);
        br += 2;
      }
    }
    for (; br < nout; ++br) {
      p.template rows<1, NV>(br, ob + br, owv);
      if (after) vact<T>(OW, y + (ob + br) * OW, y + (ob + br) * OW, ep);
    }
  }
}

}  // namespace
}  // namespace sparsecc::ukernel
