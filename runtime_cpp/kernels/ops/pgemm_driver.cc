// Pixel-broadcast conv driver (see pgemm_driver.h).
#include "pgemm_driver.h"

#include <algorithm>

namespace sparsecc::pgemm {

PixelConv::PixelConv(PGemmFn fn, size_t PT, size_t NR, size_t M, size_t K, size_t P, const Epilogue& ep)
    : fn_(fn), PT_(PT), NR_(NR), M_(M), K_(K), P_(P), ep_(ep), x_off_(K), x_pix_(P), y_pix_(P) {
  for (size_t k = 0; k < K; ++k) x_off_[k] = ptrdiff_t(k * P);
  for (size_t p = 0; p < P; ++p) x_pix_[p] = y_pix_[p] = ptrdiff_t(p);
}

PixelConv::PixelConv(PGemmFn fn, size_t PT, size_t NR, std::shared_ptr<const igemm::DirectConv> planes, size_t M,
                     const Epilogue& ep)
    : fn_(fn), PT_(PT), NR_(NR), M_(M), K_(planes->K()), P_(planes->OH() * planes->OW()), ep_(ep),
      planes_(std::move(planes)), x_off_(planes_->offsets()), x_pix_(P_), y_pix_(P_) {
  const size_t OW = planes_->OW(), Wq = planes_->wide_width();
  for (size_t p = 0; p < P_; ++p) {
    x_pix_[p] = ptrdiff_t((p / OW) * Wq + p % OW);
    y_pix_[p] = ptrdiff_t(p);
  }
}

void PixelConv::run_panels(const float* x, const float* w_packed, const float* bias, float* y, float* sums,
                           size_t q0, size_t q1) const {
  const size_t pt = pixel_tiles(), tile_floats = PT_ * NR_;
  for (size_t q = q0; q < q1; ++q) {
    const size_t c0 = q * NR_, nc = std::min(NR_, M_ - c0);
    const float* w = w_packed + c0 * K_;
    // running sums only when K spans several blocks (scratch_floats() has none otherwise)
    float* acc = K_ > kKBlock ? sums + q * pt * tile_floats : nullptr;
    for (size_t k0 = 0; k0 < K_; k0 += kKBlock) {
      const size_t kn = std::min(kKBlock, K_ - k0);
      const uint32_t flags = (k0 > 0 ? ukernel::kPGemmAccumulate : 0u) | (k0 + kn < K_ ? ukernel::kPGemmPartial : 0u);
      for (size_t s = 0; s < pt; ++s) {
        const size_t p0 = s * PT_, np = std::min(PT_, P_ - p0);
        float* sums_s = acc ? acc + s * tile_floats : nullptr;
        fn_(np, nc, kn, w + k0 * nc, nc, x, x_off_.data() + k0, x_pix_.data() + p0, sums_s, flags, y + c0 * P_, P_,
            y_pix_.data() + p0, bias ? bias + c0 : nullptr, ep_);
      }
    }
  }
}

}  // namespace sparsecc::pgemm
