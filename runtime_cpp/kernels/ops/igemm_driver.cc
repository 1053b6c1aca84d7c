// Direct conv over phase planes (see igemm_driver.h).
#include "igemm_driver.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace sparsecc::igemm {
namespace {

// dst[j] = src[2 j]: a constant stride, which the compiler vectorises (two
// loads and a shuffle per vector); with the stride in a variable it would not.
void copy_stride2(float* __restrict dst, const float* __restrict src, size_t n) {
  for (size_t j = 0; j < n; ++j) dst[j] = src[2 * j];
}

}  // namespace

DirectConv::DirectConv(IGemmFn fn, size_t MR, size_t NR, const ConvShape& s, const Epilogue& ep)
    : fn_(fn), MR_(MR), NR_(NR), s_(s), ep_(ep) {
  const size_t Hp = s.H + s.pt + s.pb, Wp = s.W + s.pl + s.pr;
  OH_ = (Hp - s.dh * (s.kh - 1) - 1) / s.sh + 1;
  OW_ = (Wp - s.dw * (s.kw - 1) - 1) / s.sw + 1;
  Hq_ = (Hp + s.sh - 1) / s.sh;
  Wq_ = (Wp + s.sw - 1) / s.sw;
  plane_ = Hq_ * Wq_;
  // only the phases a tap reads (a 1x1 stride-2 conv needs one of four)
  for (size_t ky = 0; ky < s.kh; ++ky) ph_vals_.push_back((ky * s.dh) % s.sh);
  for (size_t kx = 0; kx < s.kw; ++kx) pw_vals_.push_back((kx * s.dw) % s.sw);
  for (std::vector<size_t>* v : {&ph_vals_, &pw_vals_}) {
    std::sort(v->begin(), v->end());
    v->erase(std::unique(v->begin(), v->end()), v->end());
  }
  nph_ = ph_vals_.size();
  npw_ = pw_vals_.size();
  auto index_of = [](const std::vector<size_t>& v, size_t x) {
    return size_t(std::lower_bound(v.begin(), v.end(), x) - v.begin());
  };
  // absurd geometries (pads near 2^31) would overflow the products below:
  // report "too large" and build nothing (the op binding then fails cleanly)
  if (double(s.C) * double(nph_ * npw_) * double(Hq_) * double(Wq_) > double(kMaxPlaneFloats)) {
    planes_ = total_ = SIZE_MAX;
    chunk_ = NR;
    return;
  }
  planes_ = s.C * nph_ * npw_ * plane_;
  off_.resize(s.C * s.kh * s.kw);
  size_t max_off = 0;
  for (size_t c = 0, k = 0; c < s.C; ++c)
    for (size_t ky = 0; ky < s.kh; ++ky)
      for (size_t kx = 0; kx < s.kw; ++kx, ++k) {
        const size_t iph = index_of(ph_vals_, (ky * s.dh) % s.sh), ipw = index_of(pw_vals_, (kx * s.dw) % s.sw);
        const size_t p = (c * nph_ + iph) * npw_ + ipw;
        const size_t o = p * plane_ + (ky * s.dh / s.sh) * Wq_ + kx * s.dw / s.sw;
        off_[k] = ptrdiff_t(o);
        max_off = std::max(max_off, o);
      }
  // the last wide column of the last tile reads element max_off + OH*Wq - 1
  total_ = std::max(planes_, max_off + OH_ * Wq_);
  // chunk: the planes' rows one chunk of wide columns touches ~ 512 KiB
  constexpr size_t kBudget = size_t(512) << 10;
  const size_t per_col = s.C * nph_ * npw_ * sizeof(float);
  size_t cols = kBudget / std::max<size_t>(per_col, 1) / NR * NR;
  cols = std::max(cols, 4 * NR);
  chunk_ = std::min(cols, (OH_ * Wq_ + NR - 1) / NR * NR);
}

