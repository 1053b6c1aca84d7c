// Driver of the sparse 1x1 conv: the run-time form of a packed sparse weight
// (from the index stream the compiler stores as the node attribute
// `spmm_index`), its validation, and the split of one image's SpMM into
// micro-kernel calls. Header-only and free of session types, so the op binding
// (../ops/spmm_ops.cc), the kernel tests and the micro-benchmark run the very
// same code. Format and packing: docs/kernels.md, section "spmm";
// compiler twin: compiler/lower/kernel_specs/spmm.py.
//
// Index stream (ints): per group row r = 0 .. ceil(M/G)-1: n_r, then n_r
// input-channel deltas. The deltas are one running sequence over all rows
// (row-major): each nonzero's input channel minus the previous nonzero's
// (the first one minus 0). Values (floats): per row, G bias values, then per
// nonzero its G weights (output channel r*G + g at position g; channels past
// M in the last row are zero padding).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "../dispatch.h"
#include "../ukernel.h"

namespace sparsecc::spmm {

struct SparseWeights {
  size_t G = 0, M = 0, C = 0, rows = 0, nnz_total = 0, n_values = 0;
  std::vector<int64_t> chan;        // input channel of each nonzero (validated: 0 <= chan < C)
  std::vector<uint32_t> nnz;        // per row
  std::vector<size_t> value_off;    // per row + 1: float offset of the row's bias in the values
  std::vector<size_t> nz_off;       // per row + 1: index of the row's first nonzero
};

// Parses and checks an index stream; returns "" or a one-line error.
inline std::string parse_index(const std::vector<int64_t>& idx, size_t G, size_t M, size_t C, SparseWeights& out) {
  out = SparseWeights{};
  out.G = G, out.M = M, out.C = C, out.rows = (M + G - 1) / G;
  size_t pos = 0;
  int64_t ch = 0;
  out.value_off.push_back(0);
  out.nz_off.push_back(0);
  for (size_t r = 0; r < out.rows; ++r) {
    if (pos >= idx.size()) return "index ends before group row " + std::to_string(r) + " of " + std::to_string(out.rows);
    const int64_t n = idx[pos++];
    if (n < 0 || uint64_t(n) > C || uint64_t(n) > idx.size() - pos)
      return "group row " + std::to_string(r) + " has an invalid nonzero count " + std::to_string(n);
    for (int64_t k = 0; k < n; ++k) {
      const int64_t d = idx[pos++];
      if (d < -int64_t(C) || d > int64_t(C) || ch + d < 0 || ch + d >= int64_t(C))
        return "group row " + std::to_string(r) + ": input channel delta " + std::to_string(d) + " leaves [0, " +
               std::to_string(C) + ")";
      ch += d;
      out.chan.push_back(ch);
    }
    out.nnz.push_back(uint32_t(n));
    out.nz_off.push_back(out.chan.size());
    out.value_off.push_back(out.value_off.back() + G * (1 + size_t(n)));
  }
  if (pos != idx.size()) return "index has " + std::to_string(idx.size() - pos) + " values past the last group row";
  out.nnz_total = out.chan.size();
  out.n_values = out.value_off.back();
  return "";
}

// Byte increments of the input pointer for input channel stride `stride` floats.
inline std::vector<int32_t> byte_increments(const SparseWeights& sw, size_t stride) {
  std::vector<int32_t> d(sw.nnz_total);
  int64_t prev = 0;
  for (size_t i = 0; i < sw.nnz_total; ++i) {
    d[i] = int32_t((sw.chan[i] - prev) * int64_t(stride) * int64_t(sizeof(float)));
    prev = sw.chan[i];
  }
  return d;
}

// True if every increment fits int32 (C * stride * 4 bytes < 2^31).
inline bool increments_fit(size_t C, size_t stride) { return uint64_t(C) * stride * sizeof(float) < (uint64_t(1) << 31); }

// Row chunks of roughly equal nonzero work (each row costs nnz + 1 for its bias
// and store): boundaries b[0] = 0 < ... < b[k] = rows, k <= want.
inline std::vector<size_t> balanced_rows(const SparseWeights& sw, size_t want) {
  const size_t rows = sw.rows;
  want = std::max<size_t>(1, std::min(want, rows));
  const double total = double(sw.nnz_total + rows);
  std::vector<size_t> b = {0};
  double acc = 0;
  size_t next = 1;
  for (size_t r = 0; r < rows && next < want; ++r) {
    acc += double(sw.nnz[r]) + 1.0;
    if (acc >= total * double(next) / double(want)) {
      if (r + 1 > b.back() && r + 1 < rows) b.push_back(r + 1);
      ++next;
    }
  }
  b.push_back(rows);
  return b;
}

// True if every group row lists its input channels in non-decreasing order
// (what both packers write): then the nonzeros of a row that fall in an input
// channel block are one contiguous range, which input-channel blocking needs.
inline bool rows_sorted(const SparseWeights& sw) {
  for (size_t r = 0; r < sw.rows; ++r)
    for (size_t i = sw.nz_off[r] + 1; i < sw.nz_off[r + 1]; ++i)
      if (sw.chan[i] < sw.chan[i - 1]) return false;
  return true;
}

// Pixel tiles of [0, n) for a kernel whose strip is `mr` pixels. With cheap
// masked tails (`masked`: AVX2 / AVX-512) the vectors are spread evenly over
// ceil(n / mr) tiles -- 196 pixels = 13 vectors of 16 as 4 + 3 + 3 + 3 instead
// of 4 + 4 + 4 + one quarter-filled vector, a pass over all weights for 4
// pixels; otherwise whole strips then the rest (the kernel's own tail).
// Returns the tile starts, last = n.
inline std::vector<size_t> pixel_tiles(size_t n, size_t mr, size_t lanes, bool masked) {
  std::vector<size_t> t = {0};
  if (mr == 0 || n <= mr) return t.push_back(n), t;
  const size_t tiles = (n + mr - 1) / mr;
  if (!masked) {
    for (size_t p = mr; p < n; p += mr) t.push_back(p);
  } else {
    const size_t vecs = (n + lanes - 1) / lanes;
    for (size_t k = 1; k < tiles; ++k) t.push_back(std::min(n, (vecs * k / tiles) * lanes));
  }
  t.push_back(n);
  return t;
}

// One image: out[M][P] = act(W . in[C][P]). Work items = pixel blocks x row
// chunks, handed to par(n_items, body(begin, end)). Pixel blocks are 128
// pixels (a multiple of every arch's strip width); when there are fewer blocks
// than 2 x threads, the rows are also split, balanced by nonzero count.
//
// Inside a work item the pixels are cut into tiles of about the kernel's strip
// (pixel_tiles). When a tile's slice of the input (C x tile x 4 bytes) does not
// fit the L1 budget, the input channels are split into `cblocks` blocks: per
// tile, per block, every group row of the item runs over its nonzeros of that
// block (one kernel call per row, partial sums kept in the output: the first
// block starts from the bias, the last applies the epilogue) -- the block's
// input slice stays in L1 across all rows instead of every row streaming the
// whole slice from L2 (7x7 / 14x14 layers with C = 512 / 1024).
struct SpmmImage {
  ukernel::SpmmFn fn = nullptr;
  const SparseWeights* sw = nullptr;
  const int32_t* dmap = nullptr;  // byte_increments(*sw, P)
  size_t P = 0;                   // pixels (= input channel stride)
  ukernel::Epilogue ep;
  // set by plan(); defaults: one call per item over all its pixels and rows
  size_t mr = 0, lanes = 1;
  bool masked = false;
  size_t cblocks = 1;
  std::vector<size_t> block_nz;  // (rows x (cblocks + 1)): first nonzero of row r in block b

