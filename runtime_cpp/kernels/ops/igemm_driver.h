// Direct convolution as a GEMM over shifted input rows ("igemm"): no im2col
// matrix. Free of the runtime's session types so that the micro-benchmark and
// the tests run the very code the op binding (igemm_ops.cc) runs.
//
// Per image the input is copied once into scratch as zero-padded *phase
// planes*: for stride (sh, sw), phase (ph, pw) of channel c holds the padded
// rows ph, ph + sh, ... and columns pw, pw + sw, ... (Hq x Wq floats, Wq =
// ceil(padded width / sw)); only the phases some tap reads are stored. Output
// pixel (oh, ow) of tap (ky, kx) is then element (oh + ky*dh/sh, ow + kx*dw/sw)
// of phase ((ky*dh) % sh, (kx*dw) % sw): with "wide" columns q = oh*Wq + ow
// (ow < Wq; columns with ow >= OW are computed and dropped), B row k = (c, ky,
// kx) -- the ONNX weight order, so the A-panels of gemm_driver.h are reused
// unchanged -- is the plane data starting at base + off[k], a K-entry offset
// table built at prepare time. Stride 1 is just the padded image.
#pragma once

#include <cstddef>
#include <vector>

#include "../ukernel.h"

namespace sparsecc::igemm {

using ukernel::Epilogue;
using ukernel::IGemmFn;

// Phase-plane floats beyond which the op binding (and the compiler's spec)
// fall back to im2col-gemm: 256 MiB of scratch is not a reasonable trade.
constexpr size_t kMaxPlaneFloats = size_t(1) << 26;

struct ConvShape {
  size_t C, H, W, M, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
};

class DirectConv {
 public:
  // fn: igemm micro-kernel of tile MR x NR. Geometry only (the weights are
  // passed per call). Check plane_floats() <= kMaxPlaneFloats before use
  // (SIZE_MAX when the planes would exceed it: nothing else is then built).
  DirectConv(IGemmFn fn, size_t MR, size_t NR, const ConvShape& s, const Epilogue& ep);

  size_t OH() const { return OH_; }
  size_t OW() const { return OW_; }
  size_t K() const { return off_.size(); }
  size_t channels() const { return s_.C; }
  // Floats of the phase planes of one image, including the zeroed slack the
  // last tile's vectors read past the last plane.
  size_t scratch_floats() const { return total_; }
  size_t plane_floats() const { return planes_; }
  size_t wide_columns() const { return OH_ * Wq_; }
  size_t wide_width() const { return Wq_; }  // Wq: wide column q is output pixel (q / Wq, q % Wq)
  // Per B row k = (c, ky, kx): where its data starts in the planes (floats).
  // The sparse k x k conv (spmm_kxk.h) walks the same table.
  const std::vector<ptrdiff_t>& offsets() const { return off_; }
  // Columns per cache chunk (multiple of NR): the planes' data one chunk
  // touches stays around L2 size.
  size_t chunk_columns() const { return chunk_; }
  size_t tiles(size_t ncols) const { return mblocks() * ((ncols + NR_ - 1) / NR_); }

  // Phase planes of input channels [c0, c1) of image x ([C][H][W]) into
  // `planes` (scratch_floats() floats; the slack is zeroed with channel C-1).
  void fill_planes(const float* x, float* planes, size_t c0, size_t c1) const;
  // Tiles [t0, t1) of the wide columns [q0, q0 + ncols) (m-block major),
  // writing the valid pixels of y ([M][OH*OW]). a_packed: W [M][C*kh*kw] in
  // A-panels of MR rows (gemm::pack_a_panels); bias [M] or nullptr.
  void run_tiles(const float* planes, const float* a_packed, const float* bias, float* y, size_t q0, size_t ncols,
                 size_t t0, size_t t1) const;

 private:
  size_t mblocks() const { return (s_.M + MR_ - 1) / MR_; }
  IGemmFn fn_;
  size_t MR_, NR_;
  ConvShape s_;
  Epilogue ep_;
  size_t OH_, OW_, Hq_, Wq_, plane_, planes_, total_, chunk_;
  std::vector<size_t> ph_vals_, pw_vals_;  // the phases some tap reads, ascending (stored in this order)
  size_t nph_, npw_;
  std::vector<ptrdiff_t> off_;
};

// One image: fill the planes (split over channels), then the tiles chunk by
// chunk (split over m-blocks x column strips). par(n, body) must call
// body(begin, end) over a partition of [0, n).
template <typename Par>
void conv_image(const DirectConv& d, const float* a_packed, const float* bias, const float* x, float* y,
                float* planes, Par&& par) {
  par(d.channels(), [&](size_t c0, size_t c1) { d.fill_planes(x, planes, c0, c1); });
  const size_t Q = d.wide_columns(), chunk = d.chunk_columns();
  for (size_t q0 = 0; q0 < Q; q0 += chunk) {
    const size_t nc = chunk < Q - q0 ? chunk : Q - q0;
    par(d.tiles(nc), [&](size_t t0, size_t t1) { d.run_tiles(planes, a_packed, bias, y, q0, nc, t0, t1); });
  }
}

}  // namespace sparsecc::igemm