void DirectConv::fill_planes(const float* x, float* planes, size_t c0, size_t c1) const {
  const size_t H = s_.H, W = s_.W;
  for (size_t c = c0; c < c1; ++c) {
    const float* xc = x + c * H * W;
    for (size_t iph = 0; iph < nph_; ++iph) {
      const size_t ph = ph_vals_[iph];
      for (size_t ipw = 0; ipw < npw_; ++ipw) {
        const size_t pw = pw_vals_[ipw];
        float* dst = planes + ((c * nph_ + iph) * npw_ + ipw) * plane_;
        // valid columns j: pl <= j*sw + pw < pl + W
        const size_t jlo = s_.pl > pw ? std::min(Wq_, (s_.pl - pw + s_.sw - 1) / s_.sw) : 0;
        const size_t jend = s_.pl + W > pw ? (s_.pl + W - pw + s_.sw - 1) / s_.sw : 0;
        const size_t jhi = std::max(jlo, std::min(Wq_, jend));
        for (size_t r = 0; r < Hq_; ++r, dst += Wq_) {
          const size_t prow = r * s_.sh + ph;
          if (prow < s_.pt || prow >= s_.pt + H) {
            std::memset(dst, 0, Wq_ * sizeof(float));
            continue;
          }
          const float* xr = xc + (prow - s_.pt) * W;
          std::memset(dst, 0, jlo * sizeof(float));
          if (s_.sw == 1) {
            if (jhi > jlo) std::memcpy(dst + jlo, xr + (jlo + pw - s_.pl), (jhi - jlo) * sizeof(float));
          } else {
            const float* src = xr + (jlo * s_.sw + pw - s_.pl);
            if (s_.sw == 2) copy_stride2(dst + jlo, src, jhi - jlo);  // every stride-2 conv: vectorised
            else
              for (size_t j = jlo; j < jhi; ++j, src += s_.sw) dst[j] = *src;
          }
          std::memset(dst + jhi, 0, (Wq_ - jhi) * sizeof(float));
        }
      }
    }
  }
  if (c1 == s_.C && total_ > planes_) std::memset(planes + planes_, 0, (total_ - planes_) * sizeof(float));
}

void DirectConv::run_tiles(const float* planes, const float* a_packed, const float* bias_all, float* y, size_t q0,
                           size_t ncols, size_t t0, size_t t1) const {
  const size_t nb = (ncols + NR_ - 1) / NR_, K = off_.size(), P = OH_ * OW_;
  const ukernel::Bias mode = bias_all ? ukernel::Bias::per_row : ukernel::Bias::none;
  float tmp[16 * 64];  // one tile (MR * NR <= 1024) when it straddles output rows
  for (size_t t = t0; t < t1; ++t) {
    const size_t mb = t / nb, j0 = q0 + (t % nb) * NR_;
    const size_t m0 = mb * MR_, mr = std::min(MR_, s_.M - m0), nr = std::min(NR_, q0 + ncols - j0);
    const size_t oh = j0 / Wq_, ow = j0 % Wq_;
    const float* a = a_packed + m0 * K;
    const float* bias = bias_all ? bias_all + m0 : nullptr;
    float* yt = y + m0 * P;
    if (ow + nr <= OW_) {  // inside one output row: store in place
      fn_(mr, nr, K, a, mr, planes + j0, off_.data(), yt + oh * OW_ + ow, P, bias, mode, ep_);
      continue;
    }
    fn_(mr, nr, K, a, mr, planes + j0, off_.data(), tmp, NR_, bias, mode, ep_);
    // scatter the valid columns (ow < OW) of each output row the tile covers
    for (size_t j = 0; j < nr;) {
      const size_t q = j0 + j, r = q / Wq_, c = q % Wq_, seg = std::min(nr - j, Wq_ - c);
      if (c < OW_) {
        const size_t n = std::min(seg, OW_ - c);
        for (size_t i = 0; i < mr; ++i)
          std::memcpy(yt + i * P + r * OW_ + c, tmp + i * NR_ + j, n * sizeof(float));
      }
      j += seg;
    }
  }
}

}  // namespace sparsecc::igemm
