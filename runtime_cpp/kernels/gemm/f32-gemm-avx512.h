// AVX-512F GEMM micro-kernel body, a template over the tile: MR rows x NV
// vectors of 16 floats (12x32: MR = 12, NV = 2; 8x48: MR = 8, NV = 3). Included
// only by the f32-gemm-<MR>x<NR>-avx512.cc files (compiled with -mavx512f
// -mfma, called after a run-time CPU check). Contract: ukernel::GemmFn and
// ukernel::IGemmFn in ../ukernel.h.
//
// Register blocking: MR x NV accumulators (24 for both tiles); per k step NV
// loads of B, MR broadcasts of A and MR x NV FMAs. 8x48 needs 11 loads per 24
// FMAs where 12x32 needs 14, and fills channel counts that are multiples of 8
// (32, 64: 12-row panels waste 11 % there).
// Paths: full tiles (mr == MR, every vector full) use constant A offsets and no
// masks; edge tiles use as many vectors as nr needs, a masked last vector
// (never read or written past nr), and rows beyond mr re-read the last valid
// row of A (not stored); mr == 1 is a GEMV (a batch-1 classifier); b_off !=
// nullptr is igemm (B row kk at b + b_off[kk]).
#pragma once

#include <immintrin.h>

#include "f32-avx512-epilogue.h"

