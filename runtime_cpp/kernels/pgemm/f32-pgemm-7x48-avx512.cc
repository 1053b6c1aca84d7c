// AVX-512F 7x48 pixel-broadcast GEMM (contract: ukernel::PGemmFn in
// ../ukernel.h; compiled with -mavx512f -mfma, called after a run-time CPU
// check).
//
// Register blocking: 7 pixels x 3 vectors (48 output channels) = 21
// accumulators; per k step 3 loads of the weight panel, 7 broadcasts of input
// pixels and 21 FMAs. Seven pixels because the planes where the column tiles
// waste lanes are 7x7 and 14x14 (every tile full); nc <= 32 or 16 uses 2 or 1
// vectors, the last one masked; pixels beyond np re-read pixel np - 1 (not
// stored). The tile is stored through a stack copy, transposed: channel c of
// pixel p goes to y[c * y_stride + y_pix[p]].
#include "../gemm/f32-avx512-epilogue.h"
#include "f32-pgemm.h"

namespace sparsecc::ukernel {
namespace {

constexpr size_t kPT = 7, kNR = 48;

#define SCC_P_DECL(p) __m512 c##p##0 = start(p, 0), c##p##1 = start(p, 1), c##p##2 = start(p, 2);
#define SCC_P_FMA(p)                                                    \
  {                                                                     \
    const __m512 xv = _mm512_set1_ps(xk[px##p]);                        \
    c##p##0 = _mm512_fmadd_ps(xv, w0, c##p##0);                         \
    if constexpr (NV >= 2) c##p##1 = _mm512_fmadd_ps(xv, w1, c##p##1);  \
    if constexpr (NV >= 3) c##p##2 = _mm512_fmadd_ps(xv, w2, c##p##2);  \
  }
#define SCC_P_OUT(p) acc[p][0] = c##p##0, acc[p][1] = c##p##1, acc[p][2] = c##p##2;

template <int NV>
void pgemm_tile(size_t np, size_t nc, size_t k, const float* w, size_t w_k_stride, const float* x,
                const ptrdiff_t* x_off, const ptrdiff_t* x_pix, float* acc_io, uint32_t flags, float* y,
                size_t y_stride, const ptrdiff_t* y_pix, const float* bias, const Epilogue& ep) {
  const __mmask16 mask = tail_mask(nc - size_t(NV - 1) * 16);
  const ptrdiff_t px0 = x_pix[0], px1 = x_pix[np > 1 ? 1 : np - 1], px2 = x_pix[np > 2 ? 2 : np - 1],
                  px3 = x_pix[np > 3 ? 3 : np - 1], px4 = x_pix[np > 4 ? 4 : np - 1],
                  px5 = x_pix[np > 5 ? 5 : np - 1], px6 = x_pix[np > 6 ? 6 : np - 1];
  // running sums of an earlier k block (rows of acc_io past np, lanes past nc: never read)
  const bool resume = flags & kPGemmAccumulate;
  auto start = [&](size_t p, int v) {
    if (!resume || p >= np || v >= NV) return _mm512_setzero_ps();
    return v < NV - 1 ? _mm512_loadu_ps(acc_io + p * kNR + 16 * v)
                      : _mm512_maskz_loadu_ps(mask, acc_io + p * kNR + 16 * v);
  };
  SCC_P_DECL(0) SCC_P_DECL(1) SCC_P_DECL(2) SCC_P_DECL(3) SCC_P_DECL(4) SCC_P_DECL(5) SCC_P_DECL(6)
  for (size_t kk = 0; kk < k; ++kk, w += w_k_stride) {
    const float* xk = x + x_off[kk];
    __m512 w0, w1 = _mm512_setzero_ps(), w2 = _mm512_setzero_ps();
    if constexpr (NV == 1) {
      w0 = _mm512_maskz_loadu_ps(mask, w);
    } else if constexpr (NV == 2) {
      w0 = _mm512_loadu_ps(w);
      w1 = _mm512_maskz_loadu_ps(mask, w + 16);
    } else {
      w0 = _mm512_loadu_ps(w);
      w1 = _mm512_loadu_ps(w + 16);
      w2 = _mm512_maskz_loadu_ps(mask, w + 32);
    }
    SCC_P_FMA(0) SCC_P_FMA(1) SCC_P_FMA(2) SCC_P_FMA(3) SCC_P_FMA(4) SCC_P_FMA(5) SCC_P_FMA(6)
  }
  __m512 acc[kPT][3];
  SCC_P_OUT(0) SCC_P_OUT(1) SCC_P_OUT(2) SCC_P_OUT(3) SCC_P_OUT(4) SCC_P_OUT(5) SCC_P_OUT(6)

  if (flags & kPGemmPartial) {  // raw sums for the next k block
    for (size_t p = 0; p < np; ++p)
      for (int v = 0; v < NV; ++v) _mm512_mask_storeu_ps(acc_io + p * kNR + 16 * v, v < NV - 1 ? 0xffff : mask, acc[p][v]);
    return;
  }
  __m512 bb[3] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
  if (bias)
    for (int v = 0; v < NV; ++v)
      bb[v] = v < NV - 1 ? _mm512_loadu_ps(bias + 16 * v) : _mm512_maskz_loadu_ps(mask, bias + 16 * v);
  const bool in_regs = act_is_piecewise_linear(ep.act);
  alignas(64) float tile[kPT][kNR];
  for (size_t p = 0; p < np; ++p)
    for (int v = 0; v < NV; ++v) {
      __m512 r = _mm512_add_ps(acc[p][v], bb[v]);
      if (in_regs) r = act_vec(ep, r);
      _mm512_store_ps(&tile[p][16 * v], r);
    }
  if (!in_regs) apply_epilogue_rows(ep, np, nc, &tile[0][0], kNR);
  for (size_t c = 0; c < nc; ++c) {
    float* yc = y + c * y_stride;
    for (size_t p = 0; p < np; ++p) yc[y_pix[p]] = tile[p][c];
  }
}

#undef SCC_P_DECL
#undef SCC_P_FMA
#undef SCC_P_OUT

}  // namespace

void scc_f32_pgemm_ukernel_7x48__avx512(size_t np, size_t nc, size_t k, const float* w, size_t w_k_stride,
                                        const float* x, const ptrdiff_t* x_off, const ptrdiff_t* x_pix, float* acc,
                                        uint32_t flags, float* y, size_t y_stride, const ptrdiff_t* y_pix,
                                        const float* bias, const Epilogue& ep) {
  if (nc > 32)
    pgemm_tile<3>(np, nc, k, w, w_k_stride, x, x_off, x_pix, acc, flags, y, y_stride, y_pix, bias, ep);
  else if (nc > 16)
    pgemm_tile<2>(np, nc, k, w, w_k_stride, x, x_off, x_pix, acc, flags, y, y_stride, y_pix, bias, ep);
  else
    pgemm_tile<1>(np, nc, k, w, w_k_stride, x, x_off, x_pix, acc, flags, y, y_stride, y_pix, bias, ep);
}

}  // namespace sparsecc::ukernel
