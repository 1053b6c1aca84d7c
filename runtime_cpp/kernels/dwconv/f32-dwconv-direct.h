// Direct depthwise-conv plane kernel (ukernel::DwConvFn) for a fixed kernel
// size K and stride S over a masked-load policy P (below: AVX-512F and AVX2).
// Include only from files compiled with the policy's ISA.
//
// Unlike the generic kernel (f32-dwconv.h) it copies nothing: every tap is a
// masked load straight from the input plane. Masked loads never touch (or
// fault on) masked-off lanes, so the zero padding -- left/right pads, the
// row's end, a partial last vector -- is the load mask: lanes whose input
// column falls outside [0, W) read as 0. Input rows outside [0, H) (top and
// bottom pads) are skipped. Without the padded copy the per-plane fixed cost
// is a handful of mask computations, which is what the 7x7 and 14x14 planes
// of MobileNet are dominated by. (AVX-512 masked loads cost a plain load.
// AVX2's vmaskmovps costs more, so on wide stride-1 planes the band kernel's
// copy pays for itself there; AVX2 uses this kernel at stride 2 and for planes
// up to 16 outputs wide -- see the f32-dwconv-*-avx2.cc files.)
//
// Stride 1: tap kx of the N outputs from column ow0 is the N input columns
// from ow0 - pad_left + kx. Stride 2 (AVX-512): the 32 input columns from
// 2*ow0 - pad_left + 2*t (t = 0 .. (K-1)/2) are loaded as two vectors and
// split (AVX-512: one two-source permute each) into even columns (tap kx = 2t)
// and odd ones (tap 2t + 1).
//
// R output rows are accumulated at once (an input row is loaded once per
// block and feeds every output row it belongs to); weights stay in registers.
// Taps are summed in (ky, kx) order from the bias, as the reference kernel.
// Relu and clip run in registers before the (masked) store; other epilogues
// run on each finished block of rows while it is in L1.
#pragma once

#include <immintrin.h>

#include <cstddef>

#include "../ukernel.h"
#include "../vector/f32-vact.h"
#if defined(__AVX512F__)
#include "../vector/simd-avx512.h"
#endif
#include "../vector/simd-avx2.h"

namespace sparsecc::ukernel {
namespace {

#if defined(__AVX512F__)
struct DwDirectAvx512 {
  using T = SimdAvx512;
  using Mask = __mmask16;
  // lanes i with 0 <= start + i < W
  static Mask valid(long start, long W) {
    const long lo = start < 0 ? -start : 0, hi = W - start;
    if (hi <= 0 || lo >= 16) return 0;
    const unsigned top = hi >= 16 ? 0xFFFFu : (1u << hi) - 1u;
    return Mask(top & ~((1u << lo) - 1u));
  }
  static Mask first(size_t n) { return n >= 16 ? Mask(0xFFFF) : Mask((1u << n) - 1u); }
  static __m512 loadz(Mask m, const float* p) { return _mm512_maskz_loadu_ps(m, p); }
  static void store(float* p, Mask m, __m512 v) { _mm512_mask_storeu_ps(p, m, v); }
  // (a, b) = 32 consecutive floats -> their even and odd ones
  static void split(__m512 a, __m512 b, __m512& even, __m512& odd) {
    const __m512i ie = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    even = _mm512_permutex2var_ps(a, ie, b);
    odd = _mm512_permutex2var_ps(a, _mm512_add_epi32(ie, _mm512_set1_epi32(1)), b);
  }
};
#endif

struct DwDirectAvx2 {
  using T = SimdAvx2;
  using Mask = __m256i;
  static Mask valid(long start, long W) {  // lanes i with 0 <= start + i < W
    const __m256i i = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const long lo = start < 0 ? -start : 0, hi = W - start;
    if (hi <= 0 || lo >= 8) return _mm256_setzero_si256();
    return _mm256_andnot_si256(_mm256_cmpgt_epi32(_mm256_set1_epi32(int(lo)), i),
                               _mm256_cmpgt_epi32(_mm256_set1_epi32(int(hi < 8 ? hi : 8)), i));
  }
  static Mask first(size_t n) { return valid(0, long(n)); }
  static __m256 loadz(Mask m, const float* p) { return _mm256_maskload_ps(p, m); }
  // m is a prefix mask (first()): a full vector or store_partial's plain stores (no vmaskmovps,
  // which is microcoded on AMD Zen; the small and stride-2 planes were ~4x slower per output)
  static void store(float* p, Mask m, __m256 v) {
    const int bits = _mm256_movemask_ps(_mm256_castsi256_ps(m));
    if (bits == 0xFF) _mm256_storeu_ps(p, v);
    else T::store_partial(p, v, size_t(__builtin_popcount(unsigned(bits))));
  }
  // (a, b) = 16 consecutive floats -> their even and odd ones: one lane permute
  // per input, in-lane blends, and a half swap for the odd ones
  static void split(__m256 a, __m256 b, __m256& even, __m256& odd) {
    const __m256 pa = _mm256_permutevar8x32_ps(a, _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7));
    const __m256 pb = _mm256_permutevar8x32_ps(b, _mm256_setr_epi32(1, 3, 5, 7, 0, 2, 4, 6));
    even = _mm256_blend_ps(pa, pb, 0xF0);
    const __m256 o = _mm256_blend_ps(pa, pb, 0x0F);  // (b1 b3 b5 b7 | a1 a3 a5 a7)
    odd = _mm256_permute2f128_ps(o, o, 0x01);
  }
};

template <class P, int K, int S>
struct DwDirect {
  using T = typename P::T;
  using V = typename T::V;
  using Mask = typename P::Mask;
  static constexpr size_t N = T::N;
  static constexpr int NT = S == 1 ? K : (K + 1) / 2;  // loads per input row: taps (s1) or windows (s2)
  const float* x;
  long H, W;
  V wv[K * K];
  V vbias;
  size_t OW;
  Act act;
  V lo, hi;

