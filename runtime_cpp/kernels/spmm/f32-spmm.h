// Generic sparse-weight x dense-activation micro-kernel (ukernel::SpmmFn,
// contract in ../ukernel.h) for any SIMD traits S (../vector/simd-*.h). One file per (pattern G, tile, arch) instantiates it.
//
// out[c][p] = act(bias[c] + sum over the nonzero groups of row c/G of
//             w[c] * in[channel][p]),   p < n, c < nc.
// A strip of NV vectors (NV * S::N pixels) is loaded once per nonzero group
// and FMA'd into G x NV accumulators: with G weights broadcast per group the
// loads are amortised over G output channels (register reuse is what makes
// the kernel FMA-bound instead of load-bound). Pixel strips narrower than the
// tile are run in one pass with a masked last vector (AVX2, AVX-512) or with
// NV/2, NV/4, ... vectors and a final partial vector (NEON, WASM, scalar);
// nothing past n is read or written.
//
// Everything here has internal linkage: the header is compiled with different
// ISA flags in different files.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <type_traits>

#include "../ukernel.h"
#include "../vector/f32-vact.h"

namespace sparsecc::ukernel {
namespace {

// Piecewise-linear activations the strip applies in registers (same formulas
// as vact, so in-register and post-pass results agree bit for bit).
inline bool spmm_act_in_regs(Act a) { return a == Act::none || a == Act::relu || a == Act::clip; }

template <class S, size_t NV, size_t G, bool kPartial>
inline void spmm_strip(size_t tail, size_t nc, const float* input, const float* w, const int32_t* dmap,
                       const uint32_t* nnz, float* out, size_t ostride, uint32_t flags, const Epilogue& ep) {
  using V = typename S::V;
  const bool acc_in = (flags & kSpmmAccumulate) != 0, finish = (flags & kSpmmPartial) == 0;
  const bool in_regs = spmm_act_in_regs(ep.act);
  const size_t n = kPartial ? (NV - 1) * S::N + tail : NV * S::N;
  for (size_t c0 = 0; c0 < nc; c0 += G) {
    const size_t cn = nc - c0 < G ? nc - c0 : G;
    V acc[G][NV];
    if (acc_in) {
      for (size_t g = 0; g < G; ++g) {
        const float* o = out + (c0 + (g < cn ? g : cn - 1)) * ostride;
        for (size_t v = 0; v < NV; ++v)
          acc[g][v] = (kPartial && v == NV - 1) ? S::load_partial(o + v * S::N, tail) : S::loadu(o + v * S::N);
      }
    } else {
      for (size_t g = 0; g < G; ++g)
        for (size_t v = 0; v < NV; ++v) acc[g][v] = S::set1(w[g]);
    }
    w += G;
    for (uint32_t k = *nnz++; k != 0; --k) {
      input = reinterpret_cast<const float*>(reinterpret_cast<const char*>(input) + *dmap++);
      V x[NV];
      for (size_t v = 0; v + 1 < NV; ++v) x[v] = S::loadu(input + v * S::N);
      x[NV - 1] = kPartial ? S::load_partial(input + (NV - 1) * S::N, tail) : S::loadu(input + (NV - 1) * S::N);
      for (size_t g = 0; g < G; ++g) {
        const V wg = S::set1(w[g]);
        for (size_t v = 0; v < NV; ++v) acc[g][v] = S::fma(x[v], wg, acc[g][v]);
      }
      w += G;
    }
    // the store, with relu / clip applied in registers; the activation is a
    // template argument (a run-time test per vector made GCC keep the masked
    // strip's accumulators in memory inside the FMA loop: 16 stack stores per nonzero)
    auto store = [&](auto kind) {
      constexpr int K = decltype(kind)::value;  // 0 none, 1 relu, 2 clip
      const V zero = S::set1(0.0f), lo = S::set1(ep.p0), hi = S::set1(ep.p1);
      for (size_t g = 0; g < G; ++g) {
        if (g >= cn) break;
        float* o = out + (c0 + g) * ostride;
        for (size_t v = 0; v < NV; ++v) {
          V y = acc[g][v];
          if constexpr (K == 1) y = S::select(S::gt(y, zero), y, zero);
          if constexpr (K == 2) y = S::min(hi, S::max(lo, y));
          if (kPartial && v == NV - 1) S::store_partial(o + v * S::N, y, tail);
          else S::storeu(o + v * S::N, y);
        }
      }
    };
    if (finish && ep.act == Act::relu) store(std::integral_constant<int, 1>{});
    else if (finish && ep.act == Act::clip) store(std::integral_constant<int, 2>{});
    else store(std::integral_constant<int, 0>{});
    // transcendental epilogue on the rows just stored (still in L1), once all
    // accumulators are stored (no vector register live across the call)
    if (finish && !in_regs)
      for (size_t g = 0; g < cn; ++g) vact<S>(n, out + (c0 + g) * ostride, out + (c0 + g) * ostride, ep);
  }
}

// Pixels [0, rem) narrower than the full tile. With cheap masked loads (AVX2,
// AVX-512: S::N >= 8) one pass over the weights with ceil(rem / N) vectors, the
// last one partial (a 7x7 layer's 49 pixels = 3 full + 1 partial vector, one
// pass instead of three); otherwise (NEON, WASM, scalar, whose partial loads
// are element copies) halve the strip until it fits, then single vectors, then
// one partial vector.
template <class S, size_t NV, size_t G>
inline void spmm_tail_masked(size_t rem, size_t nc, const float* input, const float* w, const int32_t* dmap,
                             const uint32_t* nnz, float* out, size_t ostride, uint32_t flags, const Epilogue& ep) {
  const size_t full = rem / S::N, part = rem % S::N;
  if constexpr (NV > 1) {
    if (full + (part != 0) < NV) return spmm_tail_masked<S, NV - 1, G>(rem, nc, input, w, dmap, nnz, out, ostride, flags, ep);
  }
  if (part) spmm_strip<S, NV, G, true>(part, nc, input, w, dmap, nnz, out, ostride, flags, ep);
  else spmm_strip<S, NV, G, false>(0, nc, input, w, dmap, nnz, out, ostride, flags, ep);
}

template <class S, size_t NV, size_t G>
inline void spmm_tail(size_t rem, size_t nc, const float* input, const float* w, const int32_t* dmap,
                      const uint32_t* nnz, float* out, size_t ostride, uint32_t flags, const Epilogue& ep) {
  if constexpr (S::N >= 8) {
    spmm_tail_masked<S, NV, G>(rem, nc, input, w, dmap, nnz, out, ostride, flags, ep);
  } else if constexpr (NV > 1) {
    constexpr size_t H = NV / 2;
    if (rem >= H * S::N) {
      spmm_strip<S, H, G, false>(0, nc, input, w, dmap, nnz, out, ostride, flags, ep);
      input += H * S::N, out += H * S::N, rem -= H * S::N;
    }
    spmm_tail<S, H, G>(rem, nc, input, w, dmap, nnz, out, ostride, flags, ep);
  } else {
    for (; rem >= S::N; rem -= S::N, input += S::N, out += S::N)
      spmm_strip<S, 1, G, false>(0, nc, input, w, dmap, nnz, out, ostride, flags, ep);
    if (rem) spmm_strip<S, 1, G, true>(rem, nc, input, w, dmap, nnz, out, ostride, flags, ep);
  }
}

// The whole ukernel: full tiles of NV * S::N pixels, then the tail. (Merging a
// remainder of one vector into the last tile as an (NV + 1)-vector strip was
// measured slower on AVX-512 -- 0.52 vs 0.72 efficiency on 14x14 layers -- and
// is not done.)
template <class S, size_t NV, size_t G>
inline void spmm_ukernel(size_t n, size_t nc, const float* input, const float* w, const int32_t* dmap,
                         const uint32_t* nnz, float* out, size_t ostride, uint32_t flags, const Epilogue& ep) {
  constexpr size_t MR = NV * S::N;
  size_t p = 0;
  for (; p + MR <= n; p += MR) spmm_strip<S, NV, G, false>(0, nc, input + p, w, dmap, nnz, out + p, ostride, flags, ep);
  if (p < n) spmm_tail<S, NV, G>(n - p, nc, input + p, w, dmap, nnz, out + p, ostride, flags, ep);
}

}  // namespace
}  // namespace sparsecc::ukernel
