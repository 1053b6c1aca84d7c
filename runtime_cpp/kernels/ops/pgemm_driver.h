// Conv as a pixel-broadcast GEMM ("pgemm"): output channels are the vector
// operand, pixels the broadcast one (ukernel::PGemmFn). For the small planes
// of a network's last stage (7x7) the column tiles of gemm_driver.h /
// igemm_driver.h round the pixels up to whole vectors (49 -> 64 lanes, and the
// igemm wide columns 63 of a padded 7x7); here every lane holds a channel and
// a tile is any PT pixels. Free of the runtime's session types so the tests
// and bench_gemm run the code the op binding (pgemm_ops.cc) runs.
//
// Weights: B-panels of W^T (gemm::pack_bt_panels(W [M][K], M, K, NR)): panel q
// holds channels [q*NR, q*NR + nq) as [K][nq]. B rows: a plain 1x1 conv reads
// X [K][P] in place (row k at k*P, pixel p at p); any other group-1 conv reads
// the zero-padded phase planes and offset table of igemm::DirectConv (pixel
// (oh, ow) at oh*Wq + ow).
//
// Order: per channel panel, k block by k block (kKBlock rows of the panel,
// 24 KiB, stay in L1), every pixel tile; running sums between blocks go to a
// per-panel scratch (ukernel::kPGemmPartial / kPGemmAccumulate). Without the
// blocking every pixel tile would stream the whole panel: about 4.5x the
// weight bandwidth per FMA of the column tiles, from L3 when the weights are
// cold (the usual case in a network; an estimate, docs/kernels.md).
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "../ukernel.h"
#include "igemm_driver.h"

namespace sparsecc::pgemm {

using ukernel::Epilogue;
using ukernel::PGemmFn;

class PixelConv {
 public:
  // A plain 1x1 conv (stride 1, no padding, dilation 1) of P pixels.
  PixelConv(PGemmFn fn, size_t PT, size_t NR, size_t M, size_t K, size_t P, const Epilogue& ep);
  // Any other group-1 conv: B rows come from the phase planes of `planes`.
  PixelConv(PGemmFn fn, size_t PT, size_t NR, std::shared_ptr<const igemm::DirectConv> planes, size_t M,
            const Epilogue& ep);

  static constexpr size_t kKBlock = 128;
  size_t panels() const { return (M_ + NR_ - 1) / NR_; }
  // Floats of scratch one image needs: the phase planes (none for a plain 1x1
  // conv), then the running sums of every panel's pixel tiles (only when K
  // spans more than one k block).
  size_t scratch_floats() const {
    return plane_floats() + (K_ > kKBlock ? panels() * pixel_tiles() * PT_ * NR_ : 0);
  }
  // Channel panels [q0, q1). x: the image [K][P] (1x1) or its filled phase
  // planes; sums: scratch for the running sums (scratch + plane_floats()).
  void run_panels(const float* x, const float* w_packed, const float* bias, float* y, float* sums, size_t q0,
                  size_t q1) const;
  // One image; par(n, body) must call body(begin, end) over a partition of [0, n).
  template <typename Par>
  void conv_image(const float* w_packed, const float* bias, const float* x, float* y, float* scratch,
                  Par&& par) const {
    const float* b = x;
    if (planes_) {
      par(planes_->channels(), [&](size_t c0, size_t c1) { planes_->fill_planes(x, scratch, c0, c1); });
      b = scratch;
    }
    float* sums = scratch + plane_floats();
    par(panels(), [&](size_t q0, size_t q1) { run_panels(b, w_packed, bias, y, sums, q0, q1); });
  }

 private:
  size_t pixel_tiles() const { return (P_ + PT_ - 1) / PT_; }
  size_t plane_floats() const { return planes_ ? planes_->scratch_floats() : 0; }
  PGemmFn fn_;
  size_t PT_, NR_, M_, K_, P_;
  Epilogue ep_;
  std::shared_ptr<const igemm::DirectConv> planes_;
  std::vector<ptrdiff_t> x_off_, x_pix_, y_pix_;
};

}  // namespace sparsecc::pgemm