namespace sparsecc::ukernel {
namespace {

constexpr size_t kMaxMR = 12;
constexpr int kMaxNV = 3;

using Acc = __m512[kMaxMR][kMaxNV];

// The k loop over MR rows and NV vectors. Accumulators are named variables (an
// array of __m512 is spilled); rows >= MR and vectors >= NV compile away.
// kFull: A is a packed panel of exactly MR rows (row i of step kk at
// a[kk * a_k_stride + i], constant offsets) and every B vector is full (no
// mask). Otherwise row i reads a[r[i]] (r clamps to the last valid row) and the
// last vector is loaded with `mask`. kOff (igemm): B row kk starts at
// b + b_off[kk] instead of b + kk * b_row_stride.
#define SCC_ACC_DECL(i) \
  __m512 c##i##0 = _mm512_setzero_ps(), c##i##1 = _mm512_setzero_ps(), c##i##2 = _mm512_setzero_ps();
#define SCC_ACC_FMA(i)                                                   \
  if constexpr (i < MR) {                                                \
    const __m512 va = _mm512_set1_ps(kFull ? a[i] : a[r[i]]);            \
    c##i##0 = _mm512_fmadd_ps(va, b0, c##i##0);                          \
    if constexpr (NV >= 2) c##i##1 = _mm512_fmadd_ps(va, b1, c##i##1);   \
    if constexpr (NV >= 3) c##i##2 = _mm512_fmadd_ps(va, b2, c##i##2);   \
  }
#define SCC_ACC_OUT(i) \
  if constexpr (i < MR) acc[i][0] = c##i##0, acc[i][1] = c##i##1, acc[i][2] = c##i##2;

template <size_t MR, int NV, bool kFull, bool kOff>
inline void gemm_loop(size_t mr, size_t k, const float* a, size_t a_row_stride, size_t a_k_stride, const float* b,
                      size_t b_row_stride, const ptrdiff_t* b_off, __mmask16 mask, Acc& acc) {
  SCC_ACC_DECL(0) SCC_ACC_DECL(1) SCC_ACC_DECL(2) SCC_ACC_DECL(3) SCC_ACC_DECL(4) SCC_ACC_DECL(5)
  SCC_ACC_DECL(6) SCC_ACC_DECL(7) SCC_ACC_DECL(8) SCC_ACC_DECL(9) SCC_ACC_DECL(10) SCC_ACC_DECL(11)
  size_t r[MR];
  for (size_t i = 0; i < MR; ++i) r[i] = (i < mr ? i : mr - 1) * a_row_stride;
  for (size_t kk = 0; kk < k; ++kk) {
    const float* bk = b;
    if constexpr (kOff) bk = b + b_off[kk];
    __m512 b0, b1 = _mm512_setzero_ps(), b2 = _mm512_setzero_ps();
    auto load = [&](int v) {
      return kFull || v < NV - 1 ? _mm512_loadu_ps(bk + 16 * v) : _mm512_maskz_loadu_ps(mask, bk + 16 * v);
    };
    b0 = load(0);
    if constexpr (NV >= 2) b1 = load(1);
    if constexpr (NV >= 3) b2 = load(2);
    if constexpr (!kOff) b += b_row_stride;
    SCC_ACC_FMA(0) SCC_ACC_FMA(1) SCC_ACC_FMA(2) SCC_ACC_FMA(3) SCC_ACC_FMA(4) SCC_ACC_FMA(5)
    SCC_ACC_FMA(6) SCC_ACC_FMA(7) SCC_ACC_FMA(8) SCC_ACC_FMA(9) SCC_ACC_FMA(10) SCC_ACC_FMA(11)
    a += a_k_stride;
  }
  SCC_ACC_OUT(0) SCC_ACC_OUT(1) SCC_ACC_OUT(2) SCC_ACC_OUT(3) SCC_ACC_OUT(4) SCC_ACC_OUT(5)
  SCC_ACC_OUT(6) SCC_ACC_OUT(7) SCC_ACC_OUT(8) SCC_ACC_OUT(9) SCC_ACC_OUT(10) SCC_ACC_OUT(11)
}

#undef SCC_ACC_DECL
#undef SCC_ACC_FMA
#undef SCC_ACC_OUT

// One live row (GEMV: a batch-1 classifier): the MR-row loop would spend MR x NV
// FMAs per k step on one useful row. Four k steps in flight so the loop is
// bound by the loads of B, not by FMA latency.
template <int NV>
inline void gemv_loop(size_t k, const float* a, size_t a_k_stride, const float* b, size_t b_row_stride,
                      __mmask16 mask, Acc& acc) {
  __m512 s[4][kMaxNV];
  for (int u = 0; u < 4; ++u)
    for (int v = 0; v < kMaxNV; ++v) s[u][v] = _mm512_setzero_ps();
  auto step = [&](int u, const float* bk, float av) {
    const __m512 va = _mm512_set1_ps(av);
    for (int v = 0; v < NV; ++v) {
      const __m512 bv = v < NV - 1 ? _mm512_loadu_ps(bk + 16 * v) : _mm512_maskz_loadu_ps(mask, bk + 16 * v);
      s[u][v] = _mm512_fmadd_ps(va, bv, s[u][v]);
    }
  };
  size_t kk = 0;
  for (; kk + 4 <= k; kk += 4) {
    step(0, b, a[0]);
    step(1, b + b_row_stride, a[a_k_stride]);
    step(2, b + 2 * b_row_stride, a[2 * a_k_stride]);
    step(3, b + 3 * b_row_stride, a[3 * a_k_stride]);
    b += 4 * b_row_stride;
    a += 4 * a_k_stride;
  }
  for (; kk < k; ++kk, b += b_row_stride, a += a_k_stride) step(0, b, a[0]);
  for (int v = 0; v < NV; ++v)
    acc[0][v] = _mm512_add_ps(_mm512_add_ps(s[0][v], s[1][v]), _mm512_add_ps(s[2][v], s[3][v]));
}

// NV = vectors this tile needs (ceil(nr / 16)); the last one is loaded/stored
// with `mask` unless the tile is full.
template <size_t MR, int NVMAX, int NV>
void gemm_tile(size_t mr, size_t nr, size_t k, const float* a, size_t a_row_stride, size_t a_k_stride,
               const float* b, size_t b_row_stride, const ptrdiff_t* b_off, float* c, size_t c_row_stride,
               const float* bias, Bias bias_mode, const Epilogue& ep) {
  const __mmask16 mask = tail_mask(nr - size_t(NV - 1) * 16);
  const bool full = mr == MR && nr == size_t(NV) * 16 && (b_off || a_row_stride == 1);
  Acc acc;
  size_t rows = MR;  // accumulator rows holding results
  if (full) {
    if (b_off) gemm_loop<MR, NV, true, true>(mr, k, a, 1, a_k_stride, b, 0, b_off, mask, acc);
    else gemm_loop<MR, NV, true, false>(mr, k, a, 1, a_k_stride, b, b_row_stride, nullptr, mask, acc);
  } else if (b_off) {
    gemm_loop<MR, NV, false, true>(mr, k, a, 1, a_k_stride, b, 0, b_off, mask, acc);
  } else if (mr == 1) {
    gemv_loop<NV>(k, a, a_k_stride, b, b_row_stride, mask, acc);
    rows = 1;
  } else {
    gemm_loop<MR, NV, false, false>(mr, k, a, a_row_stride, a_k_stride, b, b_row_stride, nullptr, mask, acc);
  }
  if (rows > mr) rows = mr;

  if (bias_mode == Bias::per_row) {
    for (size_t i = 0; i < rows; ++i) {
      const __m512 bb = _mm512_set1_ps(bias[i]);
      for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_add_ps(acc[i][v], bb);
    }
  } else if (bias_mode == Bias::per_col) {
    __m512 bb[kMaxNV];
    for (int v = 0; v < NV; ++v)
      bb[v] = v < NV - 1 ? _mm512_loadu_ps(bias + 16 * v) : _mm512_maskz_loadu_ps(mask, bias + 16 * v);
    for (size_t i = 0; i < rows; ++i)
      for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_add_ps(acc[i][v], bb[v]);
  }
  const bool in_regs = act_is_piecewise_linear(ep.act);
  if (in_regs && ep.act != Act::none)
    for (size_t i = 0; i < rows; ++i)
      for (int v = 0; v < NV; ++v) acc[i][v] = act_vec(ep, acc[i][v]);
  for (size_t i = 0; i < rows; ++i) {
    float* ci = c + i * c_row_stride;
    for (int v = 0; v < NV - 1; ++v) _mm512_storeu_ps(ci + 16 * v, acc[i][v]);
    _mm512_mask_storeu_ps(ci + 16 * (NV - 1), mask, acc[i][NV - 1]);
  }
  if (!in_regs) apply_epilogue_rows(ep, rows, nr, c, c_row_stride);
}

// Entry points of one tile: picks the vector count from nr.
template <size_t MR, int NVMAX>
void gemm_avx512(size_t mr, size_t nr, size_t k, const float* a, size_t a_row_stride, size_t a_k_stride,
                 const float* b, size_t b_row_stride, const ptrdiff_t* b_off, float* c, size_t c_row_stride,
                 const float* bias, Bias bias_mode, const Epilogue& ep) {
  static_assert(MR <= kMaxMR && NVMAX >= 1 && NVMAX <= kMaxNV, "tile exceeds the register file");
  if (NVMAX >= 3 && nr > 32)
    gemm_tile<MR, NVMAX, (NVMAX >= 3 ? 3 : 1)>(mr, nr, k, a, a_row_stride, a_k_stride, b, b_row_stride, b_off, c,
                                                c_row_stride, bias, bias_mode, ep);
  else if (NVMAX >= 2 && nr > 16)
    gemm_tile<MR, NVMAX, (NVMAX >= 2 ? 2 : 1)>(mr, nr, k, a, a_row_stride, a_k_stride, b, b_row_stride, b_off, c,
                                                c_row_stride, bias, bias_mode, ep);
  else
    gemm_tile<MR, NVMAX, 1>(mr, nr, k, a, a_row_stride, a_k_stride, b, b_row_stride, b_off, c, c_row_stride, bias,
                            bias_mode, ep);
}

}  // namespace
}  // namespace sparsecc::ukernel
