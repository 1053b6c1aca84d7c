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

// One image: out[M][P] = act(W . in[C][P]). Work items = pixel blocks x row
// chunks, handed to par(n_items, body(begin, end)). Pixel blocks are 128
// pixels (a multiple of every arch's strip width); when there are fewer blocks
// than 2 x threads, the rows are also split, balanced by nonzero count.
struct SpmmImage {
  ukernel::SpmmFn fn = nullptr;
  const SparseWeights* sw = nullptr;
  const int32_t* dmap = nullptr;  // byte_increments(*sw, P)
  size_t P = 0;                   // pixels (= input channel stride)
  ukernel::Epilogue ep;

  static constexpr size_t kBlock = 128;

  template <typename Par>
  void run(const float* values, const float* in, float* out, size_t threads, Par&& par) const {
    const size_t blocks = threads <= 1 ? 1 : (P + kBlock - 1) / kBlock;
    const size_t want_chunks = threads <= 1 || blocks >= 2 * threads ? 1 : (2 * threads + blocks - 1) / blocks;
    const std::vector<size_t> rb = balanced_rows(*sw, want_chunks);
    const size_t chunks = rb.size() - 1, G = sw->G;
    const size_t bsize = blocks == 1 ? P : kBlock;
    par(blocks * chunks, [&](size_t t0, size_t t1) {
      for (size_t t = t0; t < t1; ++t) {
        const size_t c = t % chunks, b = t / chunks, r0 = rb[c], r1 = rb[c + 1];
        const size_t p0 = b * bsize, n = std::min(bsize, P - p0);
        const size_t first = sw->nz_off[r0];
        const int64_t base = first == 0 ? 0 : sw->chan[first - 1];  // channel the first increment starts from
        const size_t nc = std::min(r1 * G, sw->M) - r0 * G;
        fn(n, nc, in + size_t(base) * P + p0, values + sw->value_off[r0], dmap + first, sw->nnz.data() + r0,
           out + r0 * G * P + p0, P, 0, ep);
      }
    });
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
