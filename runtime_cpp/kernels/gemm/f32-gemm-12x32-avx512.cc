// AVX-512F 12x32 GEMM micro-kernel (x86-64; this file alone is compiled with
// -mavx512f -mfma and is only called after a run-time CPU check). Contract:
// ukernel::GemmFn in ../ukernel.h.
//
// Register blocking: 12 rows x 2 zmm (32 floats) = 24 accumulators; per k step
// two loads of B, twelve broadcasts of A and 24 FMAs (14 loads against 24 FMAs:
// FMA-bound on a core with two 512-bit FMA units and two load ports).
// The same file holds the igemm entry (ukernel::IGemmFn: B rows through an
// offset table) and a one-row GEMV path (mr == 1) over the same tile.
// Edge tiles: nr <= 16 uses one vector column; a partial last vector is read
// and written with AVX-512 masks (never past nr); rows beyond mr re-read the
// last valid row of A and are not stored.
// GCC 12's AVX-512 headers build min/max/add with an uninitialised pass-through
// operand and then warn about it inside the header (GCC bug 105593); not ours.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include "f32-gemm-epilogue.h"
#include "f32-gemm.h"

namespace sparsecc::ukernel {
namespace {

constexpr size_t kMR = 12;

inline __mmask16 tail_mask(size_t n) {  // lanes [0, n) set, 0 < n <= 16
  return __mmask16((1u << n) - 1u);
}

// Piecewise-linear activations in registers; others are applied after the store.
inline __m512 act_vec(const Epilogue& ep, __m512 x) {
  const __m512 zero = _mm512_setzero_ps(), one = _mm512_set1_ps(1.0f);
  switch (ep.act) {
    case Act::relu: return _mm512_max_ps(x, zero);
    case Act::clip: return _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(ep.p0)), _mm512_set1_ps(ep.p1));
    case Act::leaky_relu: {
      const __mmask16 neg = _mm512_cmp_ps_mask(x, zero, _CMP_LT_OQ);
      return _mm512_mask_mul_ps(x, neg, x, _mm512_set1_ps(ep.p0));
    }
    case Act::hard_sigmoid: {
      const __m512 v = _mm512_fmadd_ps(x, _mm512_set1_ps(ep.p0), _mm512_set1_ps(ep.p1));
      return _mm512_min_ps(_mm512_max_ps(v, zero), one);
    }
    case Act::hard_swish: {
      const __m512 v = _mm512_fmadd_ps(x, _mm512_set1_ps(1.0f / 6.0f), _mm512_set1_ps(0.5f));
      return _mm512_mul_ps(x, _mm512_min_ps(_mm512_max_ps(v, zero), one));
    }
    default: return x;
  }
}

// The k loop. kPanel: A is a packed panel (a_row_stride == 1), so row i of
// step kk is a[kk * a_k_stride + i] -- one pointer; otherwise twelve row
// pointers. kOff (igemm, panel A only): B row kk starts at b + b_off[kk]
// instead of b + kk * b_row_stride. Accumulators are named variables (an
// array of __m512 is spilled).
#define SCC_ACC_DECL(i) __m512 c##i##0 = _mm512_setzero_ps(), c##i##1 = _mm512_setzero_ps();
#define SCC_ACC_FMA(i, ai)                                  \
  {                                                         \
    const __m512 va = _mm512_set1_ps(ai);                   \
    c##i##0 = _mm512_fmadd_ps(va, b0, c##i##0);             \
    if constexpr (NV == 2) c##i##1 = _mm512_fmadd_ps(va, b1, c##i##1); \
  }
#define SCC_ACC_OUT(i) acc[i][0] = c##i##0, acc[i][1] = c##i##1;