  SpmmImage() = default;
  SpmmImage(ukernel::SpmmFn fn_, const SparseWeights* sw_, const int32_t* dmap_, size_t P_, const ukernel::Epilogue& ep_)
      : fn(fn_), sw(sw_), dmap(dmap_), P(P_), ep(ep_) {}

  static constexpr size_t kBlock = 128;
  // bytes of a tile's input slice above which the input channels are blocked.
  // Measured (bench_spmm --base, AVX-512, 48 KiB L1, 2 MiB L2, once the masked
  // strip kept its accumulators in registers): blocking the 7x7 layers to
  // 24-80 KiB slices was never faster than streaming the 100-320 KiB slice
  // from L2 (0.72-0.82 -> 0.45-0.86 E, worse at 90 %: each block reloads and
  // stores the row's accumulators), so only slices too large for a mobile L2
  // are blocked.
  static constexpr size_t kL1Budget = 512 * 1024;
  // fewer blocks when a row would have less than this many nonzeros per block
  // on average (each block costs a load + store of the row's accumulators)
  static constexpr double kMinNzPerBlock = 8.0;

  // Chooses the pixel tiling and the input channel blocks for strip width mr.
  void plan(size_t mr_, size_t lanes_, bool masked_, size_t l1_budget = kL1Budget) {
    mr = mr_, lanes = lanes_, masked = masked_, cblocks = 1, block_nz.clear();
    const size_t tile = std::min(P, std::max<size_t>(mr, 1));
    const size_t slice = sw->C * ((tile * sizeof(float) + 63) / 64 + 1) * 64;  // cache lines touched
    size_t want = (slice + l1_budget - 1) / l1_budget;
    const double per_row = double(sw->nnz_total) / double(std::max<size_t>(1, sw->rows));
    while (want > 1 && per_row / double(want) < kMinNzPerBlock) --want;
    want = std::min(want, sw->C);
    if (want <= 1 || !rows_sorted(*sw)) return;
    cblocks = want;
    const size_t B = cblocks;
    block_nz.resize(sw->rows * (B + 1));
    for (size_t r = 0; r < sw->rows; ++r) {
      size_t i = sw->nz_off[r];
      for (size_t b = 0; b < B; ++b) {
        const int64_t c0 = int64_t(sw->C * b / B);
        while (i < sw->nz_off[r + 1] && sw->chan[i] < c0) ++i;
        block_nz[r * (B + 1) + b] = i;
      }
      block_nz[r * (B + 1) + B] = sw->nz_off[r + 1];
    }
  }