  // RR output rows (y: the first one; ih0: its first input row, may be < 0), the
  // N outputs from column ow0. c0: input column of tap 0 (s1) / window 0 (s2);
  // m: the load masks (s2: a pair per window, for its two halves)
  template <int RR>
  void block(long ih0, size_t ow0, long c0, const Mask* m, Mask ymask, float* y) const {
    V acc[RR];
#pragma GCC unroll 8
    for (int r = 0; r < RR; ++r) acc[r] = vbias;
#pragma GCC unroll 16
    for (int pr = 0; pr < (RR - 1) * S + K; ++pr) {
      const long ih = ih0 + pr;
      if (ih < 0 || ih >= H) continue;  // zero rows of the padding
      const float* row = x + ih * W + c0;
#pragma GCC unroll 8
      for (int t = 0; t < NT; ++t) {
        V tv[2];
        if constexpr (S == 1) {
          tv[0] = P::loadz(m[t], row + t);
        } else {
          P::split(P::loadz(m[2 * t], row + 2 * t), P::loadz(m[2 * t + 1], row + 2 * t + N), tv[0], tv[1]);
        }
#pragma GCC unroll 2
        for (int h = 0; h < (S == 1 ? 1 : 2); ++h) {
          const int kx = S == 1 ? t : 2 * t + h;
          if (kx >= K) continue;
#pragma GCC unroll 8
          for (int r = 0; r < RR; ++r) {
            const int ky = pr - r * S;
            if (ky >= 0 && ky < K) acc[r] = T::fma(tv[h], wv[ky * K + kx], acc[r]);
          }
        }
      }
    }
#pragma GCC unroll 8
    for (int r = 0; r < RR; ++r) {
      V v = acc[r];
      if (act == Act::clip)  // min(max(x, lo), hi), NaN stays NaN: as vact
        v = T::min(hi, T::max(lo, v));
      else if (act == Act::relu)  // x > 0 ? x : 0, NaN -> 0: as vact
        v = T::select(T::gt(v, lo), v, lo);
      P::store(y + size_t(r) * OW + ow0, ymask, v);
    }
  }

  // block<nr> for a run-time nr in [1, RR], inlined (small planes)
  template <int RR>
  __attribute__((always_inline)) inline void block_in(size_t nr, long ih0, size_t ow0, long c0, const Mask* m,
                                                      Mask ymask, float* y) const {
    if constexpr (RR > 1)
      if (nr < size_t(RR)) return block_in<RR - 1>(nr, ih0, ow0, c0, m, ymask, y);
    block<RR>(ih0, ow0, c0, m, ymask, y);
  }

