// AVX2+FMA 6x16 pixel-broadcast GEMM (contract: ukernel::PGemmFn in
// ../ukernel.h; this file alone is compiled with -mavx2 -mfma and is only
// called after a run-time CPU check).
//
// Register blocking: 6 pixels x 2 vectors (16 output channels) = 12
// accumulators, the 6x16 GEMM tile's shape with the operands swapped: per k
// step two loads of the weight panel, six broadcasts of input pixels and
// twelve FMAs. A 7x7 plane is nine tiles (54 pixel slots for 49, where the
// column tiles fill 64 lanes, or igemm's 63 wide columns). nc <= 8 uses one
// vector; a partial last vector is loaded masked and stored through the tile
// copy; pixels beyond np re-read pixel np - 1 (not stored). The tile is stored
// through a stack copy, transposed: channel c of pixel p goes to
// y[c * y_stride + y_pix[p]].
#include <immintrin.h>

#include "../gemm/f32-avx2-epilogue.h"
#include "f32-pgemm.h"

namespace sparsecc::ukernel {
namespace {

constexpr size_t kPT = 6, kNR = 16;

// NV = vectors of channels (1 or 2); kMask = the last one is partial (nc % 8 != 0).
template <int NV, bool kMask>
void pgemm_tile(size_t np, size_t nc, size_t k, const float* w, size_t w_k_stride, const float* x,
                const ptrdiff_t* x_off, const ptrdiff_t* x_pix, float* acc_io, uint32_t flags, float* y,
                size_t y_stride, const ptrdiff_t* y_pix, const float* bias, const Epilogue& ep) {
  const __m256i mask = tail_mask(nc - size_t(NV - 1) * 8);
  auto load_last = [&](const float* p) { return kMask ? _mm256_maskload_ps(p, mask) : _mm256_loadu_ps(p); };
  const ptrdiff_t px0 = x_pix[0], px1 = x_pix[np > 1 ? 1 : np - 1], px2 = x_pix[np > 2 ? 2 : np - 1],
                  px3 = x_pix[np > 3 ? 3 : np - 1], px4 = x_pix[np > 4 ? 4 : np - 1],
                  px5 = x_pix[np > 5 ? 5 : np - 1];
  // running sums of an earlier k block (rows of acc_io past np, lanes past nc: never read)
  const bool resume = flags & kPGemmAccumulate;
  auto start = [&](size_t p, int v) {
    if (!resume || p >= np || v >= NV) return _mm256_setzero_ps();
    return v < NV - 1 ? _mm256_loadu_ps(acc_io + p * kNR + 8 * v) : load_last(acc_io + p * kNR + 8 * v);
  };
  __m256 c00 = start(0, 0), c01 = start(0, 1), c10 = start(1, 0), c11 = start(1, 1), c20 = start(2, 0),
         c21 = start(2, 1), c30 = start(3, 0), c31 = start(3, 1), c40 = start(4, 0), c41 = start(4, 1),
         c50 = start(5, 0), c51 = start(5, 1);
  for (size_t kk = 0; kk < k; ++kk, w += w_k_stride) {
    const float* xk = x + x_off[kk];
    __m256 w0, w1 = _mm256_setzero_ps();
    if constexpr (NV == 2) {
      w0 = _mm256_loadu_ps(w);
      w1 = load_last(w + 8);
    } else {
      w0 = load_last(w);
    }
    __m256 xv = _mm256_broadcast_ss(xk + px0);
    c00 = _mm256_fmadd_ps(xv, w0, c00);
    if constexpr (NV == 2) c01 = _mm256_fmadd_ps(xv, w1, c01);
    xv = _mm256_broadcast_ss(xk + px1);
    c10 = _mm256_fmadd_ps(xv, w0, c10);
    if constexpr (NV == 2) c11 = _mm256_fmadd_ps(xv, w1, c11);
    xv = _mm256_broadcast_ss(xk + px2);
    c20 = _mm256_fmadd_ps(xv, w0, c20);
    if constexpr (NV == 2) c21 = _mm256_fmadd_ps(xv, w1, c21);
    xv = _mm256_broadcast_ss(xk + px3);
    c30 = _mm256_fmadd_ps(xv, w0, c30);
    if constexpr (NV == 2) c31 = _mm256_fmadd_ps(xv, w1, c31);
    xv = _mm256_broadcast_ss(xk + px4);
    c40 = _mm256_fmadd_ps(xv, w0, c40);
    if constexpr (NV == 2) c41 = _mm256_fmadd_ps(xv, w1, c41);
    xv = _mm256_broadcast_ss(xk + px5);
    c50 = _mm256_fmadd_ps(xv, w0, c50);
    if constexpr (NV == 2) c51 = _mm256_fmadd_ps(xv, w1, c51);
  }
  __m256 acc[kPT][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};

  alignas(32) float tile[kPT][kNR];
  if (flags & kPGemmPartial) {  // raw sums for the next k block (whole vectors: acc_io rows are kNR wide)
    for (size_t p = 0; p < np; ++p)
      for (int v = 0; v < NV; ++v) _mm256_storeu_ps(acc_io + p * kNR + 8 * v, acc[p][v]);
    return;
  }
  __m256 bb[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()};
  if (bias) {
    if constexpr (NV == 2) bb[0] = _mm256_loadu_ps(bias);
    bb[NV - 1] = load_last(bias + 8 * (NV - 1));
  }
  const bool in_regs = act_is_piecewise_linear(ep.act);
  for (size_t p = 0; p < np; ++p)
    for (int v = 0; v < NV; ++v) {
      __m256 r = _mm256_add_ps(acc[p][v], bb[v]);
      if (in_regs) r = act_vec(ep, r);
      _mm256_store_ps(&tile[p][8 * v], r);
    }
  if (!in_regs) apply_epilogue_rows(ep, np, nc, &tile[0][0], kNR);
  for (size_t c = 0; c < nc; ++c) {
    float* yc = y + c * y_stride;
    for (size_t p = 0; p < np; ++p) yc[y_pix[p]] = tile[p][c];
  }
}

}  // namespace

void scc_f32_pgemm_ukernel_6x16__avx2(size_t np, size_t nc, size_t k, const float* w, size_t w_k_stride,
                                      const float* x, const ptrdiff_t* x_off, const ptrdiff_t* x_pix, float* acc,
                                      uint32_t flags, float* y, size_t y_stride, const ptrdiff_t* y_pix,
                                      const float* bias, const Epilogue& ep) {
  if (nc == 16)
    pgemm_tile<2, false>(np, nc, k, w, w_k_stride, x, x_off, x_pix, acc, flags, y, y_stride, y_pix, bias, ep);
  else if (nc > 8)
    pgemm_tile<2, true>(np, nc, k, w, w_k_stride, x, x_off, x_pix, acc, flags, y, y_stride, y_pix, bias, ep);
  else if (nc == 8)
    pgemm_tile<1, false>(np, nc, k, w, w_k_stride, x, x_off, x_pix, acc, flags, y, y_stride, y_pix, bias, ep);
  else
    pgemm_tile<1, true>(np, nc, k, w, w_k_stride, x, x_off, x_pix, acc, flags, y, y_stride, y_pix, bias, ep);
}

}  // namespace sparsecc::ukernel