template <int NV, bool kPanel, bool kOff>
inline void gemm_loop(size_t mr, size_t k, const float* a, size_t a_row_stride, size_t a_k_stride, const float* b,
                      size_t b_row_stride, const ptrdiff_t* b_off, __mmask16 mask, __m512 (&acc)[kMR][2]) {
  SCC_ACC_DECL(0) SCC_ACC_DECL(1) SCC_ACC_DECL(2) SCC_ACC_DECL(3) SCC_ACC_DECL(4) SCC_ACC_DECL(5)
  SCC_ACC_DECL(6) SCC_ACC_DECL(7) SCC_ACC_DECL(8) SCC_ACC_DECL(9) SCC_ACC_DECL(10) SCC_ACC_DECL(11)
  // rows beyond mr re-read the last valid row (never stored)
  size_t r[kMR];
  for (size_t i = 0; i < kMR; ++i) r[i] = (i < mr ? i : mr - 1) * a_row_stride;
  for (size_t kk = 0; kk < k; ++kk) {
    const float* bk = b;
    if constexpr (kOff) bk = b + b_off[kk];
    __m512 b0, b1 = _mm512_setzero_ps();
    if constexpr (NV == 2) {
      b0 = _mm512_loadu_ps(bk);
      b1 = _mm512_maskz_loadu_ps(mask, bk + 16);
    } else {
      b0 = _mm512_maskz_loadu_ps(mask, bk);
    }
    if constexpr (!kOff) b += b_row_stride;
    if constexpr (kPanel) {
      SCC_ACC_FMA(0, a[r[0]]) SCC_ACC_FMA(1, a[r[1]]) SCC_ACC_FMA(2, a[r[2]]) SCC_ACC_FMA(3, a[r[3]])
      SCC_ACC_FMA(4, a[r[4]]) SCC_ACC_FMA(5, a[r[5]]) SCC_ACC_FMA(6, a[r[6]]) SCC_ACC_FMA(7, a[r[7]])
      SCC_ACC_FMA(8, a[r[8]]) SCC_ACC_FMA(9, a[r[9]]) SCC_ACC_FMA(10, a[r[10]]) SCC_ACC_FMA(11, a[r[11]])
    } else {
      SCC_ACC_FMA(0, a[r[0]]) SCC_ACC_FMA(1, a[r[1]]) SCC_ACC_FMA(2, a[r[2]]) SCC_ACC_FMA(3, a[r[3]])
      SCC_ACC_FMA(4, a[r[4]]) SCC_ACC_FMA(5, a[r[5]]) SCC_ACC_FMA(6, a[r[6]]) SCC_ACC_FMA(7, a[r[7]])
      SCC_ACC_FMA(8, a[r[8]]) SCC_ACC_FMA(9, a[r[9]]) SCC_ACC_FMA(10, a[r[10]]) SCC_ACC_FMA(11, a[r[11]])
    }
    a += a_k_stride;
  }
  SCC_ACC_OUT(0) SCC_ACC_OUT(1) SCC_ACC_OUT(2) SCC_ACC_OUT(3) SCC_ACC_OUT(4) SCC_ACC_OUT(5)
  SCC_ACC_OUT(6) SCC_ACC_OUT(7) SCC_ACC_OUT(8) SCC_ACC_OUT(9) SCC_ACC_OUT(10) SCC_ACC_OUT(11)
}

#undef SCC_ACC_DECL
#undef SCC_ACC_FMA
#undef SCC_ACC_OUT