  // the same out of line: the remainder rows of large planes
  template <int RR>
  __attribute__((noinline)) void block_n(size_t nr, long ih0, size_t ow0, long c0, const Mask* m,
                                         Mask ymask, float* y) const {
    if constexpr (RR > 1)
      if (nr < size_t(RR)) return block_n<RR - 1>(nr, ih0, ow0, c0, m, ymask, y);
    block<RR>(ih0, ow0, c0, m, ymask, y);
  }
};

// The block loop over a plane. kSmall (a plane of OH <= RS rows): one block of
// OH rows. kInl: the blocks for a run-time row count are inlined (block_in),
// else out of line (block_n). Measured (bench_dwconv, AVX-512): at stride 1,
// small planes gain from their own out-of-line loop with inlined blocks
// (7x7: ~15 %), while large ones lose ~20 % (56x56) when the remainder blocks
// are inlined next to the R-row hot loop or when the loop is moved out of the
// plane function; at stride 2 inlining everything into the plane function was
// fastest on every shape (14x14 input: ~1.6x).
template <bool kSmall, bool kInl, class P, int K, int S, int R, int RS>
__attribute__((always_inline)) inline void dw_direct_loop(const DwDirect<P, K, S>& q, float* y, size_t OH,
                                                          size_t OW, size_t pad_top, size_t pad_left,
                                                          const Epilogue& ep, bool after) {
  using T = typename P::T;
  using Mask = typename P::Mask;
  constexpr size_t N = T::N;
  constexpr int NM = S == 1 ? K : 2 * ((K + 1) / 2);
  const size_t rmax = kSmall ? OH : size_t(R);
  for (size_t oh = 0; oh < OH;) {
    const size_t nr = OH - oh < rmax ? OH - oh : rmax;
    const long ihs = long(oh * S) - long(pad_top);  // first input row of the block
    for (size_t ow0 = 0; ow0 < OW; ow0 += N) {
      const Mask ymask = P::first(OW - ow0);
      const long c0 = long(ow0 * S) - long(pad_left);
      Mask m[NM];
      for (int t = 0; t < NM; ++t)
        m[t] = S == 1 ? P::valid(c0 + t, long(q.W)) : P::valid(c0 + 2 * (t / 2) + long(N) * (t % 2), long(q.W));
      float* yb = y + oh * OW;
      if (!kSmall && nr == size_t(R))
        q.template block<R>(ihs, ow0, c0, m, ymask, yb);
      else if constexpr (kInl)
        q.template block_in<(R > RS ? R : RS)>(nr, ihs, ow0, c0, m, ymask, yb);
      else
        q.template block_n<(R > RS ? R : RS)>(nr, ihs, ow0, c0, m, ymask, yb);
    }
    if (after) vact<T>(nr * OW, y + oh * OW, y + oh * OW, ep);
    oh += nr;
  }
}

// stride-1 small planes: their own function (see dw_direct_loop), with a local
// copy of the weights: through a reference every (may-alias) vector store to y
// would force them to be reloaded
template <class P, int K, int S, int R, int RS>
__attribute__((noinline)) void dw_direct_small(const DwDirect<P, K, S>& p, float* y, size_t OH, size_t OW,
                                               size_t pad_top, size_t pad_left, const Epilogue& ep, bool after) {
  const DwDirect<P, K, S> q = p;
  dw_direct_loop<true, true, P, K, S, R, RS>(q, y, OH, OW, pad_top, pad_left, ep, after);
}

// R: rows per block on large planes; RS: planes of up to RS output rows run as one block
template <class P, int K, int S, int R, int RS>
void dwconv_plane_direct(const float* x, size_t H, size_t W, const float* w, float bias, float* y, size_t OH,
                         size_t OW, size_t pad_top, size_t pad_left, const Epilogue& ep) {
  static_assert(S == 1 || S == 2, "stride 1 or 2");
  using T = typename P::T;
  DwDirect<P, K, S> p;
  p.x = x;
  p.H = long(H);
  p.W = long(W);
  for (int i = 0; i < K * K; ++i) p.wv[i] = T::set1(w[i]);
  p.vbias = T::set1(bias);
  p.OW = OW;
  const bool in_regs = ep.act == Act::relu || ep.act == Act::clip;
  p.act = in_regs ? ep.act : Act::none;
  p.lo = T::set1(ep.act == Act::clip ? ep.p0 : 0.0f);
  p.hi = T::set1(ep.act == Act::clip ? ep.p1 : 0.0f);
  const bool after = ep.act != Act::none && !in_regs;
  if (OH > size_t(RS))  // large plane: R-row blocks, this function's own loop
    dw_direct_loop<false, S == 2, P, K, S, R, RS>(p, y, OH, OW, pad_top, pad_left, ep, after);
  else if constexpr (S == 2)
    dw_direct_loop<true, true, P, K, S, R, RS>(p, y, OH, OW, pad_top, pad_left, ep, after);
  else
    dw_direct_small<P, K, S, R, RS>(p, y, OH, OW, pad_top, pad_left, ep, after);
}

}  // namespace
}  // namespace sparsecc::ukernel
