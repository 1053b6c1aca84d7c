// Sparse k x k convolution (kernel "spmm-g<G>" on a Conv that is not 1x1 /
// stride 1 / unpadded): the spmm micro-kernel run over the phase planes of
// the direct convolution (igemm_driver.h), no im2col.
//
// The compiler packs W [M, C, kh, kw] as the 1x1 sparse format of W reshaped
// to [M, C*kh*kw]: every (input channel, tap) is a "pseudo-channel" p = (c*kh
// + ky)*kw + kx -- the row order of the direct conv's offset table -- and a
// pseudo-group (G output channels x one pseudo-channel) is stored when any of
// its G weights is nonzero; a zeroed group of the group-sparsity pattern (G
// outputs x 1 input channel x the whole kernel) is kh*kw zero pseudo-groups,
// all dropped. At load time each nonzero's byte increment is the difference of
// the plane offsets of consecutive pseudo-channels (any sign), so the kernel
// walks the phase planes exactly as it walks input channels of a 1x1 conv.
// The kernel writes "wide" rows (OH x Wq columns of the phase planes, see
// igemm_driver.h) into scratch; the valid OW columns of each row are then
// copied to Y. The fused epilogue runs in the kernel (on the dropped columns
// too: harmless).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "../spmm/spmm-driver.h"
#include "igemm_driver.h"

namespace sparsecc::spmm {

struct SpmmConvKxk {
  ukernel::SpmmFn fn = nullptr;
  const SparseWeights* sw = nullptr;  // pseudo-channels: C = C_in * kh * kw
  const igemm::DirectConv* geom = nullptr;
  std::vector<int32_t> dmap;          // byte increments between consecutive nonzeros' plane offsets
  size_t mr = 0, lanes = 1;
  bool masked = false;
  ukernel::Epilogue ep;

  // Checks that every offset difference fits the 32-bit increments (planes are
  // at most igemm::kMaxPlaneFloats floats, so they always do) and builds dmap.
  void build() {
    const auto& off = geom->offsets();
    dmap.resize(sw->nnz_total);
    ptrdiff_t prev = 0;
    for (size_t i = 0; i < sw->nnz_total; ++i) {
      const ptrdiff_t o = off[size_t(sw->chan[i])];
      dmap[i] = int32_t((o - prev) * ptrdiff_t(sizeof(float)));
      prev = o;
    }
  }

  size_t wide() const { return geom->wide_columns(); }

  // One image: planes already filled (geom->fill_planes); out_wide holds M x
  // wide() floats; y is [M][OH*OW].
  template <typename Par>
  void run(const float* values, const float* planes, float* out_wide, float* y, size_t threads, Par&& par) const {
    const size_t Q = wide(), M = sw->M, G = sw->G;
    constexpr size_t kBlock = 128;
    const size_t blocks = threads <= 1 ? 1 : (Q + kBlock - 1) / kBlock;
    const size_t want_chunks = threads <= 1 || blocks >= 2 * threads ? 1 : (2 * threads + blocks - 1) / blocks;
    const std::vector<size_t> rb = balanced_rows(*sw, want_chunks);
    const size_t chunks = rb.size() - 1, bsize = blocks == 1 ? Q : kBlock;
    const auto& off = geom->offsets();
    par(blocks * chunks, [&](size_t t0, size_t t1) {
      for (size_t t = t0; t < t1; ++t) {
        const size_t c = t % chunks, b = t / chunks, r0 = rb[c], r1 = rb[c + 1];
        const size_t p0 = b * bsize, n = std::min(bsize, Q - p0);
        const size_t first = sw->nz_off[r0];
        const ptrdiff_t base = first == 0 ? 0 : off[size_t(sw->chan[first - 1])];
        const size_t nc = std::min(r1 * G, M) - r0 * G;
        const std::vector<size_t> tiles = pixel_tiles(n, mr, lanes, masked);
        for (size_t k = 0; k + 1 < tiles.size(); ++k) {
          const size_t p = p0 + tiles[k];
          fn(tiles[k + 1] - tiles[k], nc, planes + base + p, values + sw->value_off[r0], dmap.data() + first,
             sw->nnz.data() + r0, out_wide + r0 * G * Q + p, Q, 0, ep);
        }
      }
    });
    // valid columns of each wide row into y
    const size_t OH = geom->OH(), OW = geom->OW(), Wq = geom->wide_width();
    par(M, [&](size_t m0, size_t m1) {
      for (size_t m = m0; m < m1; ++m)
        for (size_t oh = 0; oh < OH; ++oh)
          std::memcpy(y + (m * OH + oh) * OW, out_wide + m * Q + oh * Wq, OW * sizeof(float));
    });
  }
};

}  // namespace sparsecc::spmm