// One live row (GEMV: a batch-1 classifier): the 12-row loop would spend 24
// FMAs per k step on one useful row. Four k steps in flight (eight
// accumulators) so the loop is bound by the loads of B, not by FMA latency.
template <int NV>
inline void gemv_loop(size_t k, const float* a, size_t a_k_stride, const float* b, size_t b_row_stride,
                      __mmask16 mask, __m512 (&acc)[kMR][2]) {
  __m512 s[4][2];
  for (int u = 0; u < 4; ++u) s[u][0] = s[u][1] = _mm512_setzero_ps();
  auto step = [&](int u, const float* bk, float av) {
    const __m512 va = _mm512_set1_ps(av);
    if constexpr (NV == 2) {
      s[u][0] = _mm512_fmadd_ps(va, _mm512_loadu_ps(bk), s[u][0]);
      s[u][1] = _mm512_fmadd_ps(va, _mm512_maskz_loadu_ps(mask, bk + 16), s[u][1]);
    } else {
      s[u][0] = _mm512_fmadd_ps(va, _mm512_maskz_loadu_ps(mask, bk), s[u][0]);
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
  for (int v = 0; v < 2; ++v)
    acc[0][v] = _mm512_add_ps(_mm512_add_ps(s[0][v], s[1][v]), _mm512_add_ps(s[2][v], s[3][v]));
  for (size_t i = 1; i < kMR; ++i) acc[i][0] = acc[i][1] = acc[0][0];
}

// NV = vectors per row (1 or 2); the last vector is loaded/stored with `mask`.
// b_off != nullptr: igemm (panel A, B rows at b + b_off[kk]).
template <int NV>
void gemm_tile(size_t mr, size_t nr, size_t k, const float* a, size_t a_row_stride, size_t a_k_stride,
               const float* b, size_t b_row_stride, const ptrdiff_t* b_off, float* c, size_t c_row_stride,
               const float* bias, Bias bias_mode, const Epilogue& ep) {
  const __mmask16 mask = tail_mask(nr - size_t(NV - 1) * 16);
  __m512 acc[kMR][2];
  if (b_off)
    gemm_loop<NV, true, true>(mr, k, a, 1, a_k_stride, b, 0, b_off, mask, acc);
  else if (mr == 1)
    gemv_loop<NV>(k, a, a_k_stride, b, b_row_stride, mask, acc);
  else if (a_row_stride == 1)
    gemm_loop<NV, true, false>(mr, k, a, 1, a_k_stride, b, b_row_stride, nullptr, mask, acc);
  else
    gemm_loop<NV, false, false>(mr, k, a, a_row_stride, a_k_stride, b, b_row_stride, nullptr, mask, acc);

  if (bias_mode == Bias::per_row) {
    for (size_t i = 0; i < kMR; ++i) {
      const __m512 bb = _mm512_set1_ps(bias[i < mr ? i : mr - 1]);
      for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_add_ps(acc[i][v], bb);
    }
  } else if (bias_mode == Bias::per_col) {
    __m512 bb[NV];
    if constexpr (NV == 2) {
      bb[0] = _mm512_loadu_ps(bias);
      bb[1] = _mm512_maskz_loadu_ps(mask, bias + 16);
    } else {
      bb[0] = _mm512_maskz_loadu_ps(mask, bias);
    }
    for (size_t i = 0; i < kMR; ++i)
      for (int v = 0; v < NV; ++v) acc[i][v] = _mm512_add_ps(acc[i][v], bb[v]);
  }
  const bool in_regs = act_is_piecewise_linear(ep.act);
  if (in_regs && ep.act != Act::none)
    for (size_t i = 0; i < kMR; ++i)
      for (int v = 0; v < NV; ++v) acc[i][v] = act_vec(ep, acc[i][v]);
  for (size_t i = 0; i < mr; ++i) {
    float* ci = c + i * c_row_stride;
    if constexpr (NV == 2) {
      _mm512_storeu_ps(ci, acc[i][0]);
      _mm512_mask_storeu_ps(ci + 16, mask, acc[i][1]);
    } else {
      _mm512_mask_storeu_ps(ci, mask, acc[i][0]);
    }
  }
  if (!in_regs) apply_epilogue_rows(ep, mr, nr, c, c_row_stride);
}

}  // namespace

void scc_f32_gemm_ukernel_12x32__avx512(size_t mr, size_t nr, size_t k, const float* a, size_t a_row_stride,
                                        size_t a_k_stride, const float* b, size_t b_row_stride, float* c,
                                        size_t c_row_stride, const float* bias, Bias bias_mode,
                                        const Epilogue& ep) {
  if (nr > 16)
    gemm_tile<2>(mr, nr, k, a, a_row_stride, a_k_stride, b, b_row_stride, nullptr, c, c_row_stride, bias, bias_mode,
                 ep);
  else
    gemm_tile<1>(mr, nr, k, a, a_row_stride, a_k_stride, b, b_row_stride, nullptr, c, c_row_stride, bias, bias_mode,
                 ep);
}

void scc_f32_igemm_ukernel_12x32__avx512(size_t mr, size_t nr, size_t k, const float* a, size_t a_k_stride,
                                         const float* b, const ptrdiff_t* b_off, float* c, size_t c_row_stride,
                                         const float* bias, Bias bias_mode, const Epilogue& ep) {
  if (nr > 16)
    gemm_tile<2>(mr, nr, k, a, 1, a_k_stride, b, 0, b_off, c, c_row_stride, bias, bias_mode, ep);
  else
    gemm_tile<1>(mr, nr, k, a, 1, a_k_stride, b, 0, b_off, c, c_row_stride, bias, bias_mode, ep);
}

}  // namespace sparsecc::ukernel
