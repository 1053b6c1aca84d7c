// Seeded data and checks shared by the kernel tests (header-only): uniform
// random floats, weights with whole sparsity groups zeroed, the fused
// activations every op-level test sweeps, and an element-wise comparison that
// reports the first mismatch.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "test_harness.h"

namespace scctest {

// n floats uniform in [lo, hi), seeded.
inline std::vector<float> rnd(size_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::mt19937 g(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(n);
  for (float& f : v) f = u(g);
  return v;
}

// Dense W[M][C] (row-major) with round(s * groups) whole groups -- G
// consecutive rows (output channels / features) x 1 column (input channel),
// the last group row possibly narrower -- set to exactly zero.
// Column counts that exercise a tile of NR columns at its edges: 1, around
// NR / 2, NR - 1, NR, and around every 16-float vector boundary below NR
// (AVX-512 tiles pick 1, 2 or 3 vectors from nr); with MR, also 2, 3 and
// around MR (strips narrower than the row count).
inline std::vector<size_t> tile_edges(size_t NR, size_t MR = 0) {
  std::vector<size_t> v = {1, NR / 2 - 1, NR / 2, NR / 2 + 1, NR - 1, NR};
  if (MR > 2)  // the AVX-512 tiles put rows in lanes for strips of fewer than MR columns
    for (size_t n : {size_t(2), size_t(3), MR - 1, MR, MR + 1})
      if (n <= NR) v.push_back(n);
  for (size_t b = 16; b < NR; b += 16)
    for (size_t n : {b - 1, b, b + 1}) v.push_back(n);
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

inline std::vector<float> group_sparse(size_t M, size_t C, size_t G, double s, uint32_t seed) {
  std::vector<float> w = rnd(M * C, seed);
  const size_t rows = (M + G - 1) / G, groups = rows * C;
  std::vector<size_t> order(groups);
  for (size_t i = 0; i < groups; ++i) order[i] = i;
  std::mt19937 g(seed + 7);
  std::shuffle(order.begin(), order.end(), g);
  const size_t zero = size_t(std::lround(s * double(groups)));
  for (size_t i = 0; i < zero; ++i) {
    const size_t r = order[i] / C, c = order[i] % C;
    for (size_t k = r * G; k < std::min(M, r * G + G); ++k) w[k * C + c] = 0.0f;
  }
  return w;
}

// Every fused activation as the IR attributes name it ("activation", params).
inline const std::vector<std::pair<const char*, std::vector<float>>>& activation_attrs() {
  static const std::vector<std::pair<const char*, std::vector<float>>> acts = {
      {"none", {}},         {"relu", {}},           {"clip", {0.0f, 6.0f}},     {"leaky_relu", {0.01f}},
      {"sigmoid", {}},      {"hard_sigmoid", {0.2f, 0.5f}}, {"hard_swish", {}}, {"tanh", {}},
      {"gelu", {}},         {"gelu_tanh", {}},      {"silu", {}}};
  return acts;
}

// |got - want| <= tol * (1 + |want|) everywhere (NaN fails); on the first
// mismatch one failed check naming `what`, the index and both values.
inline void check_close(const std::vector<float>& got, const std::vector<float>& want, float tol,
                        const std::string& what) {
  CHECK_MSG(got.size() == want.size(), what + ": " + std::to_string(got.size()) + " values, expected " +
                                           std::to_string(want.size()));
  for (size_t i = 0; i < want.size() && i < got.size(); ++i)
    if (!(std::fabs(got[i] - want[i]) <= tol * (1.0f + std::fabs(want[i])))) {
      CHECK_MSG(false, what + ": y[" + std::to_string(i) + "] = " + std::to_string(got[i]) + ", ref " +
                           std::to_string(want[i]));
      return;
    }
}

}  // namespace scctest
