// Layout family: the "transpose" kernel against the reference Transpose over
// every permutation of ranks 1..4 (plus rank 5/6 samples), shapes with size-1
// dims (which the kernel drops) and dims below, at and above its 16 x 16 block,
// on 1 and 2 threads. A transpose only moves floats, so results must be equal.
#include <algorithm>
#include <cstdint>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "run_with_kernel.h"
#include "test_harness.h"

using namespace scctest;

namespace {

std::vector<float> iota_data(size_t n) {  // distinct values: any misplaced float shows
  std::vector<float> v(n);
  std::iota(v.begin(), v.end(), 1.0f);
  return v;
}

std::string str(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "]";
}

void check(const std::vector<int64_t>& x, const std::vector<int64_t>& perm, int threads) {
  int64_t n = 1;
  for (int64_t d : x) n *= d;
  std::vector<int64_t> y(x.size());
  for (size_t i = 0; i < x.size(); ++i) y[i] = x[size_t(perm[i])];
  const auto data = iota_data(size_t(n));
  auto attrs = [&](NodeRec& r) { r.ints("perm", perm); };
  const auto got = run_with_kernel("Transpose", "transpose", {{x, data}}, y, attrs, threads);
  const auto want = run_with_kernel("Transpose", "ref", {{x, data}}, y, attrs, 1);
  CHECK_MSG(got == want, "transpose x=" + str(x) + " perm=" + str(perm) + " threads=" + std::to_string(threads));
}

}  // namespace

TEST(transpose_equals_reference_for_every_permutation_up_to_rank_4) {
  const std::vector<std::vector<int64_t>> shapes = {
      {7}, {3, 5}, {17, 33}, {1, 40}, {2, 3, 4}, {1, 5, 1}, {16, 16, 3}, {3, 1, 20, 2}, {2, 3, 4, 5}, {1, 64, 4, 8},
      {5, 17, 1, 18}};
  for (const auto& x : shapes) {
    std::vector<int64_t> perm(x.size());
    std::iota(perm.begin(), perm.end(), 0);
    do {
      for (int threads : {1, 2}) check(x, perm, threads);
    } while (std::next_permutation(perm.begin(), perm.end()));
  }
}

TEST(transpose_equals_reference_on_rank_5_and_6_samples) {
  std::mt19937 rng(7);
  const std::vector<std::vector<int64_t>> shapes = {{2, 3, 1, 4, 5}, {1, 2, 3, 2, 3, 2}};
  for (const auto& x : shapes)
    for (int trial = 0; trial < 40; ++trial) {
      std::vector<int64_t> perm(x.size());
      std::iota(perm.begin(), perm.end(), 0);
      std::shuffle(perm.begin(), perm.end(), rng);
      check(x, perm, 1 + trial % 2);
    }
}

TEST(transpose_default_perm_reverses_the_dims) {
  const std::vector<int64_t> x = {3, 4, 5};
  const auto data = iota_data(60);
  const auto got = run_with_kernel("Transpose", "transpose", {{x, data}}, {5, 4, 3});
  const auto want = run_with_kernel("Transpose", "ref", {{x, data}}, {5, 4, 3});
  CHECK(got == want);
}
