// AVX2+FMA 6x16 GEMM micro-kernel (x86-64; this file alone is compiled with
// -mavx2 -mfma and is only called after a run-time CPU check). Contract:
// ukernel::GemmFn in ../ukernel.h; the same file holds the igemm entry
// (ukernel::IGemmFn, B rows through an offset table) and a GEMV path (mr == 1).
//
// Register blocking: 6 rows x 2 ymm (16 floats) = 12 accumulators; per k step
// two loads of B, six broadcasts of A and twelve FMAs (FMA-port bound: 6
// cycles per k on a two-FMA-unit core). Edge tiles: nr <= 8 uses one vector
// column; a partial last vector is read with a masked load and written with
// plain 4/2/1-lane stores (never past nr); rows beyond mr re-read the last
// valid row of A and are not stored; strips of fewer than 6 columns of a
// packed A panel put rows in lanes instead (narrow_tile).
#include <immintrin.h>

#include "../vector/simd-avx2.h"
#include "f32-avx2-epilogue.h"
#include "f32-gemm.h"

namespace sparsecc::ukernel {
namespace {

constexpr size_t kMR = 6;

template <bool kMask>
inline __m256 load_b(const float* p, __m256i mask) {
  if constexpr (kMask) return _mm256_maskload_ps(p, mask);
  else return _mm256_loadu_ps(p);
}

// the first n lanes (kMask) with plain stores: vmaskmovps to memory is microcoded on AMD Zen
template <bool kMask>
inline void store_c(float* p, __m256 v, size_t n) {
  if constexpr (kMask) SimdAvx2::store_partial(p, v, n);
  else _mm256_storeu_ps(p, v);
}

// One live row (GEMV, e.g. a batch-1 classifier): four k steps in flight
// instead of six rows of which five would be discarded.
template <int NV, bool kMask>
inline void gemv_loop(size_t k, const float* a, size_t a_k_stride, const float* b, size_t b_row_stride,
                      __m256i mask, __m256& r0, __m256& r1) {
  __m256 s[4][2];
  for (int u = 0; u < 4; ++u) s[u][0] = s[u][1] = _mm256_setzero_ps();
  auto step = [&](int u, const float* bk, const float* ak) {
    const __m256 va = _mm256_broadcast_ss(ak);
    if constexpr (NV == 2) {
      s[u][0] = _mm256_fmadd_ps(va, _mm256_loadu_ps(bk), s[u][0]);
      s[u][1] = _mm256_fmadd_ps(va, load_b<kMask>(bk + 8, mask), s[u][1]);
    } else {
      s[u][0] = _mm256_fmadd_ps(va, load_b<kMask>(bk, mask), s[u][0]);
    }
  };
  size_t kk = 0;
  for (; kk + 4 <= k; kk += 4) {
    step(0, b, a);
    step(1, b + b_row_stride, a + a_k_stride);
    step(2, b + 2 * b_row_stride, a + 2 * a_k_stride);
    step(3, b + 3 * b_row_stride, a + 3 * a_k_stride);
    b += 4 * b_row_stride;
    a += 4 * a_k_stride;
  }
  for (; kk < k; ++kk, b += b_row_stride, a += a_k_stride) step(0, b, a);
  r0 = _mm256_add_ps(_mm256_add_ps(s[0][0], s[1][0]), _mm256_add_ps(s[2][0], s[3][0]));
  r1 = _mm256_add_ps(_mm256_add_ps(s[0][1], s[1][1]), _mm256_add_ps(s[2][1], s[3][1]));
}

// Narrow strips (nr < 6 columns of a packed A panel, such as the one column a
// 49-pixel plane leaves after three 16-column strips): rows as lanes. One
// masked load holds the panel's k step (mr <= 6 rows); each column is one
// broadcast of B[kk][j] and one FMA: 1 + nr loads and nr FMAs per k step,
// where the column path issues 6 broadcasts, 1 load and 6 FMAs into one mostly
// empty vector. S k streams (steps kk mod S, added at the end) keep S x nr
// FMAs in flight. out[j] lane i = row i of column j, before bias/activation.
template <size_t NC, int S, bool kOff>
inline void narrow_loop(__m256i rows, size_t k, const float* a, size_t a_k_stride, const float* b,
                        size_t b_row_stride, const ptrdiff_t* b_off, __m256* out) {
  __m256 s[S][NC];
  for (int u = 0; u < S; ++u)
    for (size_t j = 0; j < NC; ++j) s[u][j] = _mm256_setzero_ps();
  auto step = [&](int u, size_t kk) {
    const __m256 av = _mm256_maskload_ps(a + kk * a_k_stride, rows);
    const float* bk = kOff ? b + b_off[kk] : b + kk * b_row_stride;
#pragma GCC unroll 8
    for (size_t j = 0; j < NC; ++j) s[u][j] = _mm256_fmadd_ps(av, _mm256_broadcast_ss(bk + j), s[u][j]);
  };
  size_t kk = 0;
  for (; kk + S <= k; kk += S) {
#pragma GCC unroll 4
    for (int u = 0; u < S; ++u) step(u, kk + u);
  }
  for (; kk < k; ++kk) step(0, kk);
  for (size_t j = 0; j < NC; ++j) {
    __m256 t = s[0][j];
    for (int u = 1; u < S; ++u) t = _mm256_add_ps(t, s[u][j]);
    out[j] = t;
  }
}

// narrow_loop for a run-time nr in [1, NC]: four streams for one or two columns, else two
template <size_t NC, bool kOff>
inline void narrow_loop_n(size_t nr, __m256i rows, size_t k, const float* a, size_t a_k_stride, const float* b,
                          size_t b_row_stride, const ptrdiff_t* b_off, __m256* out) {
  if constexpr (NC > 1)
    if (nr < NC) return narrow_loop_n<NC - 1, kOff>(nr, rows, k, a, a_k_stride, b, b_row_stride, b_off, out);
  narrow_loop<NC, (NC <= 2 ? 4 : 2), kOff>(rows, k, a, a_k_stride, b, b_row_stride, b_off, out);
}

// A narrow tile (1 <= nr < kMR, 2 <= mr, A a packed panel): the sums above, bias,
// activation, and a transposed store through the stack.
template <bool kOff>
void narrow_tile(size_t mr, size_t nr, size_t k, const float* a, size_t a_k_stride, const float* b,
                 size_t b_row_stride, const ptrdiff_t* b_off, float* c, size_t c_row_stride, const float* bias,
                 Bias bias_mode, const Epilogue& ep) {
  const __m256i rows = tail_mask(mr);
  __m256 acc[kMR - 1];
  narrow_loop_n<kMR - 1, kOff>(nr, rows, k, a, a_k_stride, b, b_row_stride, b_off, acc);
  const bool in_regs = act_is_piecewise_linear(ep.act);
  const __m256 row_bias = bias_mode == Bias::per_row ? _mm256_maskload_ps(bias, rows) : _mm256_setzero_ps();
  alignas(32) float t[kMR - 1][8];
  for (size_t j = 0; j < nr; ++j) {
    __m256 v = acc[j];
    if (bias_mode == Bias::per_row) v = _mm256_add_ps(v, row_bias);
    else if (bias_mode == Bias::per_col) v = _mm256_add_ps(v, _mm256_broadcast_ss(bias + j));
    if (in_regs && ep.act != Act::none) v = act_vec(ep, v);
    _mm256_store_ps(t[j], v);
  }
  for (size_t i = 0; i < mr; ++i)
    for (size_t j = 0; j < nr; ++j) c[i * c_row_stride + j] = t[j][i];
  if (!in_regs) apply_epilogue_rows(ep, mr, nr, c, c_row_stride);
}

// NV = vectors per row (1 or 2); kMask = the last vector is partial; kOff
// (igemm): B row kk starts at b + b_off[kk] instead of b + kk * b_row_stride.
template <int NV, bool kMask, bool kOff>
void gemm_tile(size_t mr, size_t nr, size_t k, const float* a, size_t a_row_stride, size_t a_k_stride,
               const float* b, size_t b_row_stride, const ptrdiff_t* b_off, float* c, size_t c_row_stride,
               const float* bias, Bias bias_mode, const Epilogue& ep) {
  const __m256i mask = tail_mask(nr - size_t(NV - 1) * 8);
  const float* a0 = a;
  const float* a1 = mr > 1 ? a0 + a_row_stride : a0;
  const float* a2 = mr > 2 ? a1 + a_row_stride : a1;
  const float* a3 = mr > 3 ? a2 + a_row_stride : a2;
  const float* a4 = mr > 4 ? a3 + a_row_stride : a3;
  const float* a5 = mr > 5 ? a4 + a_row_stride : a4;

  __m256 c00 = _mm256_setzero_ps(), c10 = c00, c20 = c00, c30 = c00, c40 = c00, c50 = c00;
  __m256 c01 = c00, c11 = c00, c21 = c00, c31 = c00, c41 = c00, c51 = c00;
  size_t off = 0;
  if (!kOff && mr == 1) {
    gemv_loop<NV, kMask>(k, a0, a_k_stride, b, b_row_stride, mask, c00, c01);
    k = 0;
  }
  for (size_t kk = 0; kk < k; ++kk) {
    const float* bk = b;
    if constexpr (kOff) bk = b + b_off[kk];
    __m256 b0, b1 = _mm256_setzero_ps();
    if constexpr (NV == 2) {
      b0 = _mm256_loadu_ps(bk);
      b1 = load_b<kMask>(bk + 8, mask);
    } else {
      b0 = load_b<kMask>(bk, mask);
    }
    if constexpr (!kOff) b += b_row_stride;
    __m256 va = _mm256_broadcast_ss(a0 + off);
    c00 = _mm256_fmadd_ps(va, b0, c00);
    if constexpr (NV == 2) c01 = _mm256_fmadd_ps(va, b1, c01);
    va = _mm256_broadcast_ss(a1 + off);
    c10 = _mm256_fmadd_ps(va, b0, c10);
    if constexpr (NV == 2) c11 = _mm256_fmadd_ps(va, b1, c11);
    va = _mm256_broadcast_ss(a2 + off);
    c20 = _mm256_fmadd_ps(va, b0, c20);
    if constexpr (NV == 2) c21 = _mm256_fmadd_ps(va, b1, c21);
    va = _mm256_broadcast_ss(a3 + off);
    c30 = _mm256_fmadd_ps(va, b0, c30);
    if constexpr (NV == 2) c31 = _mm256_fmadd_ps(va, b1, c31);
    va = _mm256_broadcast_ss(a4 + off);
    c40 = _mm256_fmadd_ps(va, b0, c40);
    if constexpr (NV == 2) c41 = _mm256_fmadd_ps(va, b1, c41);
    va = _mm256_broadcast_ss(a5 + off);
    c50 = _mm256_fmadd_ps(va, b0, c50);
    if constexpr (NV == 2) c51 = _mm256_fmadd_ps(va, b1, c51);
    off += a_k_stride;
  }

  __m256 acc[kMR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  if (bias_mode == Bias::per_row) {
    for (size_t i = 0; i < kMR; ++i) {
      const __m256 bv = _mm256_broadcast_ss(bias + (i < mr ? i : mr - 1));
      for (int v = 0; v < NV; ++v) acc[i][v] = _mm256_add_ps(acc[i][v], bv);
    }
  } else if (bias_mode == Bias::per_col) {
    __m256 bv[2];
    if constexpr (NV == 2) {
      bv[0] = _mm256_loadu_ps(bias);
      bv[1] = load_b<kMask>(bias + 8, mask);
    } else {
      bv[0] = load_b<kMask>(bias, mask);
    }
    for (size_t i = 0; i < kMR; ++i)
      for (int v = 0; v < NV; ++v) acc[i][v] = _mm256_add_ps(acc[i][v], bv[v]);
  }
  const bool in_regs = act_is_piecewise_linear(ep.act);
  if (in_regs && ep.act != Act::none)
    for (size_t i = 0; i < kMR; ++i)
      for (int v = 0; v < NV; ++v) acc[i][v] = act_vec(ep, acc[i][v]);
  for (size_t i = 0; i < mr; ++i) {
    float* ci = c + i * c_row_stride;
    if constexpr (NV == 2) {
      _mm256_storeu_ps(ci, acc[i][0]);
      store_c<kMask>(ci + 8, acc[i][1], nr - 8);
    } else {
      store_c<kMask>(ci, acc[i][0], nr);
    }
  }
  if (!in_regs) apply_epilogue_rows(ep, mr, nr, c, c_row_stride);
}

}  // namespace

void scc_f32_gemm_ukernel_6x16__avx2(size_t mr, size_t nr, size_t k, const float* a, size_t a_row_stride,
                                     size_t a_k_stride, const float* b, size_t b_row_stride, float* c,
                                     size_t c_row_stride, const float* bias, Bias bias_mode,
                                     const Epilogue& ep) {
  if (nr < kMR && mr > 1 && a_row_stride == 1)  // a narrow strip of a packed panel (GEMV keeps its path)
    narrow_tile<false>(mr, nr, k, a, a_k_stride, b, b_row_stride, nullptr, c, c_row_stride, bias, bias_mode, ep);
  else if (nr == 16)
    gemm_tile<2, false, false>(mr, nr, k, a, a_row_stride, a_k_stride, b, b_row_stride, nullptr, c, c_row_stride,
                               bias, bias_mode, ep);
  else if (nr > 8)
    gemm_tile<2, true, false>(mr, nr, k, a, a_row_stride, a_k_stride, b, b_row_stride, nullptr, c, c_row_stride,
                              bias, bias_mode, ep);
  else if (nr == 8)
    gemm_tile<1, false, false>(mr, nr, k, a, a_row_stride, a_k_stride, b, b_row_stride, nullptr, c, c_row_stride,
                               bias, bias_mode, ep);
  else
    gemm_tile<1, true, false>(mr, nr, k, a, a_row_stride, a_k_stride, b, b_row_stride, nullptr, c, c_row_stride,
                              bias, bias_mode, ep);
}

void scc_f32_igemm_ukernel_6x16__avx2(size_t mr, size_t nr, size_t k, const float* a, size_t a_k_stride,
                                      const float* b, const ptrdiff_t* b_off, float* c, size_t c_row_stride,
                                      const float* bias, Bias bias_mode, const Epilogue& ep) {
  if (nr < kMR && mr > 1)
    narrow_tile<true>(mr, nr, k, a, a_k_stride, b, 0, b_off, c, c_row_stride, bias, bias_mode, ep);
  else if (nr == 16)
    gemm_tile<2, false, true>(mr, nr, k, a, 1, a_k_stride, b, 0, b_off, c, c_row_stride, bias, bias_mode, ep);
  else if (nr > 8)
    gemm_tile<2, true, true>(mr, nr, k, a, 1, a_k_stride, b, 0, b_off, c, c_row_stride, bias, bias_mode, ep);
  else if (nr == 8)
    gemm_tile<1, false, true>(mr, nr, k, a, 1, a_k_stride, b, 0, b_off, c, c_row_stride, bias, bias_mode, ep);
  else
    gemm_tile<1, true, true>(mr, nr, k, a, 1, a_k_stride, b, 0, b_off, c, c_row_stride, bias, bias_mode, ep);
}

}  // namespace sparsecc::ukernel