  // plan() for the kernel variant `e` (its strip width from the function name
  // "..._<MR>x<G>__<arch>", its lanes from the arch).
  void plan_for(const kernels::KernelEntry& e, size_t l1_budget = kL1Budget) {
    size_t mr_ = 0;
    const std::string f = e.function;
    const size_t x = f.rfind('x', f.rfind("__"));
    size_t i = x;
    while (i > 0 && f[i - 1] >= '0' && f[i - 1] <= '9') --i;
    if (x != std::string::npos && i < x) mr_ = size_t(std::stoul(f.substr(i, x - i)));
    const kernels::Arch a = e.arch;
    const size_t l = a == kernels::Arch::avx512 ? 16 : a == kernels::Arch::avx2 ? 8 : a == kernels::Arch::scalar ? 1 : 4;
    plan(mr_, l, l >= 8, l1_budget);
  }

  template <typename Par>
  void run(const float* values, const float* in, float* out, size_t threads, Par&& par) const {
    const size_t blocks = threads <= 1 ? 1 : (P + kBlock - 1) / kBlock;
    const size_t want_chunks = threads <= 1 || blocks >= 2 * threads ? 1 : (2 * threads + blocks - 1) / blocks;
    const std::vector<size_t> rb = balanced_rows(*sw, want_chunks);
    const size_t chunks = rb.size() - 1;
    const size_t bsize = blocks == 1 ? P : kBlock;
    par(blocks * chunks, [&](size_t t0, size_t t1) {
      for (size_t t = t0; t < t1; ++t) {
        const size_t c = t % chunks, b = t / chunks, p0 = b * bsize;
        item(values, in, out, rb[c], rb[c + 1], p0, std::min(bsize, P - p0));
      }
    });
  }

  // Rows [r0, r1) x pixels [p0, p0 + n).
  void item(const float* values, const float* in, float* out, size_t r0, size_t r1, size_t p0, size_t n) const {
    const size_t G = sw->G;
    const std::vector<size_t> tiles = pixel_tiles(n, mr, lanes, masked);
    for (size_t k = 0; k + 1 < tiles.size(); ++k) {
      const size_t p = p0 + tiles[k], tn = tiles[k + 1] - tiles[k];
      if (cblocks <= 1) {  // all rows in one call
        const size_t first = sw->nz_off[r0];
        const int64_t base = first == 0 ? 0 : sw->chan[first - 1];  // channel the first increment starts from
        const size_t nc = std::min(r1 * G, sw->M) - r0 * G;
        fn(tn, nc, in + size_t(base) * P + p, values + sw->value_off[r0], dmap + first, sw->nnz.data() + r0,
           out + r0 * G * P + p, P, 0, ep);
        continue;
      }
      const size_t B = cblocks;
      for (size_t b = 0; b < B; ++b) {
        const uint32_t flags = (b > 0 ? ukernel::kSpmmAccumulate : 0u) | (b + 1 < B ? ukernel::kSpmmPartial : 0u);
        for (size_t r = r0; r < r1; ++r) {
          const size_t k0 = block_nz[r * (B + 1) + b], k1 = block_nz[r * (B + 1) + b + 1];
          if (k0 == k1 && b > 0 && b + 1 < B) continue;  // nothing to add, nothing to finish
          const uint32_t cnt = uint32_t(k1 - k0);
          const int64_t base = k0 == 0 ? 0 : sw->chan[k0 - 1];
          // block 0 starts at the row's bias (k0 = the row's first nonzero); later blocks
          // run with kSpmmAccumulate, which skips G values first: one group back
          const float* w = values + sw->value_off[r] + G * (k0 - sw->nz_off[r]);
          fn(tn, std::min(G, sw->M - r * G), in + size_t(base) * P + p, w, dmap + k0, &cnt, out + r * G * P + p, P,
             flags, ep);
        }
      }
    }
  }
};

// Packs a dense W[M][C] (1x1 conv weights) and optional bias[M] into the index
// stream and values (what the compiler writes); groups whose G weights are all
// zero are dropped. For tests and benchmarks.
inline void pack_dense(const float* w, const float* bias, size_t M, size_t C, size_t G, std::vector<int64_t>& idx,
                       std::vector<float>& values) {
  idx.clear(), values.clear();
  int64_t prev = 0;
  for (size_t r0 = 0; r0 < M; r0 += G) {
    for (size_t g = 0; g < G; ++g) values.push_back(bias && r0 + g < M ? bias[r0 + g] : 0.0f);
    const size_t count_at = idx.size();
    idx.push_back(0);
    for (size_t c = 0; c < C; ++c) {
      bool any = false;
      for (size_t g = 0; g < G && r0 + g < M; ++g) any = any || w[(r0 + g) * C + c] != 0.0f;
      if (!any) continue;
      idx.push_back(int64_t(c) - prev);
      prev = int64_t(c);
      ++idx[count_at];
      for (size_t g = 0; g < G; ++g) values.push_back(r0 + g < M ? w[(r0 + g) * C + c] : 0.0f);
    }
  }
}

}  // namespace sparsecc::spmm
