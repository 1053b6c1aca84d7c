// Tiling of GEMM-shaped ops into micro-kernel calls; weight packing; im2col.
#include "gemm_driver.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace sparsecc::gemm {

std::vector<float> pack_a_panels(const float* w, size_t M, size_t K, size_t MR) {
  std::vector<float> out(M * K);
  for (size_t m0 = 0; m0 < M; m0 += MR) {
    const size_t mp = std::min(MR, M - m0);
    float* panel = out.data() + m0 * K;
    for (size_t k = 0; k < K; ++k)
      for (size_t i = 0; i < mp; ++i) panel[k * mp + i] = w[(m0 + i) * K + k];
  }
  return out;
}

std::vector<float> pack_b_panels(const float* b, size_t K, size_t N, size_t NR) {
  std::vector<float> out(K * N);
  for (size_t n0 = 0; n0 < N; n0 += NR) {
    const size_t np = std::min(NR, N - n0);
    float* panel = out.data() + n0 * K;
    for (size_t k = 0; k < K; ++k)
      for (size_t j = 0; j < np; ++j) panel[k * np + j] = b[k * N + n0 + j];
  }
  return out;
}

std::vector<float> pack_bt_panels(const float* w, size_t N, size_t K, size_t NR) {
  std::vector<float> out(K * N);
  for (size_t n0 = 0; n0 < N; n0 += NR) {
    const size_t np = std::min(NR, N - n0);
    float* panel = out.data() + n0 * K;
    for (size_t k = 0; k < K; ++k)
      for (size_t j = 0; j < np; ++j) panel[k * np + j] = w[(n0 + j) * K + k];
  }
  return out;
}

size_t chunk_columns(size_t K, size_t P, size_t NR) {
  // bytes of B operand kept hot per chunk: a quarter of a 1 MiB L2 (AMD Zen 4), which
  // every m-block re-reads while the output rows stream out (1 MiB chunks spilled to L3
  // there: MobileNet-v1 pw1 1.15x, pw3 1.1x the time; docs/kernels.md, "gemm")
  constexpr size_t kL2Budget = size_t(256) << 10;
  const size_t all = (P + NR - 1) / NR * NR;
  size_t cols = kL2Budget / (std::max<size_t>(K, 1) * sizeof(float)) / NR * NR;
  cols = std::max(cols, 4 * NR);
  return std::min(cols, all);
}

// Measured with bench_gemm (MobileNet-v1 pointwise layers, 1 thread, AVX-512
// 12x32 and AVX2 6x16, packB vs inplace in the same run; docs/kernels.md,
// "gemm"): reading X in place wins while K is small -- K = 32: +16%, K = 64:
// +8% (the strip copy costs as much as the math) -- is even at K = 128, and
// loses at K >= 256 (up to -40% at K = 256, P = 196: K rows at stride P
// conflict in L1 where the packed strip is contiguous).
bool pack_1x1_b(size_t K) { return K > 128; }

void copy_columns(const float* x, size_t ldx, size_t p0, size_t nc, size_t r0, size_t r1, float* dst, size_t ld) {
  for (size_t r = r0; r < r1; ++r) std::memcpy(dst + (r - r0) * ld, x + r * ldx + p0, nc * sizeof(float));
}

void ChannelGemm::run_tiles(const float* b, size_t strip_stride, size_t ldb, float* y, size_t ldy, size_t ncols,
                            size_t t0, size_t t1) const {
  const size_t nb = (ncols + v.NR - 1) / v.NR;
  const Bias mode = bias ? Bias::per_row : Bias::none;
  for (size_t t = t0; t < t1; ++t) {
    const size_t mb = t / nb, j0 = (t % nb) * v.NR;
    const size_t m0 = mb * v.MR, mr = std::min(v.MR, M - m0), nr = std::min(v.NR, ncols - j0);
    v.fn(mr, nr, K, a_packed + m0 * K, 1, mr, b + (j0 / v.NR) * strip_stride, ldb, y + m0 * ldy + j0, ldy, bias ? bias + m0 : nullptr,
         mode, ep);
  }
}

void RowGemm::run_tiles(const float* x, size_t ldx, float* y, size_t ldy, size_t t0, size_t t1) const {
  const size_t mbs = (R + v.MR - 1) / v.MR;
  const Bias mode = bias ? Bias::per_col : Bias::none;
  for (size_t t = t0; t < t1; ++t) {
    const size_t n0 = (t / mbs) * v.NR, r0 = (t % mbs) * v.MR;
    const size_t nr = std::min(v.NR, N - n0), mr = std::min(v.MR, R - r0);
    v.fn(mr, nr, K, x + r0 * ldx, ldx, 1, b_packed + n0 * K, nr, y + r0 * ldy + n0, ldy,
         bias ? bias + n0 : nullptr, mode, ep);
  }
}

void Im2col::fill(const float* x, size_t p0, size_t nc, size_t r0, size_t r1, float* dst, size_t ld) const {
  const size_t kk = kh * kw;
  for (size_t r = r0; r < r1; ++r) {
    const size_t c = r / kk, ky = (r / kw) % kh, kx = r % kw;
    float* d = dst + (r - r0) * ld;
    const int64_t off = int64_t(kx * dw) - int64_t(pl);  // iw = ow * sw + off
    size_t oh = p0 / OW, ow = p0 % OW, j = 0;
    while (j < nc) {
      const size_t seg = std::min(OW - ow, nc - j);
      const int64_t ih = int64_t(oh * sh + ky * dh) - int64_t(pt);
      float* ds = d + j;
      if (ih < 0 || ih >= int64_t(H)) {
        std::fill(ds, ds + seg, 0.0f);
      } else {
        const float* xrow = x + (c * H + size_t(ih)) * W;
        // valid s: 0 <= (ow + s) * sw + off < W
        int64_t lo = 0, hi = int64_t(seg);
        const int64_t base = int64_t(ow * sw) + off;  // iw at s = 0
        if (base < 0) lo = std::min<int64_t>(hi, (-base + int64_t(sw) - 1) / int64_t(sw));
        const int64_t last_ok = int64_t(W) - 1 - base;  // s * sw <= last_ok
        hi = last_ok < 0 ? 0 : std::min<int64_t>(hi, last_ok / int64_t(sw) + 1);
        if (hi < lo) hi = lo;
        std::fill(ds, ds + lo, 0.0f);
        if (sw == 1) {
          if (hi > lo) std::memcpy(ds + lo, xrow + base + lo, size_t(hi - lo) * sizeof(float));
        } else {
          for (int64_t s = lo; s < hi; ++s) ds[s] = xrow[base + s * int64_t(sw)];
        }
        std::fill(ds + hi, ds + seg, 0.0f);
      }
      j += seg;
      ow = 0;
      ++oh;
    }
  }
}

}  // namespace sparsecc::gemm
